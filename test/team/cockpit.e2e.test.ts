// A member's cockpit in a real terminal (tmux) while other members run steps
// headless: their records show up live, a step another member runs cannot be
// started here (the claim message), their output streams to this screen,
// and a frozen Redis is said in the header.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {freeze, type Frozen} from '../helpers/freeze.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {EXIT_MARK, TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';
import {bin, DEPLOY, FLUSH, makeRoot, member, MIGRATE, sideEffects, startRun, until} from './members.js';

const gate = tmuxOrSkip();
const {available} = redisAvailability();
const header = (screen: string) => screen.split('\n')[0] ?? '';
/** The step's row in the steps pane (its title, then its kind). */
const line = (screen: string, title: string) => screen.split('\n').find(l => new RegExp(`${title}\\s+sh\\b`).test(l)) ?? '';

describe.runIf(available && !gate.skip)('team mode in the cockpit', {timeout: 120_000}, () => {
	let redis: RedisServer;
	let term: TmuxTerminal | undefined;
	let frozen: Frozen | undefined;
	const root = makeRoot();
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		frozen?.thaw();
		term?.kill();
		await redis?.stop();
		root.cleanup();
	});

	it('shows the others\' runs live, refuses a step another member runs, and says when the link is down', async () => {
		const team = {url: redis.url, session: 'pay-window-cockpit'};
		const ana = member(root.root, 'ana', team);
		const bo = member(root.root, 'bo', team);
		term = new TmuxTerminal();
		term.start(['node', bin, ana.file], {cwd: ana.dir, env: Object.fromEntries(Object.entries(ana.env).filter(([, v]) => v !== undefined)) as Record<string, string>});
		await term.waitFor('Payments maintenance window', 'first frame');
		expect((await bo.cli(['run', bo.file, '--step', DEPLOY])).code).toBe(0);
		await term.waitFor(s => /✓/.test(line(s, 'Deploy payments-api v2')), 'bo\'s run done in ana\'s cockpit', 10_000);

		const slow = startRun(bo, ['--step', MIGRATE], {SLOW: '5'});
		await term.waitFor(s => /◐|◓|◑|◒|▶/.test(line(s, 'Migrate the ledger table')), 'bo\'s run running in ana\'s cockpit', 10_000);
		term.send('j');
		// bo's output, streamed over Redis (ana's cockpit never reads bo's log file).
		await term.waitFor(s => s.includes('migrating the ledger (bo)'), 'bo\'s output live in ana\'s cockpit', 5000);
		term.send('Enter');
		const refused = await term.waitFor(/running on \S+ by bo since \d\d:\d\d/, 'the claim message', 10_000);
		expect(refused).toMatch(/not started/);
		expect((await slow).code).toBe(0);
		expect(sideEffects(root.root).lines()).toEqual(['deploy bo', 'migrate bo']);

		frozen = freeze(redis.pid);
		await term.waitFor(s => /team link down \d+s — on your own/.test(header(s)), 'the banner', 10_000);
		// A step that cannot be claimed: a confirmation pop-up first; n leaves it, y runs it on ana's own.
		term.send('j');
		await term.waitFor(s => line(s, 'Flush the payments cache').includes('›'), 'flush selected');
		term.send('Enter');
		await term.waitFor(/Team link down · Flush the payments cache/, 'the question', 10_000);
		await term.waitFor(/this step cannot be claimed/, 'the question\'s text');
		term.send('n');
		await term.waitFor(s => !/Team link down ·/.test(s), 'the pop-up closed');
		expect(sideEffects(root.root).lines()).toEqual(['deploy bo', 'migrate bo']);
		term.send('Enter');
		await term.waitFor(/y runs it unclaimed/, 'asked again', 10_000);
		term.send('y');
		await until(() => sideEffects(root.root).lines().includes('flush ana'), 10_000);
		frozen.thaw();
		await term.waitFor(s => !/team link down/.test(header(s)), 'the banner gone', 15_000);
		// What ana did on her own reaches bo once the link is back.
		await until(async () => (await bo.status()).steps.find(s => s.id === FLUSH)?.by === 'ana', 10_000);
		term.send('q');
		await term.waitFor(EXIT_MARK, 'the cockpit closed', 10_000);
	});
});
