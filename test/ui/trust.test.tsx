// Issue 13, the UI half, as component tests: code readable before it runs,
// confirmations gated on having been read, a done step asks before it runs
// again, the window clock, titles complete, one key rule for every overlay.
import {afterEach, describe, expect, it} from 'vitest';
import {MemorySession} from './memory-session.js';
import {fixtureChecklist, KEYS, renderCockpit, type Rendered} from './render-cockpit.js';

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
