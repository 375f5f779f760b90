// A run's output reaches the other members whatever happened around it:
// printed while the team link was down (held by the running member, up to a
// bound, sent once Redis is back: a real redis-server killed and restarted
// on the same port), or printed before the other member joined (read from
// the team's capped output stream at the join). The members are in this
// process (openTeamSession, as the CLI joins).
import {afterEach, describe, expect, it} from 'vitest';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {joinInProcess} from './in-process.js';
import {makeRoot, sleep, until} from './members.js';
import type {TeamSession} from '../../source/team/team-session.js';

const {available} = redisAvailability();
const STEP = 'app/print-through-an-outage';

describe.runIf(available)('team mode: output across an outage and a late join', () => {
	let redis: RedisServer | undefined;
	let root: {root: string; cleanup(): void} | undefined;
	const sessions: TeamSession[] = [];
	afterEach(async () => {
		await Promise.all(sessions.splice(0).map(s => s.close().catch(() => undefined)));
		await redis?.stop();
		root?.cleanup();
	});

	/** A fresh Redis and root for team `session`; `join(name)` joins a member to it. */
	async function startTeam(session: string): Promise<{join(name: string): Promise<TeamSession>}> {
		redis = await startRedis();
		root = makeRoot();
		const team = {url: redis.url, session};
		return {
			async join(name) {
				const member = await joinInProcess(root!.root, name, 'outage-window.md', team);
				sessions.push(member);
				return member;
			},
		};
	}

	it('output printed while Redis was down is in the other member\'s view of the run once Redis is back', async () => {
		const team = await startTeam('outage-output');
		const ana = await team.join('ana');
		const bo = await team.join('bo');
		const running = ana.runStep(STEP);
		await until(() => bo.outputTail(STEP).includes('before the outage') || undefined, 15_000);
		const port = redis!.port;
		process.kill(redis!.pid, 'SIGKILL');
		// The run goes on and prints while Redis is away.
		await until(() => ana.outputTail(STEP).includes('printed while the link was down') || undefined, 15_000);
		await sleep(500);
		await redis!.stop();
		redis = await startRedis({port});
		await running;
		const seen = await until(() => (bo.outputTail(STEP).includes('after the outage') ? bo.outputTail(STEP) : undefined), 20_000);
		expect(seen).toContain('printed while the link was down');
		// Once, and in order.
		expect(seen.split('printed while the link was down')).toHaveLength(2);
		expect(seen.indexOf('before the outage')).toBeLessThan(seen.indexOf('printed while the link was down'));
		expect(seen.indexOf('printed while the link was down')).toBeLessThan(seen.indexOf('after the outage'));
	}, 60_000);

	it('a member who joins during a run sees what the run printed before the join, then the rest', async () => {
		const team = await startTeam('late-join-output');
		const ana = await team.join('ana');
		const running = ana.runStep(STEP);
		const outputKey = async () => (await redis!.client.keys('dc:*:output'))[0];
		await until(async () => {
			const key = await outputKey();
			return key ? (await redis!.client.xlen(key)) > 0 : undefined;
		}, 15_000);
		const bo = await team.join('bo');
		await running;
		const seen = await until(() => (bo.outputTail(STEP).includes('after the outage') ? bo.outputTail(STEP) : undefined), 20_000);
		expect(seen.indexOf('before the outage')).toBe(0);
		expect(seen.split('before the outage')).toHaveLength(2);
		expect(seen.indexOf('printed while the link was down')).toBeGreaterThan(0);
	}, 60_000);
});
