// One claim for the whole rollback: two members' cockpits (real sessions,
// real Redis on a loopback port) press R → y at the same instant; one
// rollback runs (its commands' side effects are counted), the other member is
// told whose rollback runs and nothing starts there.
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeAll, afterAll, describe, expect, it} from 'vitest';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {renderCockpit, type Rendered} from '../ui/render-cockpit.js';
import {waitFrame} from '../rollback/helpers.js';
import {joinInProcess} from './in-process.js';
import {makeRoot, sideEffects, sleep, until} from './members.js';
import type {TeamSession} from '../../source/team/team-session.js';

const {available} = redisAvailability();

describe.runIf(available)('team mode: the rollback is claimed once', {timeout: 60_000}, () => {
	let redis: RedisServer;
	let root: ReturnType<typeof makeRoot> | undefined;
	const opened: Array<{r: Rendered; session: TeamSession}> = [];
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await redis?.stop();
	});
	afterEach(async () => {
		for (const {r, session} of opened.splice(0)) {
			r.unmount();
			await session.close().catch(() => undefined);
		}
		root?.cleanup();
	});

	it('two members pressing R → y at once start one rollback; the second gets the claim message', async () => {
		root = makeRoot();
		const team = {url: redis.url, session: 'checkout-rollback-race'};
		for (const as of ['ana', 'bo']) {
			const session = await joinInProcess(root.root, as, 'rollback-window.md', team);
			opened.push({session, r: await renderCockpit(session)});
		}
		const [ana, bo] = opened;
		await Promise.all([ana!.r.press('R'), bo!.r.press('R')]);
		for (const {r} of opened) await waitFrame(r, f => f.includes('Route traffic back to v8') && f.includes('y'), 'the rollback plan');
		// Both at the same instant.
		await Promise.all([ana!.r.press('y'), bo!.r.press('y')]);
		const effects = sideEffects(root.root);
		await until(() => effects.lines().some(l => l.startsWith('scale-down')), 20_000);
		await sleep(500);
		// One rollback: each of its commands ran once, on one machine.
		const lines = effects.lines();
		expect(lines.filter(l => l.startsWith('route-back'))).toHaveLength(1);
		expect(lines.filter(l => l.startsWith('scale-down'))).toHaveLength(1);
		const winner = lines[0]!.split(' ')[1]!;
		const loser = opened[winner === 'ana' ? 1 : 0]!;
		expect(lines).toEqual([`route-back ${winner}`, `scale-down ${winner}`]);
		const refused = await waitFrame(loser.r, f => /a rollback is already running on \S+ by (ana|bo) since \d\d:\d\d; not started/.test(f), 'the claim message');
		expect(refused).toContain(`by ${winner} since`);
		expect(loser.r.store.getState().rollback.run).toBeNull();
		// The winner's rollback finishes and releases the claim: the other member can start one now.
		const won = opened[winner === 'ana' ? 0 : 1]!;
		await until(() => won.session.getState().rollbacks.find(rb => rb.outcome === 'done'), 15_000);
		await until(() => loser.session.getState().rollbacks.some(rb => rb.outcome === 'done'), 15_000);
		await loser.r.press('y');
		await until(() => effects.lines().length === 4, 20_000);
		expect(effects.lines().slice(2)).toEqual([`route-back ${loser === ana ? 'ana' : 'bo'}`, `scale-down ${loser === ana ? 'ana' : 'bo'}`]);
	});

	it('a team-mode rollback runs in a detached procedure (TeamSession forwards its methods)', async () => {
		root = makeRoot();
		const session = await joinInProcess(root.root, 'ana', 'rollback-window.md', {url: redis.url, session: 'checkout-rollback-detached'});
		opened.push({session, r: await renderCockpit(session)});
		expect(typeof session.startProcedure).toBe('function');
		expect(typeof session.adoptProcedure).toBe('function');
		expect(typeof session.screenTail).toBe('function');
		const {r} = opened[0]!;
		await r.press('R');
		await waitFrame(r, f => f.includes('Route traffic back to v8') && f.includes('y'), 'the rollback plan');
		await r.press('y');
		const done = await until(() => session.getState().rollbacks.find(rb => rb.outcome === 'done'), 20_000);
		expect(existsSync(join(session.dir, 'runs', `${done.id}.procedure.json`))).toBe(true);
		expect(sideEffects(root.root).lines()).toEqual(['route-back ana', 'scale-down ana']);
	});
});
