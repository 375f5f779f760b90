// Issue 10 in a real terminal (tmux): shell steps run on a PTY and the
// detail pane shows their screen. A step sees a terminal; a prompt is
// answered with i, y, Enter, Ctrl-]; a \r progress bar ends as one line; a
// coloured line keeps its colour; tput cup output lands where it should; a
// resize reaches the program; the leave chord gives the keys back; a kill -9
// of the cockpit while a step waits for input, then reopen, i, answer: it
// finishes; a secret typed into read -s reaches no file.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';

const gate = tmuxOrSkip();
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/deploycockpit.cjs');
const fence = '```';

const CHECKLIST = `# Terminal pane checks

## Steps

- [ ] Has a terminal
  ${fence}bash
  if [ -t 0 ] && [ -t 1 ]; then echo "stdout is a terminal ($TERM)"; else echo "no terminal"; fi
  printf '\\033[31mred alert line\\033[0m\\n'
  for i in 1 2 3 4 5; do printf '\\rprogress %d/5' "$i"; sleep 0.05; done; echo
  ${fence}
- [ ] Ask to continue
  ${fence}bash
  read -p "Continue? [y/N] " a
  echo "answer=$a"
  ${fence}
- [ ] Place with tput
  ${fence}bash
  echo "first line"
  echo; echo; echo
  tput cup 3 12; echo "at-row-3-col-12"
  ${fence}
- [ ] Columns
  ${fence}bash
  echo "cols before=$(tput cols)"
  read -r go
  echo "cols after=$(tput cols)"
  ${fence}
- [ ] Secret
  ${fence}bash
  read -r -s -p "Enter it: " key
  echo
  echo "typed \${#key} chars"
  ${fence}
`;

let term: TmuxTerminal;
let dir: string;
let file: string;
let stateDir: string;

function open(): void {
	term = new TmuxTerminal();
	term.start(['node', bin, file], {width: 140, height: 40, cwd: dir, env: {DEPLOYCOCKPIT_STATE_DIR: stateDir, DEPLOYCOCKPIT_CONFIG_DIR: join(stateDir, 'config')}});
}

function status(): {steps: Array<{id: string; status: string; exitCode: number | null}>} {
	return JSON.parse(execFileSync(process.execPath, [bin, 'status', file, '--json'], {env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir}, encoding: 'utf8'}));
}

const stepStatus = (id: string) => status().steps.find(s => s.id === id)?.status;
/** The detail pane's column of the screen (right of the second separator). */
const detail = (screen: string) =>
	screen
		.split('\n')
		.map(l => l.split('│').slice(2).join('│'))
		.join('\n');

const TITLES = ['Has a terminal', 'Ask to continue', 'Place with tput', 'Columns', 'Secret'];

async function selectStep(n: number): Promise<void> {
	term.send('g');
	for (let i = 0; i < n; i++) term.send('j');
	await term.waitFor(s => s.split('\n').some(l => l.includes('›') && l.includes(TITLES[n]!)), `step ${TITLES[n]} selected`);
	// Enter must arrive on its own (a key batched with others is refused as a possible paste).
	await new Promise(r => setTimeout(r, 400));
}

/**
 * Enter on the selected step until its run starts: on a loaded machine an Enter can arrive batched with
 * the keys before it and is then refused (as a possible paste), and a person presses it again.
 */
async function runSelected(): Promise<void> {
	for (let attempt = 0; attempt < 4; attempt++) {
		term.send('Enter');
		try {
			await term.waitFor(s => /│[◐◓◑◒✓✗] (running|done|failed)/.test(s), 'the run started', 4000);
			return;
		} catch {
			// refused: press it again
		}
	}
	throw new Error('the step never started');
}

/** A line of the run's output (the code above it shows the same words after `read -p`). */
const outputLine = (start: string) => (screen: string) => detail(screen).split('\n').some(l => l.startsWith(start));

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'dc-e2e-pty-'));
	file = join(dir, 'terminal.md');
	writeFileSync(file, CHECKLIST);
	stateDir = join(dir, 'state');
});
afterEach(() => {
	term?.kill();
	stopRunners(stateDir);
	rmSync(dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
});

/** Runs left waiting for input outlive the cockpit by design: end them (their runner and process group). */
function stopRunners(state: string): void {
	const sessions = join(state, 'sessions');
	if (!existsSync(sessions)) return;
	for (const session of readdirSync(sessions)) {
		const runs = join(sessions, session, 'runs');
		if (!existsSync(runs)) continue;
		for (const name of readdirSync(runs).filter(f => f.endsWith('.pid.json'))) {
			if (existsSync(join(runs, name.replace('.pid.json', '.exit.json')))) continue;
			const pid = JSON.parse(readFileSync(join(runs, name), 'utf8')) as {runner: {pid: number}; pgid: number};
			for (const target of [-pid.pgid, pid.runner.pid]) {
				try {
					process.kill(target, 'SIGKILL');
				} catch {
					// already gone
				}
			}
		}
	}
}

describe.skipIf(gate.skip)('the detail pane is a terminal', {timeout: 120_000}, () => {
	it('a step sees a terminal; a \\r progress bar ends as one line; a coloured line keeps its colour', async () => {
		open();
		await term.waitFor('Terminal pane checks', 'first frame');
		await selectStep(0);
		await runSelected();
		const screen = await term.waitFor(s => s.includes('progress 5/5') && /✓ done/.test(s), 'the step done');
		expect(detail(screen)).toContain('stdout is a terminal (xterm-256color)');
		// One line holds the progress bar, at its last state.
		expect(detail(screen).split('\n').filter(l => l.startsWith('progress'))).toEqual([expect.stringMatching(/^progress 5\/5\s*$/)]);
		// The output line, not the code line that prints it.
		const styled = term.captureStyled().split('\n').find(l => l.includes('red alert line') && !l.includes('printf'))!;
		expect(styled).toMatch(/\x1b\[31mred alert line/);
	});

	it('a prompt is answered with i, y, Enter, Ctrl-]; the leave chord gives the keys back', async () => {
		open();
		await term.waitFor('Terminal pane checks', 'first frame');
		await selectStep(1);
		await runSelected();
		await term.waitFor(outputLine('Continue? [y/N]'), 'the prompt');
		term.send('i');
		const focused = await term.waitFor('typing into Ask to continue — Ctrl-] to leave', 'typing mode');
		expect(focused).toContain('every other key goes to the program');
		term.send('y');
		await term.waitFor(outputLine('Continue? [y/N] y'), 'the echo');
		term.send('Enter');
		await term.waitFor(outputLine('answer=y'), 'the answer');
		term.send('C-]');
		expect(await waitStatus('steps/ask-to-continue', 'done')).toBe('done');
		// Keys are the cockpit's again: j moves the selection.
		term.send('j');
		await term.waitFor(s => /›.*Place with tput/.test(s), 'j moves the selection');
		const audit = readFileSync(join(sessionDir(), 'audit.jsonl'), 'utf8');
		expect(audit).toMatch(/"type":"input".*"bytes":2/);
	});

	it('the leave chord leaves typing mode while the program still runs', async () => {
		open();
		await term.waitFor('Terminal pane checks', 'first frame');
		await selectStep(1);
		await runSelected();
		await term.waitFor(outputLine('Continue? [y/N]'), 'the prompt');
		term.send('i');
		await term.waitFor('typing into Ask to continue', 'typing mode');
		term.send('C-]');
		await term.waitFor(s => !s.includes('typing into'), 'typing mode left');
		term.send('j');
		await term.waitFor(s => /›.*Place with tput/.test(s), 'j moves the selection, not typed into the program');
		expect(stepStatus('steps/ask-to-continue')).toBe('running');
		term.send('k');
		await term.waitFor(s => /›.*Ask to continue/.test(s), 'back on the step');
		term.send('i');
		await term.waitFor('typing into Ask to continue', 'typing mode again');
		term.send('n');
		term.send('Enter');
		expect(await waitStatus('steps/ask-to-continue', 'done')).toBe('done');
		await term.waitFor(outputLine('answer=n'), 'the answer');
	});

	it('tput cup output lands where it should', async () => {
		open();
		await term.waitFor('Terminal pane checks', 'first frame');
		await selectStep(2);
		await runSelected();
		// The code line also holds the text: wait for the output line itself (under load the screen is
		// drawn a little after the step is done).
		const screen = await term.waitFor(s => /✓ done/.test(s) && detail(s).split('\n').some(l => /^ {12}at-row-3-col-12/.test(l)), 'the step done and drawn');
		const lines = detail(screen).split('\n');
		const first = lines.findIndex(l => l.startsWith('first line'));
		expect(first).toBeGreaterThan(0);
		expect(lines[first + 3]).toMatch(/^ {12}at-row-3-col-12/);
	});

	it('a resize of the terminal reaches the program (tput cols before and after)', async () => {
		open();
		await term.waitFor('Terminal pane checks', 'first frame');
		await selectStep(3);
		await runSelected();
		const before = Number(detail(await term.waitFor(outputLine('cols before='), 'cols before')).match(/^cols before=(\d+)/m)![1]);
		term.resize(180, 40);
		await new Promise(r => setTimeout(r, 800));
		term.send('i');
		await term.waitFor('typing into Columns', 'typing mode');
		term.send('Enter');
		const after = Number(detail(await term.waitFor(outputLine('cols after='), 'cols after')).match(/^cols after=(\d+)/m)![1]);
		expect(after).toBeGreaterThan(before + 20);
	});

	// Two cockpit starts, a kill and a replay: more than the default 30 s on a loaded two-core machine.
	it('kill -9 of the cockpit while a step waits for input: reopen, i, type the answer, it finishes', {timeout: 60_000}, async () => {
		open();
		await term.waitFor('Terminal pane checks', 'first frame');
		await selectStep(1);
		await runSelected();
		await term.waitFor(outputLine('Continue? [y/N]'), 'the prompt');
		const cockpit = Number(execFileSync('pgrep', ['-P', String(term.panePid()), '-f', 'deploycockpit.cjs']).toString().trim().split('\n')[0]);
		process.kill(cockpit, 'SIGKILL');
		await term.waitFor('__COCKPIT_EXITED__', 'the cockpit is gone');
		term.kill();
		expect(stepStatus('steps/ask-to-continue')).toBe('running');
		open();
		await term.waitFor('Terminal pane checks', 'the cockpit again');
		await selectStep(1);
		await term.waitFor(outputLine('Continue? [y/N]'), 'the prompt replayed from the log');
		term.send('i');
		await term.waitFor('typing into Ask to continue', 'typing mode');
		term.send('yes-later', {literal: true});
		term.send('Enter');
		expect(await waitStatus('steps/ask-to-continue', 'done')).toBe('done');
		await term.waitFor(outputLine('answer=yes-later'), 'the answer on screen');
	});

	it('a secret typed into read -s never reaches the log, the state, the audit log or the report', async () => {
		const secret = 'Kv9-typed-pass-31';
		open();
		await term.waitFor('Terminal pane checks', 'first frame');
		await selectStep(4);
		await runSelected();
		await term.waitFor(outputLine('Enter it:'), 'the prompt');
		term.send('i');
		await term.waitFor('typing into Secret', 'typing mode');
		term.send(secret, {literal: true});
		term.send('Enter');
		expect(await waitStatus('steps/secret', 'done')).toBe('done');
		await term.waitFor(outputLine(`typed ${secret.length} chars`), 'the program got it');
		const session = sessionDir();
		const report = execFileSync(process.execPath, [bin, 'report', file], {env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir}, encoding: 'utf8'});
		const files = [readFileSync(join(session, 'state.json'), 'utf8'), readFileSync(join(session, 'audit.jsonl'), 'utf8'), report];
		for (const log of readdirSync(join(session, 'runs')).filter(f => f.endsWith('.log'))) files.push(readFileSync(join(session, 'runs', log), 'utf8'));
		for (const text of files) expect(text).not.toContain(secret);
		expect(term.capture()).not.toContain(secret);
	});
});

describe.skipIf(gate.skip)('headless run with a terminal', {timeout: 60_000}, () => {
	it('run --step forwards the terminal\'s keys to the program and restores the terminal', async () => {
		term = new TmuxTerminal();
		term.start(['bash', '-c', `node ${bin} run ${file} --step steps/ask-to-continue --yes; echo "stty: $(stty -a | grep -o -- '-\\?icanon' | head -1)"`], {width: 100, height: 20, cwd: dir, env: {DEPLOYCOCKPIT_STATE_DIR: stateDir}});
		await term.waitFor('Continue? [y/N]', 'the prompt on the terminal');
		term.send('y');
		term.send('Enter');
		const screen = await term.waitFor('__COCKPIT_EXITED__', 'run ended');
		expect(screen).toContain('answer=y');
		expect(screen).toMatch(/__COCKPIT_EXITED__ 0/);
		// Raw mode was undone: the shell's terminal is canonical again.
		expect(screen).toMatch(/stty: icanon/);
	});

	it('run with stdin not a terminal behaves as before (no terminal for the step)', () => {
		const out = execFileSync(process.execPath, [bin, 'run', file, '--step', 'steps/has-a-terminal'], {env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir}, cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
		expect(out).toContain('no terminal');
	});
});

function sessionDir(): string {
	const sessions = join(stateDir, 'sessions');
	return join(sessions, readdirSync(sessions)[0]!);
}

async function waitStatus(id: string, want: string, timeoutMs = 20_000): Promise<string | undefined> {
	const end = Date.now() + timeoutMs;
	let got: string | undefined;
	while (Date.now() < end) {
		got = stepStatus(id);
		if (got === want) return got;
		await new Promise(r => setTimeout(r, 200));
	}
	return got;
}
