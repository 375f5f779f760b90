// The detail pane as a terminal, with the real App and store against an
// in-memory session: a terminal run is drawn from its screen, `i` gives the
// program the keys as raw bytes, Ctrl-] (or the run's end) gives them back
// to the pane they came from, and the pane's size is the run's PTY size.
import {afterEach, describe, expect, it} from 'vitest';
import {MemorySession} from './memory-session.js';
import {fixtureChecklist, KEYS, renderCockpit, type Rendered} from './render-cockpit.js';

let r: Rendered | undefined;
afterEach(() => {
	r?.unmount();
	r = undefined;
});

async function startBuildStep(session: MemorySession): Promise<string> {
	session.terminalRuns = true;
	r = await renderCockpit(session);
	const id = session.checklist.steps.find(s => s.title.startsWith('Print the build number'))!.id;
	r.store.getState().select(id);
	await r.press(KEYS.enter);
	await r.waitFor(f => f.includes('◐ running'), 'running');
	return id;
}

describe('terminal runs in the detail pane', () => {
	it('runs start on a PTY of the pane size and draw their screen (a \\r redraw is one line)', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		const id = await startBuildStep(session);
		// The pane's output area is the size shell runs get (the session records the run as a terminal run).
		const terminal = session.getState().steps[id]!.terminal!;
		expect(terminal).toEqual(r!.store.getState().paneSize);
		expect(terminal.cols).toBeGreaterThan(20);
		session.output(id, 'step 1/3\rstep 3/3\r\n\x1b[32mgreen\x1b[0m\r\n');
		// The plain tail shows first while the headless terminal loads (lazily): wait for the screen itself.
		const frame = await r!.waitFor(f => f.includes('step 3/3') && f.includes('green') && f.includes('─ output · terminal'), 'the screen');
		expect(frame).not.toContain('step 1/3');
		expect(frame).toContain('─ output · terminal');
	});

	it('i sends raw keys to the program until Ctrl-], which returns them to the steps pane', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		const id = await startBuildStep(session);
		await r!.press('i');
		const focused = await r!.waitFor(f => f.includes('⌨ typing into Print the build'), 'typing mode');
		expect(focused).toContain('Ctrl-] leave · every other key goes to the program');
		expect(r!.store.getState().pane).toBe('detail');
		await r!.press('y');
		await r!.press(KEYS.enter);
		await r!.press(KEYS.up);
		await r!.press('\x03');
		expect(session.inputs.map(i => i.data).join('')).toBe('y\r\x1b[A\x03');
		// Ctrl-C went to the program: the cockpit asked nothing.
		expect(r!.store.getState().overlay).toBeNull();
		await r!.press('\x1d');
		await r!.waitFor(f => !f.includes('typing into'), 'typing mode left');
		expect(r!.store.getState().pane).toBe('steps');
		await r!.press('j');
		expect(session.inputs).toHaveLength(4);
		expect(r!.store.getState().selectedStepId).not.toBe(id);
	});

	it('the run ending while it has the keys gives them back to the pane they came from', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		const id = await startBuildStep(session);
		await r!.press('i');
		await r!.waitFor(f => f.includes('typing into'), 'typing mode');
		session.finish(id, 0);
		await r!.waitFor(f => !f.includes('typing into'), 'typing mode ended with the run');
		expect(r!.store.getState().pane).toBe('steps');
		expect(r!.store.getState().interacting).toBeNull();
	});

	it('i on a step that is not running says so and keeps the keys', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		await r.press('i');
		await r.waitFor(f => f.includes('nothing to type into'), 'the refusal');
		expect(r.store.getState().interacting).toBeNull();
	});
});
