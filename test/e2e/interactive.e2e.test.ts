// The `!` key and failing blocks in a real terminal (tmux): Ctrl-C reaches
// only the command, which ends cancelled, with no "Quit?" prompt waiting on
// return and a clean shell after quitting; the command's output is in the
// run's log too. A block with a failing cd stops there and ends failed with
// the checklist's line.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {EXIT_MARK, TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';

const gate = tmuxOrSkip();
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/ui/interactive.md', import.meta.url));
const bin = join(root, 'bin/deploycockpit.cjs');

let term: TmuxTerminal;
let stateDir: string;

function open(env: Record<string, string> = {}): void {
	term = new TmuxTerminal();
	term.start(['node', bin, fixture], {width: 120, height: 36, cwd: root, env: {DEPLOYCOCKPIT_STATE_DIR: stateDir, DEPLOYCOCKPIT_CONFIG_DIR: join(stateDir, 'config'), ...env}});
}

function status(): {steps: Array<{id: string; status: string; exitCode: number | null; failedLine?: number; failedCommand?: string}>} {
	return JSON.parse(execFileSync(process.execPath, [bin, 'status', fixture, '--json'], {env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir}, encoding: 'utf8'}));
}

const selected = (screen: string) => screen.split('\n').find(l => /│›/.test(l) || /^›[○◐◓◑◒✓✗↷⊘!]/.test(l)) ?? '';

beforeEach(() => {
	stateDir = mkdtempSync(join(tmpdir(), 'dc-e2e-bang-'));
});
afterEach(() => {
	term?.kill();
	rmSync(stateDir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
});

describe.skipIf(gate.skip)('! and failures in a real terminal', {timeout: 120_000}, () => {
	// With node-pty the command runs on its runner's PTY (the terminal attached); without it (forced here) under util-linux `script`.
	it.each<{way: string; env: Record<string, string>; newline: string}>([
		{way: 'on the runner PTY', env: {}, newline: '\r\n'},
		{way: 'through script (no node-pty)', env: {DEPLOYCOCKPIT_NO_PTY: '1'}, newline: '\n'},
	])('Ctrl-C in ! ends the command as cancelled, with no prompt waiting; the output is logged; quitting leaves a clean shell ($way)', async ({env, newline}) => {
		open(env);
		await term.waitFor('Interactive and failure checks', 'first frame');
		term.send('!');
		const handed = await term.waitFor('tick 3', 'the command on the terminal');
		expect(term.alternateOn()).toBe(false);
		// The screen was cleared first: nothing of the cockpit is left above the command.
		expect(handed).not.toContain('Count in the terminal');
		// The command has a terminal of its own (a PTY), so prompts and full-screen programs work.
		expect(handed).toMatch(/counting with a terminal: \/dev\/pts\/\d+/);
		term.send('C-c');
		const after = await term.waitFor('press Enter to return', 'the command ended');
		// The command is over: no tick is printed any more.
		const lastTick = (screen: string) => [...screen.matchAll(/tick (\d+)/g)].at(-1)?.[1];
		await new Promise(resolve => setTimeout(resolve, 400));
		expect(lastTick(term.capture())).toBe(lastTick(after));
		term.send('Enter');
		const back = await term.waitFor(s => s.includes('(cancelled)') && selected(s).includes('⊘'), 'cockpit back, step cancelled');
		// Ctrl-C reached only the command: the cockpit asks nothing.
		expect(back).not.toContain('Quit the cockpit?');
		expect(term.alternateOn()).toBe(true);
		const step = status().steps.find(s => s.id === 'terminal/count-in-the-terminal')!;
		expect(step.status).toBe('cancelled');
		const [session] = execFileSync('ls', [join(stateDir, 'sessions')], {encoding: 'utf8'}).trim().split('\n');
		const runs = join(stateDir, 'sessions', session!, 'runs');
		const logs = execFileSync('ls', [runs], {encoding: 'utf8'}).trim().split('\n').filter(n => n.endsWith('.log'));
		const log = logs.map(n => readFileSync(join(runs, n), 'utf8')).join('');
		expect(log).toContain(`tick 1${newline}`);
		expect(log).toContain(`tick 3${newline}`);
		// The runner keeps a PTY's bytes (a screen can be replayed); script's copy is plain lines.
		if (newline === '\n') expect(log).not.toContain('\r\n');

		term.send('q');
		const final = await term.waitFor(EXIT_MARK + ' 0', 'clean exit');
		expect(final).not.toContain('press Enter to return');
		expect(final).not.toContain('tick 3');
		expect(term.alternateOn()).toBe(false);
	});

	it('a block with a failing cd stops there and ends failed with the checklist line', async () => {
		const line = readFileSync(fixture, 'utf8').split('\n').findIndex(l => l.includes('cd /srv/dc-e2e-missing-dir')) + 1;
		open();
		await term.waitFor('Interactive and failure checks', 'first frame');
		term.send('j');
		await term.waitFor(s => selected(s).includes('Stops at a bad cd'), 'second step selected');
		term.send('Enter');
		const screen = await term.waitFor(s => selected(s).includes('✗') && s.includes(`stopped at checklist line ${line}`), 'failed with the line');
		// The detail pane's status line names it (cut at the pane's edge at this width).
		expect(screen).toContain(`✗ failed · exit 1 · line ${line}: cd /srv/dc-e2e`);
		expect(screen).toContain(`interactive.md: line ${line}: cd: /srv/dc-e2e`);
		expect(screen).toContain('before the cd');
		expect(screen.split('─ output')[1]).not.toContain('never printed');
		expect(status().steps.find(s => s.id === 'terminal/stops-at-a-bad-cd')).toMatchObject({status: 'failed', exitCode: 1, failedLine: line, failedCommand: 'cd /srv/dc-e2e-missing-dir'});
		term.send('q');
		await term.waitFor(EXIT_MARK + ' 0', 'clean exit');
	});
});
