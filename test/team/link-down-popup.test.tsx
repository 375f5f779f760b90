// A step that cannot be claimed (the team link is down) is asked about in a
// confirmation pop-up like the others: the whole text, `y` only once all of
// it was on screen, `n` starts nothing. Real session, real Redis frozen with
// SIGSTOP (it accepts connections, answers nothing).
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {freeze, type Frozen} from '../helpers/freeze.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {waitFrame} from '../rollback/helpers.js';
import {KEYS, renderCockpit, type Rendered} from '../ui/render-cockpit.js';
import {joinInProcess} from './in-process.js';
import {makeRoot, sideEffects, sleep, until} from './members.js';
import type {TeamSession} from '../../source/team/team-session.js';

const {available} = redisAvailability();
const SHIP = 'release/ship-checkout-v9';

describe.runIf(available)('team mode: starting a step that cannot be claimed', {timeout: 60_000}, () => {
	let redis: RedisServer;
	let frozen: Frozen | undefined;
	let root: ReturnType<typeof makeRoot> | undefined;
	let r: Rendered | undefined;
	let session: TeamSession | undefined;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		frozen?.thaw();
		await redis?.stop();
	});
	afterEach(async () => {
		frozen?.thaw();
		frozen = undefined;
		r?.unmount();
		await session?.close().catch(() => undefined);
		root?.cleanup();
	});

	it('asks in a pop-up (read to the end before y); n starts nothing, y runs it unclaimed; with the link up nothing is asked', async () => {
		root = makeRoot();
		session = await joinInProcess(root.root, 'ana', 'rollback-window.md', {url: redis.url, session: 'checkout-link-down'});
		// A short terminal: the pop-up's text does not fit, so it must be scrolled through before y.
		r = await renderCockpit(session, {columns: 70, rows: 14});
		expect(session.getState().steps[SHIP]).toBeUndefined();
		frozen = freeze(redis.pid);
		await waitFrame(r, f => /team link down \d+s — on your own/.test(f), 'the banner', 10_000);
		await r.press(KEYS.enter);
		const asked = await waitFrame(r, f => f.includes('Team link down · Ship checkout v9'), 'the pop-up');
		expect(asked).toContain('this step cannot be claimed');
		await r.press('y');
		await waitFrame(r, f => /read it all first/.test(f), 'y refused before the end was read');
		expect(sideEffects(root.root).lines()).toEqual([]);
		await r.press('n');
		await waitFrame(r, f => !f.includes('Team link down ·'), 'the pop-up closed');
		await sleep(300);
		expect(sideEffects(root.root).lines()).toEqual([]);

		await r.press(KEYS.enter);
		await waitFrame(r, f => f.includes('Team link down · Ship checkout v9'), 'asked again');
		for (let i = 0; i < 6; i++) await r.press(KEYS.pageDown);
		await waitFrame(r, f => f.includes('Run it on your own, unclaimed?'), 'the end of the text');
		await r.press('y');
		await until(() => sideEffects(root!.root).lines().includes('ship ana'), 10_000);
		await until(() => session!.getState().steps[SHIP]?.status === 'done', 10_000);
		expect(session.getState().steps[SHIP]?.fence).toBeUndefined();

		// Link back: Enter on a step claims it and runs it, no question.
		frozen.thaw();
		frozen = undefined;
		await waitFrame(r, f => !/team link down \d+s/.test(f), 'the banner gone', 15_000);
		await r.press('j');
		await r.press(KEYS.enter);
		await until(() => sideEffects(root!.root).lines().includes('route-back ana'), 10_000);
		await until(() => session!.getState().steps['rollback/route-traffic-back-to-v8']?.fence !== undefined, 10_000);
		expect(r.frame()).not.toContain('Team link down ·');
	});
});
