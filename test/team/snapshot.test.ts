// The periodic snapshot: the stream is capped (MAXLEN ~), so a member joining
// after its first events were trimmed reads the snapshot, then the tail.
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {RecordEvent} from '../../source/session/events.js';
import type {Wire} from '../../source/team/member.js';
import {Compactor} from '../../source/team/snapshot.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {DEPLOY, FLUSH, makeRoot, member, MIGRATE} from './members.js';

const {available} = redisAvailability();

function wire(member: string, seq: number, event: RecordEvent): Wire {
	return {uid: `${member}:${seq}`, member, by: member, host: 'h', event};
}

describe('the snapshot compacts the stream', () => {
	it('keeps per step and member the latest run with its events, the latest mark, every rollback; in stream order', () => {
		const c = new Compactor();
		const at = '2026-11-27T02:00:00.000Z';
		c.add('1-0', wire('a', 1, {kind: 'window-started', at}));
		c.add('2-0', wire('a', 2, {kind: 'run-started', at, stepId: 's1', runId: 'r1', by: 'a'} as RecordEvent));
		c.add('3-0', wire('a', 3, {kind: 'run-ended', at, stepId: 's1', runId: 'r1', status: 'failed', exitCode: 1}));
		c.add('4-0', wire('a', 4, {kind: 'run-started', at, stepId: 's1', runId: 'r2', by: 'a'} as RecordEvent));
		c.add('5-0', wire('b', 1, {kind: 'run-started', at, stepId: 's1', runId: 'r3', by: 'b'} as RecordEvent));
		c.add('6-0', wire('a', 5, {kind: 'run-ended', at, stepId: 's1', runId: 'r2', status: 'done', exitCode: 0}));
		// A late end of the replaced run is dropped with it.
		c.add('7-0', wire('a', 6, {kind: 'run-ended', at, stepId: 's1', runId: 'r1', status: 'done', exitCode: 0}));
		c.add('8-0', wire('b', 2, {kind: 'marked', at, by: 'b', stepId: 's2', title: 'two', status: 'skipped'}));
		c.add('9-0', wire('b', 3, {kind: 'marked', at, by: 'b', stepId: 's2', title: 'two', status: 'done'}));
		c.add('10-0', wire('a', 7, {kind: 'window-started', at}));
		const snap = c.snapshot();
		expect(snap.upTo).toBe('10-0');
		expect(snap.entries.map(e => e.id)).toEqual(['1-0', '4-0', '5-0', '6-0', '9-0']);
	});
});

describe.runIf(available)('team mode: a late joiner after the stream was trimmed', () => {
	let redis: RedisServer;
	let root: ReturnType<typeof makeRoot> | undefined;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await redis?.stop();
	});
	afterEach(() => root?.cleanup());

	it('reads the snapshot and the tail: every record is there although the stream lost its first events', async () => {
		root = makeRoot();
		const team = {url: redis.url, session: 'pay-window-late', key: 'snapshot secret'};
		const ana = member(root.root, 'ana', team);
		const bo = member(root.root, 'bo', team);
		expect((await ana.cli(['run', ana.file, '--step', DEPLOY])).code).toBe(0);
		expect((await bo.cli(['run', bo.file, '--step', FLUSH])).code).toBe(0);
		const [streamKey] = await redis.client.keys('dc:*:events');
		const [snapshotKey] = await redis.client.keys('dc:*:snapshot');
		expect(snapshotKey).toBeTruthy();
		// The snapshot is sealed like every other value.
		expect(await redis.client.get(snapshotKey!)).toMatch(/^g1:/);
		// What MAXLEN ~ does to a long window: the first events are gone from the stream.
		await redis.client.xtrim(streamKey!, 'MAXLEN', 0);
		expect(await redis.client.xlen(streamKey!)).toBe(0);
		// An event after the trim: it is in the tail only.
		expect((await ana.cli(['run', ana.file, '--step', MIGRATE])).code).toBe(0);

		const carol = member(root.root, 'carol', team);
		const seen = await carol.status();
		expect(seen.steps.find(s => s.id === DEPLOY)).toMatchObject({status: 'done', by: 'ana'});
		expect(seen.steps.find(s => s.id === FLUSH)).toMatchObject({status: 'done', by: 'bo'});
		expect(seen.steps.find(s => s.id === MIGRATE)).toMatchObject({status: 'done', by: 'ana'});
		// Joining for real (a run) puts them in carol's own local session too.
		await redis.client.xtrim(streamKey!, 'MAXLEN', 0);
		const dave = member(root.root, 'dave', team);
		// (a done step: `run` runs it again)
		expect((await dave.cli(['run', dave.file, '--step', FLUSH])).code).toBe(0);
		const local = await dave.cli(['status', dave.file, '--json'], {DEPLOYCOCKPIT_TEAM: ''});
		const steps = (JSON.parse(local.stdout) as {steps: Array<{id: string; status: string; by: string}>}).steps;
		expect(steps.find(s => s.id === DEPLOY)).toMatchObject({status: 'done', by: 'ana'});
		expect(steps.find(s => s.id === MIGRATE)).toMatchObject({status: 'done', by: 'ana'});
	}, 60_000);
});
