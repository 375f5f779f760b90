// The flag watcher against a real redis-server and a real env file.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {flagsConfig} from '../../source/flags/config.js';
import type {FlagsSnapshot, FlagTogglePlan} from '../../source/flags/types.js';
import {FlagWatcher} from '../../source/flags/watcher.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';

const redisCheck = redisAvailability();

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(r => setTimeout(r, 20));
	}
}

describe.skipIf(!redisCheck.available)('flag watcher', () => {
	let server: RedisServer;
	let dir: string;
	let envFile: string;
	let clock: number;
	const watchers: FlagWatcher[] = [];

	beforeAll(async () => {
		server = await startRedis();
	});
	afterAll(async () => {
		await server?.stop();
	});
	beforeEach(async () => {
		await server.client.flushall();
		dir = mkdtempSync(join(tmpdir(), 'flags-watch-'));
		envFile = join(dir, '.env.infra');
		writeFileSync(envFile, '# switches\nROUTE_V2_ENABLED=false\nROUTE_V2_BETA=true\nOTHER=1\n');
		clock = Date.parse('2026-01-01T10:00:00Z');
	});
	afterEach(async () => {
		for (const watcher of watchers.splice(0)) await watcher.stop();
		rmSync(dir, {recursive: true, force: true});
	});

	const makeWatcher = (settings: Record<string, unknown>, options: {watchFiles?: boolean; redisUrl?: string} = {}) => {
		const config = flagsConfig(settings, dir)!;
		const watcher = new FlagWatcher({config, env: {REDIS_URL: options.redisUrl ?? server.url}, baseDir: dir, now: () => clock, watchFiles: options.watchFiles});
		watchers.push(watcher);
		return watcher;
	};
	const flag = (snapshot: FlagsSnapshot, key: string) => snapshot.flags.find(f => f.key === key);

	it('finds redis keys matching the pattern with SCAN and env-file lines with the prefix', async () => {
		await server.client.set('feature:checkout', 'true');
		await server.client.set('feature:search', 'off');
		await server.client.set('other:thing', 'true');
		await server.client.hset('feature:hash', 'a', '1');
		const watcher = makeWatcher({flags: {redis: 'feature:*', env: '.env.infra', prefix: 'ROUTE_V2_'}});
		await watcher.poll();
		const snapshot = watcher.snapshot();
		expect(snapshot.flags.map(f => [f.key, f.value, f.enabled])).toEqual([
			['feature:checkout', 'true', true],
			['feature:hash', '<hash>', null],
			['feature:search', 'off', false],
			['ROUTE_V2_ENABLED', 'false', false],
			['ROUTE_V2_BETA', 'true', true],
		]);
		expect(snapshot.sources).toEqual([
			{id: 'redis:feature:*', kind: 'redis', label: `feature:* on ${server.url} (REDIS_URL)`, ok: true, lastPollAt: clock},
			{id: `env:${envFile}`, kind: 'env', label: '.env.infra (ROUTE_V2_*)', ok: true, lastPollAt: clock},
		]);
		expect(flag(snapshot, 'ROUTE_V2_BETA')).toMatchObject({line: 3, firstSeenAt: clock, changedAt: null, stale: false});
	});

	it('reports a redis key changed outside within a poll, with when it changed', async () => {
		await server.client.set('feature:checkout', 'true');
		const watcher = makeWatcher({flags: {redis: 'feature:*', interval: '100ms'}});
		const updates: FlagsSnapshot[] = [];
		watcher.subscribe(s => updates.push(s));
		watcher.start();
		await until(() => updates.length > 0, 'first snapshot');
		const startedAt = clock;
		clock += 12_000;
		await server.client.set('feature:checkout', 'false');
		await server.client.set('feature:new', 'true');
		const seen = await until(() => updates.find(s => flag(s, 'feature:checkout')?.value === 'false' && flag(s, 'feature:new')), 'the change');
		expect(flag(seen, 'feature:checkout')).toMatchObject({enabled: false, previous: 'true', firstSeenAt: startedAt, changedAt: startedAt + 12_000});
		// Created while watched: its appearance is a change too.
		expect(flag(seen, 'feature:new')).toMatchObject({previous: null, changedAt: startedAt + 12_000});
		clock += 1000;
		await server.client.del('feature:new');
		const gone = await until(() => updates.find(s => flag(s, 'feature:new')?.value === null), 'the deletion');
		expect(flag(gone, 'feature:new')).toMatchObject({previous: 'true', changedAt: startedAt + 13_000});
	});

	it('reports an env file changed outside at once through fs.watch (long poll interval)', async () => {
		const watcher = makeWatcher({flags: {env: '.env.infra', prefix: 'ROUTE_V2_', interval: '10m'}});
		const updates: FlagsSnapshot[] = [];
		watcher.subscribe(s => updates.push(s));
		watcher.start();
		await until(() => updates.length > 0, 'first snapshot');
		clock += 5000;
		writeFileSync(envFile, '# switches\nROUTE_V2_ENABLED=true\nROUTE_V2_BETA=true\nOTHER=1\n');
		const seen = await until(() => updates.find(s => flag(s, 'ROUTE_V2_ENABLED')?.value === 'true'), 'the env change');
		expect(flag(seen, 'ROUTE_V2_ENABLED')).toMatchObject({enabled: true, previous: 'false', changedAt: clock});
	});

	it('toggles a redis flag: exact plan, compare-and-set write keeping the TTL, audit line', async () => {
		await server.client.set('feature:checkout', 'true', 'EX', 3600);
		const watcher = makeWatcher({flags: {redis: 'feature:*'}});
		await watcher.poll();
		const plan = watcher.planToggle('redis:feature:checkout') as FlagTogglePlan;
		expect(plan).toEqual({
			flagId: 'redis:feature:checkout',
			source: 'redis',
			key: 'feature:checkout',
			from: 'true',
			to: 'false',
			description: `SET "feature:checkout" "false" KEEPTTL  (only if still "true")  on ${server.url} (REDIS_URL)`,
		});
		clock += 1000;
		await watcher.toggle(plan, {by: 'oncall@box', sessionDir: dir});
		expect(await server.client.get('feature:checkout')).toBe('false');
		expect(await server.client.ttl('feature:checkout')).toBeGreaterThan(3000);
		expect(flag(watcher.snapshot(), 'feature:checkout')).toMatchObject({value: 'false', changedAt: clock});
		const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l));
		expect(audit).toEqual([
			{at: new Date(clock).toISOString(), type: 'flag', by: 'oncall@box', command: plan.description, flag: 'feature:checkout', source: 'redis', from: 'true', to: 'false'},
		]);
	});

	it('refuses a toggle when the value changed since it was shown, and audits the refusal', async () => {
		await server.client.set('feature:checkout', 'true');
		const watcher = makeWatcher({flags: {redis: 'feature:*'}});
		await watcher.poll();
		const plan = watcher.planToggle('redis:feature:checkout') as FlagTogglePlan;
		await server.client.set('feature:checkout', 'false');
		await expect(watcher.toggle(plan, {by: 'oncall@box', sessionDir: dir})).rejects.toThrow(/changed since it was shown \(now false\); nothing written/);
		expect(await server.client.get('feature:checkout')).toBe('false');
		const audit = JSON.parse(readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim());
		expect(audit.error).toMatch(/nothing written/);
		expect(watcher.planToggle('redis:feature:hash')).toEqual({error: 'no such flag'});
	});

	it('toggles an env flag by rewriting only its line', async () => {
		const watcher = makeWatcher({flags: {env: '.env.infra', prefix: 'ROUTE_V2_'}}, {watchFiles: false});
		await watcher.poll();
		const plan = watcher.planToggle(`env:${envFile}:ROUTE_V2_ENABLED`) as FlagTogglePlan;
		expect(plan.description).toBe(`${envFile} line 2: ROUTE_V2_ENABLED=false → ROUTE_V2_ENABLED=true`);
		await watcher.toggle(plan, {by: 'oncall@box', sessionDir: dir});
		expect(readFileSync(envFile, 'utf8')).toBe('# switches\nROUTE_V2_ENABLED=true\nROUTE_V2_BETA=true\nOTHER=1\n');
		expect(flag(watcher.snapshot(), 'ROUTE_V2_ENABLED')?.value).toBe('true');
		expect(JSON.parse(readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim())).toMatchObject({type: 'flag', flag: 'ROUTE_V2_ENABLED', source: 'env', from: 'false', to: 'true'});
	});

	it('marks flags stale while their source is down and refuses to toggle them', async () => {
		const other = await startRedis();
		try {
			await other.client.set('feature:x', 'true');
			const watcher = makeWatcher({flags: {redis: 'feature:*'}}, {redisUrl: other.url});
			await watcher.poll();
			expect(flag(watcher.snapshot(), 'feature:x')?.stale).toBe(false);
			await other.stop();
			await watcher.poll();
			const snapshot = watcher.snapshot();
			expect(flag(snapshot, 'feature:x')).toMatchObject({value: 'true', stale: true});
			expect(snapshot.sources[0]).toMatchObject({ok: false});
			expect(snapshot.sources[0]!.error).toMatch(/cannot connect to Redis at 127\.0\.0\.1:\d+ \(REDIS_URL\)/);
			expect(watcher.planToggle('redis:feature:x')).toEqual({error: 'feature:x: its source is unavailable, the value shown may be out of date'});
		} finally {
			await other.stop();
		}
	});
});
