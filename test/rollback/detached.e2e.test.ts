// A rollback started with R → y goes on without the cockpit (issue 10): its
// steps run in a detached procedure process. In a real terminal (tmux), with
// the real program: kill -9 of the cockpit during step 1 of three, and `q`
// during step 1, leave all three steps done, in order, each once (seen in the
// steps' own marker file, in `status --json` and in the reopened cockpit); a
// failing step 2 stops the procedure: step 3 never runs, and the reopened
// cockpit shows the rollback stopped at step 2 with retry / skip / abort.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';

const gate = tmuxOrSkip();
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/deploycockpit.cjs');
const fence = '```';

// Step 1 waits for a go file (so the cockpit can be stopped while it runs); step 2 fails while a
// fail file exists; every step appends its name to order.log when it starts and ends.
const CHECKLIST = `# Shop release

## Deploy

- [ ] Ship it
  ${fence}bash
  echo shipped
  ${fence}

## Rollback

- [ ] Drain traffic
  ${fence}bash
  echo "drain-start" >> order.log
  while [ ! -f go ]; do sleep 0.1; done
  echo "drain-end" >> order.log
  echo drained
  ${fence}
- [ ] Restore release
  ${fence}bash
  echo "restore-start" >> order.log
  if [ -f fail ]; then echo "restore broke"; exit 5; fi
  echo "restore-end" >> order.log
  ${fence}
- [ ] Reopen traffic
  ${fence}bash
  echo "reopen-start" >> order.log
  echo "reopen-end" >> order.log
  ${fence}
`;

let term: TmuxTerminal | undefined;
let dir: string;
let file: string;
let stateDir: string;

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'dc-rb-detached-'));
	file = join(dir, 'release.md');
	writeFileSync(file, CHECKLIST);
	stateDir = join(dir, 'state');
});
afterEach(() => {
	term?.kill();
	term = undefined;
	// Let step 1 of a procedure that is still waiting end (nothing may be left running).
	writeFileSync(join(dir, 'go'), '');
	rmSync(dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
});

function open(): TmuxTerminal {
	const t = new TmuxTerminal();
	t.start(['node', bin, file], {width: 130, height: 40, cwd: dir, env: {DEPLOYCOCKPIT_STATE_DIR: stateDir, DEPLOYCOCKPIT_CONFIG_DIR: join(stateDir, 'config')}});
	term = t;
	return t;
}

interface Status {
	steps: Array<{id: string; status: string; exitCode: number | null}>;
	rollbacks: Array<{id: string; outcome?: string; steps: Array<{id: string; status: string} | null>}>;
}

function status(): Status {
	return JSON.parse(execFileSync(process.execPath, [bin, 'status', file, '--json'], {env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir}, encoding: 'utf8'})) as Status;
}

const order = () => (existsSync(join(dir, 'order.log')) ? readFileSync(join(dir, 'order.log'), 'utf8').trim().split('\n') : []);

async function until<T>(fn: () => T | undefined | false, what: string, ms = 30_000): Promise<T> {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		const v = fn();
		if (v) return v;
		await new Promise(r => setTimeout(r, 100));
	}
	throw new Error(`timed out waiting for ${what}`);
}

/** R, then y until the rollback starts (a y batched with R may be refused as a paste). */
async function startRollback(t: TmuxTerminal): Promise<void> {
	await t.waitFor('Shop release', 'first frame');
	t.send('R');
	await t.waitFor('Rollback · Rollback', 'the rollback panel');
	for (let attempt = 0; attempt < 4; attempt++) {
		await new Promise(r => setTimeout(r, 400));
		t.send('y');
		try {
			await until(() => order().includes('drain-start'), 'step 1 started', 5000);
			return;
		} catch {
			// refused: press it again
		}
	}
	throw new Error('the rollback never started');
}

function cockpitPid(t: TmuxTerminal): number {
	return Number(execFileSync('pgrep', ['-P', String(t.panePid()), '-f', 'deploycockpit.cjs']).toString().trim().split('\n')[0]);
}

const ROLLBACK_STEPS = ['rollback/drain-traffic', 'rollback/restore-release', 'rollback/reopen-traffic'];

async function expectAllDoneAfterReopen(): Promise<void> {
	// The procedure goes on alone: step 1 ends once go exists, then 2 and 3 run.
	writeFileSync(join(dir, 'go'), '');
	await until(() => order().includes('reopen-end'), 'step 3 ended without a cockpit');
	expect(order()).toEqual(['drain-start', 'drain-end', 'restore-start', 'restore-end', 'reopen-start', 'reopen-end']);

	const seen = status();
	for (const id of ROLLBACK_STEPS) expect(seen.steps.find(s => s.id === id)).toMatchObject({status: 'done', exitCode: 0});
	expect(seen.rollbacks).toHaveLength(1);
	expect(seen.rollbacks[0]).toMatchObject({outcome: 'done'});
	expect(seen.rollbacks[0]!.steps.map(s => s?.status)).toEqual(['done', 'done', 'done']);

	const text = execFileSync(process.execPath, [bin, 'status', file], {env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir}, encoding: 'utf8'});
	expect(text).toMatch(/note: rollback rollback finished while no cockpit was following it: 3 step\(s\) run, all done/);

	const t = open();
	// The rollback section: 3 of 3 done; the whole checklist 3 of 4 (the deploy step never ran).
	await t.waitFor(s => /Rollback\s+3\/3/.test(s) && s.includes('3/4 done'), 'the reopened cockpit shows the rollback done');
	t.send('j');
	t.send('j');
	const steps = await t.waitFor(s => s.includes('Drain traffic'), 'the rollback section');
	for (const title of ['Drain traffic', 'Restore release', 'Reopen traffic']) expect(steps).toMatch(new RegExp(`✓ ${title}`));
	t.send('q');
	await t.waitFor('__COCKPIT_EXITED__', 'the cockpit quit');
	// Recorded for good by the reopened cockpit (not only worked out by status).
	const after = status();
	expect(after.rollbacks[0]).toMatchObject({outcome: 'done'});
	for (const id of ROLLBACK_STEPS) expect(after.steps.find(s => s.id === id)?.status).toBe('done');
	// Each step ran once.
	expect(order()).toHaveLength(6);
}

describe.skipIf(gate.skip)('a rollback outlives the cockpit', () => {
	it('kill -9 of the cockpit during step 1 of three: all three end done, in order, once each', {timeout: 90_000}, async () => {
		const t = open();
		await startRollback(t);
		process.kill(cockpitPid(t), 'SIGKILL');
		await t.waitFor('__COCKPIT_EXITED__', 'the cockpit is gone');
		t.kill();
		await expectAllDoneAfterReopen();
	});

	it('q during step 1: all three end done, in order, once each', {timeout: 90_000}, async () => {
		const t = open();
		await startRollback(t);
		t.send('Escape');
		await new Promise(r => setTimeout(r, 300));
		t.send('q');
		// Quitting with a run going asks first (y confirms).
		await t.waitFor(s => s.includes('__COCKPIT_EXITED__') || /quit\?|y to quit|still running/i.test(s), 'quit asked or done');
		if (!t.capture().includes('__COCKPIT_EXITED__')) {
			t.send('y');
			await t.waitFor('__COCKPIT_EXITED__', 'the cockpit quit');
		}
		t.kill();
		await expectAllDoneAfterReopen();
	});

	it('a failing step 2: step 3 never runs; reopened, the rollback is stopped at step 2 with retry / skip / abort', {timeout: 90_000}, async () => {
		writeFileSync(join(dir, 'fail'), '');
		const t = open();
		await startRollback(t);
		process.kill(cockpitPid(t), 'SIGKILL');
		await t.waitFor('__COCKPIT_EXITED__', 'the cockpit is gone');
		t.kill();
		writeFileSync(join(dir, 'go'), '');
		await until(() => order().includes('restore-start'), 'step 2 ran');
		// The procedure has stopped: give step 3 every chance to (wrongly) start.
		await new Promise(r => setTimeout(r, 1500));
		expect(order()).toEqual(['drain-start', 'drain-end', 'restore-start']);

		const seen = status();
		expect(seen.steps.find(s => s.id === 'rollback/drain-traffic')?.status).toBe('done');
		expect(seen.steps.find(s => s.id === 'rollback/restore-release')).toMatchObject({status: 'failed', exitCode: 5});
		expect(seen.steps.find(s => s.id === 'rollback/reopen-traffic')?.status).toBe('pending');
		expect(seen.rollbacks[0]).toMatchObject({outcome: 'running'});

		const again = open();
		const screen = await again.waitFor(s => s.includes('r retry · s skip · a abort'), 'the rollback waiting for a decision');
		expect(screen).toContain('Restore release: failed, exit 5');
		// Retry after the cause is fixed: steps 2 and 3 run, the rollback ends done.
		rmSync(join(dir, 'fail'));
		again.send('r');
		await again.waitFor(/Rollback · Rollback · done · 3\/3/, 'the rollback done');
		expect(order()).toEqual(['drain-start', 'drain-end', 'restore-start', 'restore-start', 'restore-end', 'reopen-start', 'reopen-end']);
	});
});
