// Issue 13, the UI half, as component tests: code readable before it runs,
// confirmations gated on having been read, a done step asks before it runs
// again, the window clock, titles complete, one key rule for every overlay.
import {afterEach, describe, expect, it} from 'vitest';
import {MemorySession} from './memory-session.js';
import {fixtureChecklist, KEYS, renderCockpit, type Rendered} from './render-cockpit.js';
import {parseChecklist} from '../../source/checklist/parse.js';

let r: Rendered | undefined;
afterEach(() => {
	r?.unmount();
	r = undefined;
});

const idOf = (session: MemorySession, title: string) => session.checklist.steps.find(s => s.title.startsWith(title))!.id;

describe('rollback plan longer than the panel', () => {
	it('y is refused until the plan was scrolled to its end, then starts it', async () => {
		const session = new MemorySession(fixtureChecklist('trust.md'));
		r = await renderCockpit(session, {columns: 80, rows: 24});
		await r.press('R');
		await r.waitFor(f => f.includes('Rollback · Immediate Rollback'), 'panel');
		expect(r.frame()).not.toContain('undo part 27');
		await r.press('y');
		await r.waitFor(f => f.includes('read it all first'), 'refusal');
		expect(session.runs).toHaveLength(0);
		for (let i = 0; i < 4; i++) await r.press(KEYS.pageDown);
		await r.waitFor(f => f.includes('undo part 27'), 'end of the plan');
		await r.press('y');
		await r.waitFor(() => session.runs.length === 1, 'rollback started');
	});
});

describe('detail pane: the code scrolls, nothing is cut', () => {
	it('a pending 40-line block opens at its top, says exactly how many rows are below, and scrolls to its last line', async () => {
		const session = new MemorySession(fixtureChecklist('trust.md'));
		// Wide enough that no code line wraps, so rows and code lines are the same count.
		r = await renderCockpit(session, {columns: 200, rows: 30});
		await r.press('j');
		const frame = await r.waitFor(f => f.includes('block line 01'), 'top of the block');
		const shown = frame.split('\n').filter(l => /echo "block line \d\d/.test(l)).length;
		// 40 code rows + the block head; every row not on screen is counted.
		const below = Number(/↓(\d+) more/.exec(frame)?.[1]);
		expect(below).toBe(41 - 1 - shown);
		await r.press(KEYS.tab);
		expect(r.store.getState().pane).toBe('detail');
		await r.press('G');
		await r.waitFor(f => f.includes('block line 40 is the last line') && !f.includes('block line 01'), 'G: the end');
		await r.press('g');
		await r.waitFor(f => f.includes('block line 01'), 'g: the top');
		for (let i = 0; i < below; i++) await r.press('j');
		const end = await r.waitFor(f => f.includes('block line 40 is the last line'), 'last line');
		expect(end).not.toContain('more');
		// One more j does nothing odd: the position is clamped.
		await r.press('j');
		expect(r.frame()).toContain('block line 40 is the last line');
		await r.press('k');
		expect(r.frame()).toMatch(/↓1 more/);
	});
});

describe('window clock', () => {
	it('reads "not started" until the first run, then counts from it', async () => {
		const session = new MemorySession(fixtureChecklist('trust.md'));
		r = await renderCockpit(session, {columns: 100, rows: 30});
		expect(r.frame().split('\n')[0]).toContain('⏱ not started');
		expect(session.getState().windowStartedAt).toBeUndefined();
		await r.press(KEYS.enter);
		await r.waitFor(f => /⏱ 0:00:0\d/.test(f.split('\n')[0]!), 'clock running');
		expect(session.getState().windowStartedAt).toBeTruthy();
	});

	it('W starts it explicitly (remappable), once', async () => {
		const session = new MemorySession(fixtureChecklist('trust.md'));
		r = await renderCockpit(session, {columns: 100, rows: 30, keymap: {startWindow: 'ctrl+w'}});
		await r.press('W');
		expect(session.getState().windowStartedAt).toBeUndefined();
		await r.press('\x17');
		await r.waitFor(() => !!session.getState().windowStartedAt, 'started');
		const at = session.getState().windowStartedAt;
		await r.press('\x17');
		await r.waitFor(f => f.includes('the window started at'), 'already started');
		expect(session.getState().windowStartedAt).toBe(at);
	});
});

describe('keys', () => {
	it('a bad keymap entry is reported at start and the default binding stays', async () => {
		const session = new MemorySession(fixtureChecklist('trust.md'));
		r = await renderCockpit(session, {columns: 100, rows: 30, keymap: {down: 'ctrl+nn', nosuch: 'z'}});
		expect(r.frame()).toMatch(/keymap: "down": "ctrl\+nn" is not a key name; kept ↓ j/);
		const first = r.store.getState().selectedStepId;
		await r.press('j');
		expect(r.store.getState().selectedStepId).not.toBe(first);
	});

	it('the hint bar follows focus: Enter opens in the sections pane, runs in the steps pane', async () => {
		const session = new MemorySession(fixtureChecklist('trust.md'));
		r = await renderCockpit(session, {columns: 100, rows: 30});
		expect(r.frame()).toMatch(/Enter run/);
		await r.press(KEYS.shiftTab);
		await r.waitFor(f => /Enter open/.test(f), 'sections hints');
		await r.press('R');
		await r.waitFor(f => /y start the rollback/.test(f), 'rollback keys in the hint bar');
	});

	it('"already running" clears when the selection moves away', async () => {
		const session = new MemorySession(fixtureChecklist('trust.md'));
		r = await renderCockpit(session, {columns: 100, rows: 30});
		await r.press(KEYS.enter);
		await r.press(KEYS.enter);
		await r.waitFor(f => f.includes('already running'), 'flash');
		await r.press('j');
		await r.waitFor(f => !f.includes('already running'), 'flash cleared');
	});
});

describe('search', () => {
	it('/ remembers the last query, shows each match\'s section, and N repeats it', async () => {
		const session = new MemorySession(fixtureChecklist('trust.md'));
		r = await renderCockpit(session, {columns: 120, rows: 30});
		await r.press('/');
		for (const ch of 'feature flag') await r.press(ch);
		const found = await r.waitFor(f => f.includes('2 matches'), 'matches');
		expect(found).toMatch(/to 10% of traffic.*§ Rollout/);
		await r.press(KEYS.enter);
		expect(r.store.getState().selectedStepId).toBe(idOf(session, 'Update feature flag payments_edge_new_router to 10%'));
		await r.press('N');
		expect(r.store.getState().selectedStepId).toBe(idOf(session, 'Update feature flag payments_edge_new_router to 100%'));
		await r.press('N');
		expect(r.store.getState().selectedStepId).toBe(idOf(session, 'Update feature flag payments_edge_new_router to 10%'));
		// n is still "next pending".
		await r.press('n');
		expect(r.store.getState().selectedStepId).toBe(idOf(session, 'Update feature flag payments_edge_new_router to 100%'));
		await r.press('/');
		await r.waitFor(f => f.includes('/ feature flag') && f.includes('the last search'), 'last query shown');
		await r.press('w');
		await r.waitFor(f => f.includes('/ w') && !f.includes('/ feature flag'), 'first key replaces it');
	});
});

describe('output beyond the kept tail', () => {
	it('the pane says the log has more when the tail is at its limit', async () => {
		const session = new MemorySession(fixtureChecklist('trust.md'));
		r = await renderCockpit(session, {columns: 120, rows: 30});
		await r.press(KEYS.enter);
		const id = session.runs[0]!.stepId;
		session.output(id, Array.from({length: 2100}, (_, i) => `flood-${i}`).join('\n') + '\n');
		session.finish(id, 0);
		await r.waitFor(f => f.includes('flood-2099') && f.includes('more in the log (o)'), 'hint while following');
		await r.press(KEYS.tab);
		await r.press(KEYS.pageUp);
		await r.waitFor(f => !f.includes('flood-2099') && /↑\d+ back/.test(f), 'scrolled back');
	});
});

describe('confirmation pop-ups', () => {
	const long = parseChecklist(
		['# Cleanup', '', '## Old data', '', '- [ ] Remove the old exports', '  ```bash', ...Array.from({length: 30}, (_, i) => `  rm -rf /tmp/dc-old-export-${String(i + 1).padStart(2, '0')}`), '  ```', ''].join('\n'),
		'/tmp/cleanup.md',
	);

	it('a dangerous 30-line block: the step stays in view, y is refused until the end was shown, then it runs confirmed', async () => {
		const session = new MemorySession(long);
		r = await renderCockpit(session, {columns: 80, rows: 24});
		await r.press(KEYS.enter);
		const popup = await r.waitFor(f => f.includes('Dangerous command'), 'pop-up');
		expect(popup).toMatch(/›○ Remove the old exports/);
		expect(popup).not.toContain('dc-old-export-30');
		await r.press('y');
		await r.waitFor(f => f.includes('read it all first'), 'refused');
		expect(session.runs).toHaveLength(0);
		await r.press('G');
		await r.waitFor(f => f.includes('dc-old-export-30'), 'end shown');
		await r.press('g');
		await r.press('y');
		await r.waitFor(() => session.runs.length === 1, 'ran');
		expect(session.runs[0]!.options?.confirmed).toBe(true);
	});

	it('Esc, q and n abandon; ? shows the pop-up\'s keys without closing it', async () => {
		const session = new MemorySession(long);
		r = await renderCockpit(session, {columns: 80, rows: 24});
		for (const close of ['q', KEYS.escape, 'n']) {
			await r.press(KEYS.enter);
			await r.waitFor(f => f.includes('Dangerous command'), 'pop-up');
			await r.press('?');
			await r.waitFor(f => f.includes('Keys here') && f.includes('abandon the run'), 'keys');
			await r.press('?');
			await r.waitFor(f => f.includes('Dangerous command'), 'back');
			await r.press(close);
			await r.waitFor(() => r!.store.getState().overlay === null, `closed by ${JSON.stringify(close)}`);
			expect(r.store.getState().quitting).toBe(false);
		}
		expect(session.runs).toHaveLength(0);
	});
});
