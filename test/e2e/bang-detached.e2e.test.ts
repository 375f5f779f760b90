// The `!` key with node-pty (issue 10): the command runs on its runner's PTY
// with the real terminal attached, so it survives the cockpit. In a real
// terminal (tmux): the tmux session killed (the link gone) or a kill -9 of
// the cockpit while the program waits for input; the reopened cockpit shows
// it running; `i` types the answer; it ends with the right exit code. The
// leave chord detaches without ending it.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';

const gate = tmuxOrSkip();
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/deploycockpit.cjs');
const fence = '```';

// Full screen: the program clears it, reads an answer, and ends with 0 only for the right one (else 9).
const CHECKLIST = `# Bang checks

## Steps

- [ ] Ask on the whole screen
  ${fence}bash
  printf '\\033[H\\033[2J'
  echo "cols=$(tput cols) tty=$(tty)"
  read -r -p "Name please: " name
  echo "got=$name"
  [ "$name" = "ada" ] && exit 0
  exit 9
  ${fence}
`;

const STEP = 'steps/ask-on-the-whole-screen';
let term: TmuxTerminal | undefined;
let dir: string;
let file: string;
let stateDir: string;

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'dc-e2e-bang-pty-'));
	file = join(dir, 'bang.md');
	writeFileSync(file, CHECKLIST);
	stateDir = join(dir, 'state');
});
afterEach(() => {
	term?.kill();
	term = undefined;
	rmSync(dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
});

function open(): TmuxTerminal {
	const t = new TmuxTerminal();
	t.start(['node', bin, file], {width: 120, height: 36, cwd: dir, env: {DEPLOYCOCKPIT_STATE_DIR: stateDir, DEPLOYCOCKPIT_CONFIG_DIR: join(stateDir, 'config')}});
	term = t;
	return t;
}

function step(): {status: string; exitCode: number | null} | undefined {
	const out = JSON.parse(execFileSync(process.execPath, [bin, 'status', file, '--json'], {env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir}, encoding: 'utf8'})) as {steps: Array<{id: string; status: string; exitCode: number | null}>};
	return out.steps.find(s => s.id === STEP);
}

async function waitStep(want: string, ms = 20_000): Promise<{status: string; exitCode: number | null} | undefined> {
	const end = Date.now() + ms;
	let got = step();
	while (Date.now() < end && got?.status !== want) {
		await new Promise(r => setTimeout(r, 200));
		got = step();
	}
	return got;
}

/** `!` on the step, until the program has the whole screen (a key batched with others may be refused). */
async function bang(t: TmuxTerminal): Promise<string> {
	await t.waitFor('Bang checks', 'first frame');
	for (let attempt = 0; attempt < 4; attempt++) {
		await new Promise(r => setTimeout(r, 400));
		t.send('!');
		try {
			// Its first line (the code in the pane reads `cols=$(tput cols)`, never digits).
			return await t.waitFor(s => /cols=\d+ tty=\/dev\/pts/.test(s) && s.includes('Name please:') && !s.includes('Bang checks'), 'the program on the whole screen', 6000);
		} catch {
			// refused: press it again
		}
	}
	throw new Error('! never started the program');
}

/** Reopened: the step runs; i, the answer, Enter; it ends done with exit 0 (wrong input would give 9). */
async function reopenAndAnswer(): Promise<void> {
	expect(step()?.status).toBe('running');
	const t = open();
	await t.waitFor(s => s.includes('Bang checks') && /running/.test(s), 'the reopened cockpit with the run going');
	await t.waitFor(s => /cols=\d+ tty=\/dev\/pts/.test(s), 'the run\'s screen replayed in the pane');
	await new Promise(r => setTimeout(r, 400));
	t.send('i');
	await t.waitFor('typing into Ask on the whole screen', 'typing mode');
	t.send('ada', {literal: true});
	t.send('Enter');
	expect(await waitStep('done')).toMatchObject({status: 'done', exitCode: 0});
	await t.waitFor(s => s.split('\n').some(l => l.includes('got=ada')), 'the answer on the screen');
}

describe.skipIf(gate.skip)('! runs held by the runner', () => {
	it('the terminal gone (tmux session killed) while the program waits: reopen, it runs, the answer reaches it', {timeout: 90_000}, async () => {
		const t = open();
		const screen = await bang(t);
		// The whole terminal, a PTY: the cockpit's alternate screen is gone and the size is the terminal's.
		expect(t.alternateOn()).toBe(false);
		expect(screen).toMatch(/cols=120 tty=\/dev\/pts\/\d+/);
		t.kill();
		term = undefined;
		await reopenAndAnswer();
	});

	it('kill -9 of the cockpit while the program waits: reopen, it runs, the answer reaches it', {timeout: 90_000}, async () => {
		const t = open();
		await bang(t);
		const cockpit = Number(execFileSync('pgrep', ['-P', String(t.panePid()), '-f', 'deploycockpit.cjs']).toString().trim().split('\n')[0]);
		process.kill(cockpit, 'SIGKILL');
		await t.waitFor('__COCKPIT_EXITED__', 'the cockpit is gone');
		t.kill();
		term = undefined;
		await reopenAndAnswer();
	});

	it('Ctrl-] detaches: the cockpit is back, the program goes on in its step; a wrong answer gives exit 9', {timeout: 90_000}, async () => {
		const t = open();
		await bang(t);
		t.send('C-]');
		await t.waitFor(s => s.includes('Bang checks') && s.includes('detached: the program goes on'), 'back in the cockpit');
		expect(t.alternateOn()).toBe(true);
		expect(step()?.status).toBe('running');
		// The pane shows the run's screen; i types into it.
		await t.waitFor(s => /cols=\d+ tty=\/dev\/pts/.test(s), 'the run\'s screen in the pane');
		t.send('i');
		await t.waitFor('typing into Ask on the whole screen', 'typing mode');
		t.send('bob', {literal: true});
		t.send('Enter');
		expect(await waitStep('failed')).toMatchObject({status: 'failed', exitCode: 9});
	});
});
