// The cockpit in a real terminal (tmux): open, run, output, cancel, quit,
// reopen with everything back, runs that outlive the cockpit, resize, and
// the terminal restored on q and on SIGTERM.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {EXIT_MARK, TmuxTerminal, alive, tmuxOrSkip} from '../helpers/tmux.js';

const gate = tmuxOrSkip();
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/ui/e2e.md', import.meta.url));

let term: TmuxTerminal;
let second: TmuxTerminal | undefined;
let stateDir: string;

function open(size: {width?: number; height?: number} = {}) {
	term = start(size);
}

function start(size: {width?: number; height?: number} = {}): TmuxTerminal {
	const t = new TmuxTerminal();
	t.start(['node', join(root, 'bin/deploycockpit.cjs'), fixture], {
		...size,
		cwd: root,
		env: {DEPLOYCOCKPIT_STATE_DIR: stateDir, DEPLOYCOCKPIT_CONFIG_DIR: join(stateDir, 'config'), PAGER: 'cat'},
	});
	return t;
}

function cockpitPid(): number {
	const shellPid = term.panePid();
	return Number(execFileSync('pgrep', ['-P', String(shellPid), '-f', 'deploycockpit'], {encoding: 'utf8'}).trim().split('\n')[0]);
}

const selected = (screen: string) => screen.split('\n').find(l => /│›/.test(l) || /^›[○◐◓◑◒✓✗↷⊘!]/.test(l)) ?? '';

beforeEach(() => {
	stateDir = mkdtempSync(join(tmpdir(), 'dc-e2e-'));
});
afterEach(() => {
	term?.kill();
	second?.kill();
	second = undefined;
	rmSync(stateDir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
});

describe.skipIf(gate.skip)('cockpit in a real terminal', {timeout: 180_000}, () => {
	it('open → run → output → cancel a long step → quit → reopen: statuses and output are back', async () => {
		open();
		await term.waitFor('Terminal test release', 'first frame');
		expect(term.alternateOn()).toBe(true);
		expect(selected(term.capture())).toContain('Say hello');
		term.send('Enter');
		await term.waitFor('hello from the cockpit', 'output of the first step');
		await term.waitFor(s => selected(s).includes('✓'), 'done glyph');

		term.send('j');
		await term.waitFor(s => selected(s).includes('Count slowly'), 'second step selected');
		term.send('Enter');
		await term.waitFor(/tick \d+/, 'live output');
		term.send('x');
		await term.waitFor('Cancel the run', 'cancel confirmation');
		term.send('y');
		await term.waitFor(s => selected(s).includes('⊘'), 'cancelled glyph');

		term.send('q');
		await term.waitFor(EXIT_MARK + ' 0', 'clean exit');
		expect(term.alternateOn()).toBe(false);
		term.kill();

		open();
		const screen = await term.waitFor('Terminal test release', 'reopened');
		// The cursor came back on the step we left, with its status and output.
		expect(selected(screen)).toContain('Count slowly');
		expect(selected(screen)).toContain('⊘');
		await term.waitFor(/tick \d+/, 'output restored');
		term.send('k');
		await term.waitFor('hello from the cockpit', 'first step output restored');
		expect(selected(term.capture())).toContain('✓');
		term.send('q');
		await term.waitFor(EXIT_MARK + ' 0', 'exit');
	});

	it('a run outlives the cockpit: quit asks, the reopened cockpit reattaches and can cancel it', async () => {
		open();
		await term.waitFor('Terminal test release', 'first frame');
		term.send('j');
		await term.waitFor(s => selected(s).includes('Count slowly'), 'selected');
		term.send('Enter');
		await term.waitFor(/tick \d+/, 'running');
		term.send('q');
		await term.waitFor('still running', 'quit confirmation');
		term.send('y');
		await term.waitFor(EXIT_MARK, 'exit');
		term.kill();

		open();
		await term.waitFor('Terminal test release', 'reopened');
		const first = await term.waitFor(/tick (\d+)/, 'reattached output');
		const tickOf = (s: string) => Math.max(...[...s.matchAll(/tick (\d+)/g)].map(m => Number(m[1])));
		const before = tickOf(first);
		await term.waitFor(s => /tick \d+/.test(s) && tickOf(s) > before, 'output keeps coming');
		term.send('x');
		await term.waitFor('Cancel the run', 'cancel confirmation');
		term.send('y');
		await term.waitFor(s => selected(s).includes('⊘'), 'cancelled after reattach');
		term.send('q');
		await term.waitFor(EXIT_MARK + ' 0', 'exit');
	});

	it('! hands the real terminal to the command, then redraws the cockpit and records the exit code', async () => {
		open();
		await term.waitFor('Terminal test release', 'first frame');
		term.send('!');
		const handed = await term.waitFor('press Enter to return', 'command on the real terminal');
		expect(handed).toContain('hello from the cockpit');
		expect(term.alternateOn()).toBe(false);
		term.send('Enter');
		const back = await term.waitFor(s => s.split('\n')[0]!.includes('Terminal test release') && s.includes('exit code 0'), 'cockpit redrawn');
		expect(term.alternateOn()).toBe(true);
		expect(back).not.toContain('press Enter to return');
		expect(selected(back)).toContain('✓');
		term.send('q');
		await term.waitFor(EXIT_MARK + ' 0', 'exit');
	});

	it('a second cockpit on the same session follows read-only and updates live', async () => {
		open();
		await term.waitFor('Terminal test release', 'writer');
		second = start();
		const follower = await second.waitFor('read-only: followed', 'follower header');
		expect(selected(follower)).toContain('Say hello');
		second.send('Enter');
		await second.waitFor('read-only: another cockpit', 'follower refuses to run');
		term.send('Enter');
		await term.waitFor('hello from the cockpit', 'writer output');
		await second.waitFor(s => s.includes('hello from the cockpit') && selected(s).includes('✓'), 'follower sees the run');
		second.send('q');
		await second.waitFor(EXIT_MARK + ' 0', 'follower exits');
		term.send('q');
		await term.waitFor(EXIT_MARK + ' 0', 'writer exits');
	});

	it('follows resizes: stacked panes at 80×24, three columns again when wide', async () => {
		open({width: 140, height: 40});
		await term.waitFor('Sections', 'wide layout');
		term.resize(80, 24);
		const narrow = await term.waitFor(s => !s.includes('Sections') && s.includes('Say hello'), 'narrow layout');
		const lines = narrow.split('\n');
		expect(lines.findIndex(l => l.includes('Terminal test release'))).toBe(0);
		term.resize(140, 40);
		await term.waitFor(s => s.includes('Sections') && s.split('\n')[0]!.includes('Terminal test release'), 'wide again');
		term.send('q');
		await term.waitFor(EXIT_MARK + ' 0', 'exit');
	});

	it('exits when the terminal hangs up, even while a step floods output', async () => {
		open();
		await term.waitFor('Terminal test release', 'first frame');
		term.send('j');
		await term.waitFor(s => selected(s).includes('Count slowly'), 'selected');
		term.send('Enter');
		await term.waitFor(/tick \d+/, 'running');
		const pid = cockpitPid();
		term.kill();
		const deadline = Date.now() + 10_000;
		while (Date.now() < deadline && alive(pid)) await new Promise(r => setTimeout(r, 100));
		expect(alive(pid)).toBe(false);
	});

	it('restores the terminal on SIGTERM; SIGINT only asks', async () => {
		open();
		await term.waitFor('Terminal test release', 'first frame');
		term.send('C-c');
		await term.waitFor('Quit the cockpit?', 'Ctrl-C asks');
		term.send('Escape');
		await term.waitFor(s => !s.includes('Quit the cockpit?'), 'dialog closed');
		const pid = cockpitPid();
		process.kill(Number(pid), 'SIGINT');
		await term.waitFor('Quit the cockpit?', 'SIGINT asks');
		expect(term.alternateOn()).toBe(true);
		process.kill(Number(pid), 'SIGTERM');
		await term.waitFor(EXIT_MARK, 'exit on SIGTERM');
		expect(term.alternateOn()).toBe(false);
	});
});
