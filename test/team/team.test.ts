// Team mode against a real redis-server on a loopback port; members are CLI
// processes with their own state dirs (standing in for machines).
import {hostname} from 'node:os';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {freeze, type Frozen} from '../helpers/freeze.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {DEPLOY, FLUSH, makeRoot, member, MIGRATE, sideEffects, sleep, startRun, until} from './members.js';

const {available} = redisAvailability();

describe.runIf(available)('team mode', () => {
	let redis: RedisServer;
	let root: {root: string; cleanup(): void};
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await redis?.stop();
	});
	afterEach(() => root?.cleanup());

	it('a step run by one member is done in another member\'s status, with by and host, and members are listed', async () => {
		root = makeRoot();
		const team = {url: redis.url, session: 'pay-window-1'};
		const ana = member(root.root, 'ana', team);
		const bo = member(root.root, 'bo', team);
		const ran = await ana.cli(['run', ana.file, '--step', DEPLOY]);
		expect(ran.stderr).toBe('');
		expect(ran.code).toBe(0);
		const seen = await bo.status();
		const step = seen.steps.find(s => s.id === DEPLOY)!;
		expect(step).toMatchObject({status: 'done', by: 'ana', exitCode: 0});
		expect(step.host).toBeTruthy();
		expect(seen.steps.find(s => s.id === FLUSH)!.status).toBe('pending');
		expect(sideEffects(root.root).lines()).toEqual(['deploy ana']);
		// bo runs the next one from its own session: it has ana's record too.
		expect((await bo.cli(['run', bo.file, '--step', FLUSH])).code).toBe(0);
		const back = await ana.status();
		expect(back.steps.find(s => s.id === FLUSH)).toMatchObject({status: 'done', by: 'bo'});
		expect(back.steps.find(s => s.id === DEPLOY)).toMatchObject({status: 'done', by: 'ana'});
		expect(back.members).toEqual([]);
		// Presence: who is in the session and what they run.
		const slow = startRun(ana, ['--step', MIGRATE], {SLOW: '3'});
		const during = await until(async () => {
			const s = await bo.status();
			return s.steps.find(x => x.id === MIGRATE)?.status === 'running' ? s : undefined;
		});
		expect(during.steps.find(x => x.id === MIGRATE)).toMatchObject({by: 'ana'});
		expect(during.members).toEqual([expect.objectContaining({name: 'ana', host: hostname(), running: [MIGRATE]})]);
		expect((await slow).code).toBe(0);
	});
});

describe.runIf(available)('team mode: claims', () => {
	let redis: RedisServer;
	let root: {root: string; cleanup(): void};
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await redis?.stop();
		root?.cleanup();
	});

	it('twenty rounds of two members starting the same step at once: it runs once a round, the other gets the claim message', async () => {
		root = makeRoot();
		const team = {url: redis.url, session: 'pay-window-race'};
		const ana = member(root.root, 'ana', team, {SLOW: '1'});
		const bo = member(root.root, 'bo', team, {SLOW: '1'});
		const effects = sideEffects(root.root);
		for (let round = 1; round <= 20; round++) {
			const [a, b] = await Promise.all([startRun(ana, ['--step', MIGRATE]), startRun(bo, ['--step', MIGRATE])]);
			expect(effects.lines(), `round ${round}`).toHaveLength(round);
			const refused = [a, b].filter(r => r.code !== 0);
			expect(refused, `round ${round}: ${a.stderr} | ${b.stderr}`).toHaveLength(1);
			expect(refused[0]!.stderr).toMatch(/step app\/migrate-the-ledger-table is running on \S+ by (ana|bo) since \d\d:\d\d; not started/);
		}
	}, 180_000);
});

describe.runIf(available)('team mode: link down', () => {
	let redis: RedisServer;
	let root: {root: string; cleanup(): void};
	let frozen: Frozen | undefined;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		frozen?.thaw();
		await redis?.stop();
	});
	afterEach(() => root?.cleanup());

	it('Redis killed during a run: the run goes on, a run that cannot be claimed is refused (unless --offline), and the results reach the others when Redis is back (empty: republished)', async () => {
		root = makeRoot();
		const team = {url: redis.url, session: 'pay-window-kill'};
		const ana = member(root.root, 'ana', team);
		const bo = member(root.root, 'bo', team);
		expect((await ana.cli(['run', ana.file, '--step', DEPLOY])).code).toBe(0);
		const running = startRun(ana, ['--step', MIGRATE], {SLOW: '15'});
		await until(() => effects(root.root).length === 1 && sleep(1200).then(() => true));
		const port = redis.port;
		process.kill(redis.pid, 'SIGKILL');
		// While it is away: bo cannot claim, so `run` refuses; --offline runs on its own.
		const refused = await bo.cli(['run', bo.file, '--step', FLUSH]);
		const offline = await bo.cli(['run', bo.file, '--step', FLUSH, '--offline']);
		expect(refused.code).toBe(1);
		expect(refused.stderr).toMatch(/team link down: step app\/flush-the-payments-cache cannot be claimed.*--offline/);
		expect(offline.code, offline.stderr).toBe(0);
		expect(offline.stderr).toMatch(/not yet published \(Redis unreachable\)/);
		await redis.stop();
		redis = await startRedis({port});
		const result = await running;
		expect(result.code, result.stderr).toBe(0);
		expect(effects(root.root)).toEqual(['deploy ana', 'flush bo', 'migrate ana']);
		// ana's records were republished to the empty Redis; bo's offline run goes out the next time bo joins.
		const seen = await until(async () => {
			const s = await bo.status();
			return s.steps.find(x => x.id === MIGRATE)?.status === 'done' ? s : undefined;
		});
		expect(seen.steps.find(x => x.id === DEPLOY)).toMatchObject({status: 'done', by: 'ana'});
		expect(seen.steps.find(x => x.id === MIGRATE)).toMatchObject({status: 'done', by: 'ana'});
		expect(seen.steps.find(x => x.id === FLUSH)).toMatchObject({status: 'done', by: 'bo'});
	}, 60_000);

	it('Redis frozen (SIGSTOP) during a run: the run goes on, and its result reaches the others after Redis answers again', async () => {
		root = makeRoot();
		const team = {url: redis.url, session: 'pay-window-freeze'};
		const ana = member(root.root, 'ana', team);
		const bo = member(root.root, 'bo', team);
		const running = startRun(ana, ['--step', MIGRATE], {SLOW: '3'});
		await sleep(1000);
		frozen = freeze(redis.pid);
		const refused = await bo.cli(['run', bo.file, '--step', FLUSH]);
		expect(refused.code).toBe(1);
		expect(refused.stderr).toMatch(/team link down/);
		await sleep(2500);
		frozen.thaw();
		const result = await running;
		expect(result.code, result.stderr).toBe(0);
		const seen = await until(async () => {
			const s = await bo.status();
			return s.steps.find(x => x.id === MIGRATE)?.status === 'done' ? s : undefined;
		});
		expect(seen.steps.find(x => x.id === MIGRATE)).toMatchObject({by: 'ana', exitCode: 0});
	}, 60_000);
});

describe.runIf(available)('team mode: encryption', () => {
	let redis: RedisServer;
	let root: {root: string; cleanup(): void};
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await redis?.stop();
		root?.cleanup();
	});

	it('with DEPLOYCOCKPIT_TEAM_KEY no title, command, output, host or name is in Redis in plain text; a wrong key is a clear error', async () => {
		root = makeRoot();
		const team = {url: redis.url, session: 'pay-window-secret', key: 'correct horse battery staple'};
		const ana = member(root.root, 'ana-the-operator', team);
		const bo = member(root.root, 'bo-the-dba', team);
		expect((await ana.cli(['run', ana.file, '--step', DEPLOY])).code).toBe(0);
		expect((await bo.cli(['run', bo.file, '--step', FLUSH])).code).toBe(0);
		expect((await ana.cli(['run', ana.file, '--step', MIGRATE])).code).toBe(0);
		expect((await bo.status()).steps.find(s => s.id === DEPLOY)).toMatchObject({status: 'done', by: 'ana-the-operator'});
		expect(await redis.client.exists((await redis.client.keys('dc:*:output'))[0] ?? 'none')).toBe(1);
		const dump: string[] = [];
		for (const key of await redis.client.keys('*')) {
			dump.push(key);
			const type = await redis.client.type(key);
			if (type === 'string') dump.push((await redis.client.get(key)) ?? '');
			else if (type === 'hash') dump.push(JSON.stringify(await redis.client.hgetall(key)));
			else if (type === 'stream') dump.push(JSON.stringify(await redis.client.xrange(key, '-', '+')));
		}
		const text = dump.join('\n');
		expect(dump.length).toBeGreaterThan(5);
		for (const plain of ['Deploy', 'payments', 'migrating', 'ledger', 'deploy-payments', 'echo', 'SIDE_EFFECTS', 'ana-the-operator', 'bo-the-dba', 'pay-window-secret', 'window.md', root.root, `"${hostname()}"`]) {
			expect(text, plain).not.toContain(plain);
		}
		const wrong = await bo.cli(['status', bo.file, '--json'], {DEPLOYCOCKPIT_TEAM_KEY: 'a wrong key'});
		expect(wrong.code).toBe(1);
		expect(wrong.stderr).toMatch(/DEPLOYCOCKPIT_TEAM_KEY does not match .*wrong key/);
		const none = await bo.cli(['run', bo.file, '--step', FLUSH], {DEPLOYCOCKPIT_TEAM_KEY: ''});
		expect(none.code).toBe(1);
		expect(none.stderr).toMatch(/encrypted: set DEPLOYCOCKPIT_TEAM_KEY/);
	}, 60_000);
});

function effects(root: string): string[] {
	return sideEffects(root).lines();
}

describe.runIf(available)('team mode: partition', () => {
	let redis: RedisServer;
	let root: {root: string; cleanup(): void};
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await redis?.stop();
		root?.cleanup();
	});

	it('a step run on two machines while one was cut off (--offline) is reported as a conflict by both, not merged silently', async () => {
		root = makeRoot();
		const team = {url: redis.url, session: 'pay-window-partition'};
		const ana = member(root.root, 'ana', team);
		const bo = member(root.root, 'bo', team);
		expect((await ana.cli(['run', ana.file, '--step', FLUSH])).code).toBe(0);
		// bo is cut off (its Redis address leads nowhere) and runs the same step on its own.
		const cut = await bo.cli(['run', bo.file, '--step', FLUSH, '--offline'], {DEPLOYCOCKPIT_TEAM: 'redis://127.0.0.1:1'});
		expect(cut.code, cut.stderr).toBe(0);
		expect(sideEffects(root.root).lines()).toEqual(['flush ana', 'flush bo']);
		// bo is back: joining publishes its run and applies ana's.
		expect((await bo.cli(['run', bo.file, '--step', DEPLOY])).code).toBe(0);
		for (const m of [ana, bo]) {
			const step = (await m.status()).steps.find(s => s.id === FLUSH)!;
			expect(step.conflict, m.name).toEqual(
				expect.arrayContaining([expect.objectContaining({by: 'ana', fence: expect.any(Number)}), expect.not.objectContaining({fence: expect.anything()})]),
			);
			expect(step.conflict!.map(r => r.by).sort()).toEqual(['ana', 'bo']);
		}
		const text = await ana.cli(['status', ana.file]);
		expect(text.stdout).toMatch(/CONFLICT: ran on more than one machine.*bo on \S+ at .*\(unclaimed\)/);
	}, 60_000);
});
