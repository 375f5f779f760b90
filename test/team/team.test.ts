// Team mode against a real redis-server on a loopback port; members are CLI
// processes with their own state dirs (standing in for machines).
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {DEPLOY, FLUSH, makeRoot, member, sideEffects} from './members.js';

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
		expect(Array.isArray(back.members)).toBe(true);
	});
});
