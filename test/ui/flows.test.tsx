import {afterEach, describe, expect, it} from 'vitest';
import {MemorySession} from './memory-session.js';
import {fixtureChecklist, KEYS, renderCockpit, type Rendered} from './render-cockpit.js';
import {PASTE_END, PASTE_START} from '../../source/ui/input/parse-keys.js';

let r: Rendered | undefined;
afterEach(() => {
	r?.unmount();
	r = undefined;
});

const stepId = (session: MemorySession, title: string) => {
	const step = session.checklist.steps.find(s => s.title.startsWith(title));
	if (!step) throw new Error(`no step ${title}`);
	return step.id;
};
/** Selects a step with the find overlay, like a user would. */
async function findStep(r: Rendered, text: string) {
	await r.press('/');
	for (const ch of text) await r.press(ch);
	await r.press(KEYS.enter);
	await r.waitFor(f => selectedLine(f).includes(text), `selected ${text}`);
}

/** The line holding the selection cursor in the steps pane. */
const selectedLine = (frame: string) => frame.split('\n').find(l => /│›/.test(l) || /^›[○◐✓✗↷⊘!]/.test(l)) ?? '';

describe('navigation', () => {
	it('starts on the first pending step and moves with j/k, arrows, g/G and n', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		expect(selectedLine(r.frame())).toContain('Announce the release');
		await r.press('j');
		expect(selectedLine(r.frame())).toContain('Check the disk');
		await r.press(KEYS.down);
		expect(selectedLine(r.frame())).toContain('Print the build number');
		await r.press('k');
		expect(selectedLine(r.frame())).toContain('Check the disk');
		await r.press('G');
		expect(r.store.getState().selectedStepId).toBe(stepId(session, 'Archive old widgets'));
		expect(selectedLine(r.frame())).toContain('Archive old widgets');
		await r.press('g');
		expect(selectedLine(r.frame())).toContain('Announce the release');
	});

	it('handles coalesced input key by key', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('jjj');
		expect(r.store.getState().selectedStepId).toBe(stepId(session, 'Tail the release log'));
		expect(selectedLine(r.frame())).toContain('Tail the release log');
		// The steps pane follows into the next section.
		expect(r.frame()).toContain('Steps · Release');
	});

	it('resumes on the saved cursor, else on the first pending step', async () => {
		const checklist = fixtureChecklist('basic.md');
		const done = {status: 'done' as const, exitCode: 0};
		const first = new MemorySession(checklist, false, {steps: {[checklist.steps[0]!.id]: done, [checklist.steps[1]!.id]: done}});
		r = await renderCockpit(first);
		expect(selectedLine(r.frame())).toContain('Print the build number');
		r.unmount();
		const saved = new MemorySession(checklist, false, {cursor: {stepId: checklist.steps[4]!.id}});
		r = await renderCockpit(saved);
		expect(selectedLine(r.frame())).toContain('Restart the workers');
	});

	it('Tab and Shift-Tab move the focus between panes; j in the sections pane jumps sections', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		expect(r.frame()).toContain('▸ Steps');
		await r.press(KEYS.shiftTab);
		expect(r.frame()).toContain('▸ Sections');
		await r.press('j');
		expect(r.frame()).toContain('Steps · Release');
		expect(r.store.getState().selectedStepId).toBe(stepId(session, 'Tail the release log'));
		await r.press(KEYS.tab + KEYS.tab);
		expect(r.store.getState().pane).toBe('detail');
	});

	it('shows section progress and the rollback mark', async () => {
		const checklist = fixtureChecklist('basic.md');
		const session = new MemorySession(checklist, false, {steps: {[checklist.steps[0]!.id]: {status: 'done', exitCode: null}}});
		r = await renderCockpit(session);
		const prep = r.frame().split('\n').find(l => l.includes('Preparation') && l.includes('/3'));
		expect(prep).toContain('1/3');
		const rollback = r.frame().split('\n').find(l => l.includes('Rollback plan'));
		expect(rollback).toContain('⟲');
	});

	it('applies keymap overrides from the user config', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session, {keymap: {down: ['J']}});
		await r.press('j');
		expect(selectedLine(r.frame())).toContain('Announce the release');
		await r.press('J');
		expect(selectedLine(r.frame())).toContain('Check the disk');
	});
});

describe('running', () => {
	it('Enter runs the selected step and its output appears live, then the exit code', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('jj');
		await r.press(KEYS.enter);
		const id = stepId(session, 'Print the build number');
		expect(session.runs.map(x => x.stepId)).toEqual([id]);
		await r.waitFor(f => f.includes('running'), 'running status');
		session.output(id, 'build 42\n\x1b[31mred text\x1b[0m\n');
		await r.waitFor(f => f.includes('build 42') && f.includes('red text'), 'output');
		// Colours from the command are kept.
		expect(r.stdout.frames.at(-1)).toContain('\x1b[31m');
		session.finish(id, 0);
		await r.waitFor(f => f.includes('exit 0'), 'exit code');
		expect(selectedLine(r.frame())).toContain('✓');
	});

	it('refuses an Enter that arrived together with other input', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('jj\r');
		expect(session.runs).toHaveLength(0);
		expect(r.frame()).toContain('press it again on its own');
	});

	it('pasted text never triggers commands', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press(`${PASTE_START}jj\rq${PASTE_END}`);
		expect(session.runs).toHaveLength(0);
		expect(r.store.getState().quitting).toBe(false);
		expect(r.store.getState().selectedStepId).toBe(session.checklist.steps[0]!.id);
		expect(r.frame()).toContain('pasted text ignored');
	});

	it('asks for placeholder values before running and passes them as vars', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await findStep(r, 'Restart the workers');
		await r.press(KEYS.enter);
		await r.waitFor(f => f.includes('<host>'), 'preflight');
		await r.press(KEYS.enter);
		expect(session.runs).toHaveLength(0);
		for (const ch of 'web-7') await r.press(ch);
		expect(r.frame()).toContain('web-7');
		await r.press(KEYS.enter);
		expect(session.runs).toEqual([{stepId: stepId(session, 'Restart the workers'), options: expect.objectContaining({vars: {host: 'web-7'}})}]);
	});

	it('a dangerous command shows the exact command and needs y; Enter does not run it', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await findStep(r, 'Clean the scratch');
		await r.press(KEYS.enter);
		await r.waitFor(f => f.includes('rm -rf /tmp/widget-scratch'), 'danger overlay');
		await r.press(KEYS.enter);
		expect(session.runs).toHaveLength(0);
		await r.press('yy');
		expect(session.runs).toHaveLength(0);
		await r.press('y');
		expect(session.runs).toHaveLength(1);
		expect(session.runs[0]!.options?.confirmed).toBe(true);
	});

	it('a sql write needs y and runs confirmed; a read runs at once', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await findStep(r, 'Count the widgets');
		await r.press(KEYS.enter);
		expect(session.runs).toHaveLength(1);
		expect(session.runs[0]!.options?.confirmed).toBe(false);
		await r.press('j');
		await r.press(KEYS.enter);
		await r.waitFor(f => f.includes('Writes need a confirmation'), 'write confirmation');
		expect(r.frame()).toContain('UPDATE widgets SET archived');
		expect(session.runs).toHaveLength(1);
		await r.press('y');
		expect(session.runs).toHaveLength(2);
		expect(session.runs[1]!.options?.confirmed).toBe(true);
	});

	it('Esc abandons a preflight', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await findStep(r, 'Clean the scratch');
		await r.press(KEYS.enter);
		await r.waitFor(f => f.includes('rm -rf'), 'danger overlay');
		await r.press(KEYS.escape);
		// The pop-up leaves the panes in view, so wait for the overlay itself to close.
		await r.waitFor(() => r!.store.getState().overlay === null, 'closed');
		expect(session.runs).toHaveLength(0);
	});

	it('dry run shows what would run and runs nothing', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session, {dryRun: true});
		expect(r.frame()).toContain('DRY RUN');
		await r.press('jj');
		await r.press(KEYS.enter);
		await r.waitFor(f => f.includes('would run'), 'dry-run overlay');
		expect(r.frame()).toContain('echo "build 42"');
		await r.press(KEYS.enter);
		expect(session.runs).toHaveLength(0);
	});

	it('Space toggles a manual step; s skips; a runnable step refuses Space', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		const manual = stepId(session, 'Announce');
		await r.press(' ');
		expect(session.marks).toEqual([{stepId: manual, status: 'done'}]);
		await r.waitFor(f => selectedLine(f).includes('✓'), 'done glyph');
		await r.press(' ');
		expect(session.marks.at(-1)).toEqual({stepId: manual, status: 'pending'});
		await r.press('j');
		await r.press(' ');
		expect(session.marks).toHaveLength(2);
		expect(r.frame()).toContain('Enter runs it');
		await r.press('s');
		expect(session.marks.at(-1)).toEqual({stepId: stepId(session, 'Check the disk'), status: 'skipped'});
		await r.waitFor(f => selectedLine(f).includes('↷'), 'skipped glyph');
		await r.press('n');
		expect(selectedLine(r.frame())).toContain('Print the build number');
	});
});

describe('cancel', () => {
	it('x asks, y cancels the running step', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('j');
		await r.press(KEYS.enter);
		await r.waitFor(f => f.includes('running'), 'running');
		await r.press('x');
		await r.waitFor(f => f.includes('Cancel the run'), 'confirm');
		await r.press('n');
		expect(session.cancels).toHaveLength(0);
		await r.press('x');
		await r.waitFor(f => f.includes('Cancel the run'), 'confirm');
		await r.press('y');
		expect(session.cancels).toEqual([stepId(session, 'Check the disk')]);
		await r.waitFor(f => selectedLine(f).includes('⊘'), 'cancelled glyph');
	});

	it('x on a step that is not running says so', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('x');
		expect(r.frame()).toContain('not running');
		expect(r.store.getState().overlay).toBe(null);
	});
});

describe('find and help', () => {
	it('/ finds a step by text and Enter jumps to the first match', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('/');
		await r.waitFor(f => f.includes('Find a step'), 'find overlay');
		for (const ch of 'revert') await r.press(ch);
		expect(r.frame()).toContain('1 match');
		await r.press(KEYS.enter);
		expect(r.store.getState().selectedStepId).toBe(stepId(session, 'Revert the deploy'));
		expect(r.frame()).toContain('Steps · Rollback plan');
	});

	it('find matches code too, and q typed into the query does not quit', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('/');
		for (const ch of 'df -h q') await r.press(ch);
		await r.press(KEYS.backspace);
		await r.press(KEYS.backspace);
		expect(r.store.getState().quitting).toBe(false);
		expect(r.frame()).toContain('1 match');
		await r.press(KEYS.enter);
		expect(r.store.getState().selectedStepId).toBe(stepId(session, 'Check the disk'));
	});

	it('? lists every key, Esc closes', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('?');
		const frame = await r.waitFor(f => f.includes('Keys'), 'help');
		for (const text of ['run the selected step', 'rollback panel', 'feature-flag panel', 'PgUp', 'S-Tab', 'Esc']) expect(frame).toContain(text);
		await r.press(KEYS.escape);
		await r.waitFor(f => !f.includes('feature-flag panel'), 'help closed');
	});

	it('R and F open the rollback and flag panels; Esc closes them', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('R');
		expect(r.store.getState().overlay).toBe('rollback');
		await r.press(KEYS.escape);
		await r.waitFor(() => r!.store.getState().overlay === null, 'closed');
		await r.press('F');
		expect(r.store.getState().overlay).toBe('flags');
		await r.press(KEYS.escape);
		await r.waitFor(() => r!.store.getState().overlay === null, 'closed');
	});

	it('R reaches the rollback panel from the help overlay and the quit question', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('?');
		await r.waitFor(f => f.includes('Keys'), 'help');
		await r.press('R');
		expect(r.store.getState().overlay).toBe('rollback');
		await r.press(KEYS.escape);
		await r.waitFor(() => r!.store.getState().overlay === null, 'closed');
		await r.press(KEYS.ctrlC);
		await r.waitFor(() => r!.store.getState().overlay === 'confirm-quit', 'quit question');
		await r.press('R');
		expect(r.store.getState().overlay).toBe('rollback');
	});
});

describe('quit', () => {
	it('q quits at once when nothing runs', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('q');
		await r.exited;
		expect(r.store.getState().quitting).toBe(true);
	});

	it('q asks first while a command runs; n stays, y quits and leaves it running', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('j');
		await r.press(KEYS.enter);
		await r.press('q');
		await r.waitFor(f => f.includes('1 command is still running'), 'quit confirmation');
		await r.press('n');
		expect(r.store.getState().quitting).toBe(false);
		await r.press('q');
		await r.press('y');
		await r.exited;
		expect(session.cancels).toHaveLength(0);
	});

	it('Ctrl-C never quits without a confirmation', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press(KEYS.ctrlC);
		await r.waitFor(f => f.includes('Quit the cockpit?'), 'confirmation');
		await r.press(KEYS.ctrlC);
		expect(r.store.getState().quitting).toBe(false);
		await r.press(KEYS.escape);
		await r.waitFor(() => r!.store.getState().overlay === null, 'closed');
		expect(r.store.getState().quitting).toBe(false);
	});
});

describe('read-only follower', () => {
	it('shows "read-only: followed", refuses run and marks, and updates live', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'), true);
		r = await renderCockpit(session);
		expect(r.frame()).toContain('read-only: followed');
		await r.press('j');
		await r.press(KEYS.enter);
		expect(session.runs).toHaveLength(0);
		expect(r.frame()).toContain('read-only');
		await r.press('s');
		expect(session.marks).toHaveLength(0);
		// The writer (another process) finishes a step: the follower shows it.
		const id = stepId(session, 'Check the disk');
		session.fromWriter(s => {
			s.steps[id] = {status: 'done', exitCode: 0, durationMs: 2000};
		});
		await r.waitFor(f => selectedLine(f).includes('✓'), 'live update');
	});
});

describe('sections', () => {
	it('a parent section lists its sub-sections\' steps; Enter in the sections pane opens, never runs', async () => {
		const session = new MemorySession(fixtureChecklist('nested.md'));
		r = await renderCockpit(session);
		// [x] in the markdown counts as done; the selection starts on the first pending step.
		expect(selectedLine(r.frame())).toContain('Tell the team');
		expect(r.frame()).toMatch(/✓ Ticket approved/);
		await r.press(KEYS.shiftTab);
		await r.press('j');
		await r.waitFor(f => f.includes('Steps · Rollout'), 'parent section');
		expect(r.frame()).toContain('Ship stage one');
		expect(r.frame()).toContain('Ship stage two');
		expect(r.frame().split('\n').find(l => l.includes('Rollout') && l.includes('/'))).toContain('0/2');
		await r.press(KEYS.enter);
		expect(session.runs).toHaveLength(0);
		expect(r.store.getState().pane).toBe('steps');
		await r.press('j');
		// Moving inside the parent keeps the parent's list.
		expect(r.frame()).toContain('Steps · Rollout');
		expect(selectedLine(r.frame())).toContain('Ship stage two');
	});
});
