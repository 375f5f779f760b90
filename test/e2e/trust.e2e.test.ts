// Issue 13 in a real terminal (tmux): every command readable before it runs,
// confirmations refused until their whole text was on screen, a done step
// asks before it runs again, the window clock waits for the work, the
// selected title is complete at every size, and one key rule for overlays.
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {EXIT_MARK, TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';

const gate = tmuxOrSkip();
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/ui/trust.md', import.meta.url));

const TITLES = [
	'Update feature flag payments_edge_new_router to 10% of traffic in region eu-west-1 now, ok',
	'Update feature flag payments_edge_new_router to 100% of traffic in region eu-west-1 now, k',
	'Phase 3: watch the error rate and latency dashboards for ten minutes before going on, end.',
];

let term: TmuxTerminal;
let stateDir: string;

function open(size: {width?: number; height?: number} = {}) {
	term = new TmuxTerminal();
	term.start(['node', join(root, 'bin/deploycockpit.cjs'), fixture], {
		...size,
		cwd: root,
		env: {DEPLOYCOCKPIT_STATE_DIR: stateDir, DEPLOYCOCKPIT_CONFIG_DIR: join(stateDir, 'config'), PAGER: 'cat'},
	});
}

const ready = () => term.waitFor(s => s.split('\n')[0]!.includes('Trust release'), 'first frame');
const selected = (screen: string) => screen.split('\n').find(l => /│›/.test(l) || /^›[○◐◓◑◒✓✗↷⊘!]/.test(l)) ?? '';
const pause = (ms = 150) => new Promise(r => setTimeout(r, ms));

/** Sends keys one at a time (a batch of keys is, rightly, treated as typed-ahead input). */
async function keys(...list: string[]) {
	for (const k of list) {
		term.send(k);
		await pause();
	}
}

/** Moves the selection with the find overlay. */
async function select(text: string) {
	await keys('/');
	await term.waitFor('Find a step', 'find overlay');
	term.send(text, {literal: true});
	await pause(300);
	await keys('Enter');
	await term.waitFor(s => selected(s).includes(text.slice(0, 12)), `selected ${text}`);
}

/**
 * The selected step's title as the steps pane shows it: the selected row and
 * its continuation rows, without glyphs, badge and duration.
 */
function selectedTitle(screen: string, wide: boolean): string {
	const lines = screen.split('\n');
	const at = lines.findIndex(l => l === selected(screen));
	const column = (l: string) => (wide ? (l.split('│')[1] ?? '') : l);
	const parts: string[] = [];
	for (let k = at; k < Math.min(lines.length, at + 5); k++) {
		let text = column(lines[k]!);
		if (k === at) text = text.replace(/^›\S\s/, '').replace(/\s+sh(\s+\S+)?\s*$/, '');
		else if (!/^\s{3,}\S/.test(text) || /^\s?[○◐✓✗↷⊘!]/.test(text)) break;
		parts.push(text.trim());
	}
	return parts.join(' ');
}

beforeEach(() => {
	stateDir = mkdtempSync(join(tmpdir(), 'dc-trust-'));
});
afterEach(() => {
	term?.kill();
	rmSync(stateDir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
});

describe.skipIf(gate.skip)('trust what you see (tmux)', {timeout: 180_000}, () => {
	it('a 40-line pending block is read to its end in the detail pane before it runs (80×24)', async () => {
		open({width: 80, height: 24});
		await ready();
		await select('Print forty');
		expect(term.capture()).not.toContain('block line 40');
		await keys('Tab');
		await term.waitFor(s => /▸ Print forty/.test(s), 'detail pane focused');
		let screen = term.capture();
		for (let i = 0; i < 20 && !screen.includes('block line 40 is the last line'); i++) {
			await keys('PageDown');
			screen = term.capture();
		}
		expect(screen).toContain('block line 40 is the last line');
		expect(screen).toContain('block line 39');
		// The code scrolled, nothing ran yet.
		expect(screen).toContain('○ pending');
		expect(screen).toContain('not started');
		await keys('Enter');
		await term.waitFor(s => selected(s).includes('✓') && s.includes('exit 0'), 'ran and done');
		await keys('q');
		await term.waitFor(EXIT_MARK + ' 0', 'exit');
	});

	it('a 30-line rollback plan: y is refused until scrolled to its end (80×24)', async () => {
		open({width: 80, height: 24});
		await ready();
		await keys('R');
		await term.waitFor('Rollback · Immediate Rollback', 'rollback panel');
		expect(term.capture()).not.toContain('undo part 27');
		await keys('y');
		await term.waitFor('read it all first', 'y refused with a reason');
		expect(term.capture()).not.toMatch(/running|step failed/);
		let screen = term.capture();
		for (let i = 0; i < 10 && !screen.includes('(end)'); i++) {
			await keys('PageDown');
			screen = term.capture();
		}
		expect(screen).toContain('undo part 27');
		await keys('y');
		await term.waitFor(/Rollback · .* · done · 1\/1/, 'rollback ran');
		await keys('Escape', 'q');
		await term.waitFor(EXIT_MARK + ' 0', 'exit');
	});

	it('Enter on a done step asks before running it again; n leaves it, y reruns it', async () => {
		open({width: 80, height: 24});
		await ready();
		await keys('Enter');
		await term.waitFor(s => selected(s).includes('✓'), 'first run done');
		await keys('Enter');
		const asked = await term.waitFor('run again?', 'rerun question');
		expect(asked).toMatch(/done \d\d:\d\d by \S+@\S+ \(exit 0\) — run again\?/);
		// The step stays in view above the pop-up.
		expect(selected(asked)).toContain('Say hello');
		await keys('n');
		await term.waitFor(s => !s.includes('run again?'), 'closed');
		const audit = (type = 'run-start') => readFileSync(join(stateDir, 'sessions', readdirSync(join(stateDir, 'sessions'))[0]!, 'audit.jsonl'), 'utf8').split('\n').filter(l => l.includes(`"${type}"`)).length;
		expect(audit()).toBe(1);
		await keys('Enter');
		await term.waitFor('run again?', 'asked again');
		await keys('y');
		await term.waitFor(() => audit() === 2 && audit('run-end') === 2, 'second run ended');
		await keys('q');
		await term.waitFor(EXIT_MARK + ' 0', 'exit');
	});

	it('the window clock reads "not started" after opening an old session where nothing ran', async () => {
		open({width: 100, height: 30});
		await ready();
		await keys('q');
		await term.waitFor(EXIT_MARK + ' 0', 'exit');
		term.kill();
		// What an older deploycockpit wrote: the window "started" when the file was opened, hours ago.
		const dir = join(stateDir, 'sessions', readdirSync(join(stateDir, 'sessions'))[0]!);
		const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
		const hoursAgo = new Date(Date.now() - 4 * 3_600_000).toISOString();
		state.createdAt = hoursAgo;
		state.windowStartedAt = hoursAgo;
		writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
		open({width: 100, height: 30});
		const screen = await ready();
		expect(screen.split('\n')[0]).toContain('⏱ not started');
		expect(screen).not.toContain('4:00:');
		// W starts it explicitly.
		await keys('W');
		await term.waitFor(s => /⏱ 0:00:0\d/.test(s.split('\n')[0]!), 'window clock running');
		await keys('q');
		await term.waitFor(EXIT_MARK + ' 0', 'exit');
	});

	for (const [width, height] of [
		[80, 24],
		[120, 36],
		[200, 50],
	] as const) {
		it(`the selected step's 90-character title is complete at ${width}×${height}`, async () => {
			open({width, height});
			await ready();
			await select('Update feature flag');
			for (const [k, title] of TITLES.entries()) {
				if (k > 0) await keys('j');
				// Waits for a settled frame (a capture can fall between two line rewrites); the
				// timeout's message shows the screen when the title is not complete.
				// Progress and the clock are never pushed out of the header.
				await term.waitFor(s => selectedTitle(s, width >= 100) === title && /0\/8 done +⏱ not started/.test(s.split('\n')[0]!), `title ${k + 1} complete`, 10_000);
			}
			await keys('q');
			await term.waitFor(EXIT_MARK + ' 0', 'exit');
		});
	}

	it('q, Esc and ? behave the same in every overlay; q never quits from one', async () => {
		open({width: 100, height: 30});
		await ready();
		// A done step (for the rerun question) and a running one (for the cancel question).
		await keys('Enter');
		await term.waitFor(s => selected(s).includes('✓'), 'done');
		const overlays: Array<{name: string; openKeys: string[]; shows: string; before?: () => Promise<void>}> = [
			{name: 'rollback', openKeys: ['R'], shows: 'Rollback · Immediate Rollback'},
			{name: 'flags', openKeys: ['F'], shows: 'Feature flags'},
			{name: 'rerun', openKeys: ['Enter'], shows: 'run again?'},
			{name: 'quit', openKeys: ['C-c'], shows: 'Quit the cockpit?'},
			{name: 'preflight', openKeys: ['Enter'], shows: 'Dangerous command', before: () => select('Remove the scratch')},
			{name: 'cancel', openKeys: ['x'], shows: 'Cancel the run', before: async () => {
				await select('Wait a while');
				await keys('Enter');
				await term.waitFor(s => selected(s).includes('◐') || /│›[◐◓◑◒]/.test(s) || /^›[◐◓◑◒]/m.test(s), 'running');
			}},
		];
		for (const o of overlays) {
			await o.before?.();
			for (const close of ['q', 'Escape']) {
				await keys(...o.openKeys);
				await term.waitFor(o.shows, `${o.name} open`);
				await keys('?');
				await term.waitFor('Keys here', `${o.name}: ? shows its keys`);
				await keys('?');
				await term.waitFor(s => !s.includes('Keys here') && s.includes(o.shows), `${o.name}: ? hides them again`);
				await keys(close);
				await term.waitFor(s => !s.includes(o.shows), `${o.name}: ${close} closes`);
				expect(term.capture(), `${o.name}: ${close} must not quit`).not.toContain(EXIT_MARK);
			}
		}
		// Help: ? opens, q and Esc close it; the find overlay types q (Esc closes it).
		for (const close of ['q', 'Escape', '?']) {
			await keys('?');
			await term.waitFor('remappable', 'help');
			await keys(close);
			await term.waitFor(s => !s.includes('remappable'), `help: ${close} closes`);
		}
		await keys('/');
		await term.waitFor('Find a step', 'find');
		await keys('q');
		await term.waitFor(/\/ q/, 'q is text in the find overlay');
		await keys('Escape');
		await term.waitFor(s => !s.includes('Find a step'), 'Esc closes find');
		expect(term.capture()).not.toContain(EXIT_MARK);
		await keys('x');
		await term.waitFor('Cancel the run', 'cancel');
		await keys('y');
		await term.waitFor(s => selected(s).includes('⊘'), 'cancelled');
		await keys('q');
		await term.waitFor(EXIT_MARK + ' 0', 'exit');
	});
});
