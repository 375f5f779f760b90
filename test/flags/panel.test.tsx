// The flag panel in the real cockpit, with a real redis-server and env file:
// F opens it, outside changes show up, Enter → confirmation → y writes + audits.
import {mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/parse.js';
import {PASTE_END, PASTE_START} from '../../source/ui/input/parse-keys.js';
import {describeChange, formatAgo} from '../../source/ui/flags/flag-panel.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {MemorySession} from '../ui/memory-session.js';
import {KEYS, renderCockpit, type Rendered} from '../ui/render-cockpit.js';

const redisCheck = redisAvailability();

const CHECKLIST = `---
deploycockpit:
  flags: {redis: "feature:*", env: .env.infra, prefix: ROUTE_V2_}
---
# Release the new router

## Switch over

- [ ] Check the flags are off
`;

async function eventually(r: Rendered, predicate: (frame: string) => boolean, what: string, timeoutMs = 6000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (predicate(r.frame())) return r.frame();
		await new Promise(resolve => setTimeout(resolve, 25));
	}
	throw new Error(`timed out waiting for ${what}; last frame:\n${r.frame()}`);
}

const lineWith = (frame: string, text: string) => frame.split('\n').find(l => l.includes(text)) ?? '';

describe.skipIf(!redisCheck.available)('flag panel', () => {
	let server: RedisServer;
	let dir: string;
	let r: Rendered | undefined;

	beforeAll(async () => {
		server = await startRedis();
	});
	afterAll(async () => {
		await server?.stop();
	});
	beforeEach(async () => {
		await server.client.flushall();
		await server.client.set('feature:checkout', 'true');
		await server.client.set('feature:search', 'false');
		dir = mkdtempSync(join(tmpdir(), 'flags-panel-'));
		writeFileSync(join(dir, '.env.infra'), 'ROUTE_V2_ENABLED=false\nOTHER=1\n');
		writeFileSync(join(dir, 'release.md'), CHECKLIST);
	});
	afterEach(() => {
		r?.unmount();
		r = undefined;
		rmSync(dir, {recursive: true, force: true});
	});

	const open = async () => {
		const session = new MemorySession(parseChecklist(CHECKLIST, join(dir, 'release.md')));
		Object.defineProperty(session, 'dir', {value: dir});
		r = await renderCockpit(session, {columns: 130, rows: 30, deps: {env: {REDIS_URL: server.url}}});
		await r.press('F');
		return eventually(r, f => f.includes('feature:checkout') && f.includes('ROUTE_V2_ENABLED'), 'the flags');
	};

	it('F shows every flag with its value, source and when it changed', async () => {
		const frame = await open();
		expect(frame).toContain('Feature flags');
		expect(lineWith(frame, 'feature:checkout')).toMatch(/› ● feature:checkout\s+true\s+unchanged since \d\d:\d\d:\d\d UTC \(first seen\)/);
		expect(lineWith(frame, 'feature:search')).toMatch(/○ feature:search\s+false/);
		expect(lineWith(frame, 'ROUTE_V2_ENABLED')).toMatch(/○ ROUTE_V2_ENABLED:1\s+false/);
		expect(frame).toContain(`redis feature:* on ${server.url} (REDIS_URL) — ok`);
		expect(frame).toContain('env   .env.infra (ROUTE_V2_*) — ok');
	});

	it('shows a flag changed outside the cockpit within a few seconds (default 2 s poll)', async () => {
		await open();
		await server.client.set('feature:search', 'true');
		const frame = await eventually(r!, f => /● feature:search\s+true/.test(f), 'the outside change');
		expect(lineWith(frame, 'feature:search')).toMatch(/changed (just now|\d+s ago) \(was false\)/);
	});

	it('Enter shows exactly what will be written; y writes it and records it in the audit log', async () => {
		await open();
		await r!.press(KEYS.enter);
		const confirm = r!.frame();
		expect(confirm).toContain('Toggle feature:checkout: true → false?  This writes exactly:');
		expect(confirm).toContain(`SET "feature:checkout" "false" KEEPTTL  (only if still "true")  on ${server.url} (REDIS_URL)`);
		expect(await server.client.get('feature:checkout')).toBe('true');
		await r!.press('y');
		await eventually(r!, f => /○ feature:checkout\s+false/.test(f), 'the toggled value');
		expect(await server.client.get('feature:checkout')).toBe('false');
		expect(r!.frame()).toContain('feature:checkout: true → false written (audit log)');
		const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l));
		expect(audit).toHaveLength(1);
		expect(audit[0]).toMatchObject({type: 'flag', flag: 'feature:checkout', source: 'redis', from: 'true', to: 'false'});
	});

	it('toggles an env-file flag by rewriting its line', async () => {
		await open();
		await r!.press('G');
		await r!.press(' ');
		expect(r!.frame()).toContain(`${join(dir, '.env.infra')} line 1: ROUTE_V2_ENABLED=false → ROUTE_V2_ENABLED=true`);
		await r!.press('y');
		await eventually(r!, f => /● ROUTE_V2_ENABLED:1\s+true/.test(f), 'the env toggle');
		expect(readFileSync(join(dir, '.env.infra'), 'utf8')).toBe('ROUTE_V2_ENABLED=true\nOTHER=1\n');
	});

	it('refuses toggles from pasted or batched keys, and Esc cancels without writing', async () => {
		await open();
		await r!.press(`${PASTE_START}\r${PASTE_END}`);
		expect(r!.store.getState().flags.pending).toBeNull();
		await r!.press('j\r');
		expect(r!.store.getState().flags.pending).toBeNull();
		expect(r!.frame()).toContain('that key arrived together with other input');
		await r!.press(KEYS.enter);
		expect(r!.store.getState().flags.pending?.key).toBe('feature:search');
		await r!.press('yy');
		expect(r!.store.getState().flags.pending?.key).toBe('feature:search');
		await r!.press(KEYS.escape);
		await new Promise(resolve => setTimeout(resolve, 60));
		expect(r!.store.getState().flags.pending).toBeNull();
		expect(r!.store.getState().overlay).toBe('flags');
		expect(await server.client.get('feature:search')).toBe('false');
		expect(existsSync(join(dir, 'audit.jsonl'))).toBe(false);
		await r!.press(KEYS.escape);
		await new Promise(resolve => setTimeout(resolve, 60));
		expect(r!.store.getState().overlay).toBeNull();
	});
});

describe('flag panel without flags', () => {
	it('says how to configure them', async () => {
		const session = new MemorySession(parseChecklist('# Plain\n\n- [ ] one\n', '/tmp/plain.md'));
		const r = await renderCockpit(session, {columns: 100, rows: 24});
		try {
			await r.press('F');
			expect(r.frame()).toContain('No flags configured.');
			expect(r.frame()).toContain('flags: {redis: "feature:*", env: .env.infra, prefix: USE_NEW_}');
		} finally {
			r.unmount();
		}
	});

	it('describes changes relative to now', () => {
		const base = {id: 'x', source: 'redis' as const, sourceId: 'redis:x', key: 'x', enabled: true, firstSeenAt: 0, stale: false};
		expect(describeChange({...base, value: 'true', changedAt: 1000, previous: 'false'}, 13_000)).toBe('changed 12s ago (was false)');
		expect(describeChange({...base, value: null, changedAt: 1000, previous: 'true'}, 181_000)).toBe('deleted 3m ago (was true)');
		expect(describeChange({...base, value: 'true', changedAt: null, stale: true}, 5000)).toBe('stale · unchanged since 00:00:00 UTC (first seen)');
		expect(formatAgo(500)).toBe('just now');
	});
});
