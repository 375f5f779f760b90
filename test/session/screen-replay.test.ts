// Reopening restores a run's current screen (issue 10): a program that clears
// the screen, draws a header and then repaints one field for more than the
// kept tail (1 MiB) loses its header when only the tail is replayed; the
// replay starts at the last screen reset in the log instead. Real runs on a
// PTY (the detached runner), a real reopen of the session, a real headless
// terminal (@xterm/headless) as the cockpit draws it. The run's last repaints
// and lines must be in the log when the run is recorded as ended (a PTY used to
// drop the unread end of a flood when bash exited: shell-process.ts).
import {writeFileSync} from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import {RunScreen} from '../../source/engine/run-screen.js';
import {plainOf} from '../../source/engine/screen-runs.js';
import {openSession} from '../../source/session/open.js';
import type {SessionHandle} from '../../source/session/types.js';
import {sandbox, until} from './helpers.js';

const fence = '```';
// ~1.7 MB of repaints of row 6 after the header; then a prompt that keeps the run going (or not).
const CHECKLIST = `# Screens

## Steps

- [ ] Dashboard
  ${fence}bash
  printf '\\033[H\\033[2J'
  echo "DASHBOARD-HEADER"
  echo "second header line"
  awk 'BEGIN{for(i=0;i<=90000;i++) printf "\\033[6;1Hcount %08d", i}'
  printf '\\033[8;1H'
  echo "drawn"
  ${fence}
- [ ] Dashboard waiting
  ${fence}bash
  printf '\\033[H\\033[2J'
  echo "WAITING-HEADER"
  awk 'BEGIN{for(i=0;i<=90000;i++) printf "\\033[6;1Hcount %08d", i}'
  printf '\\033[8;1H'
  read -r -p "go? " answer
  echo "answer=$answer"
  ${fence}
`;

let box: ReturnType<typeof sandbox> | undefined;
const open: SessionHandle[] = [];

afterEach(async () => {
	for (const s of open.splice(0)) {
		for (const [id, r] of Object.entries(s.getState().steps)) if (r.status === 'running' && !s.readOnly) await s.cancel(id).catch(() => undefined);
		await s.close().catch(() => undefined);
	}
	box?.cleanup();
	box = undefined;
});

async function session(): Promise<SessionHandle> {
	const s = await openSession(box!.file, {stateDir: box!.stateDir, cancelGraceMs: 200});
	open.push(s);
	return s;
}

/** The screen a fresh headless terminal shows after `text`, as plain lines. */
async function drawn(text: string): Promise<string[]> {
	const screen = new RunScreen('r', 80, 24);
	if (text) await new Promise<void>(resolve => screen.write(text, resolve));
	const lines = screen.lines().lines.map(plainOf);
	screen.dispose();
	return lines;
}

function setup(): void {
	box = sandbox();
	writeFileSync(box.file, CHECKLIST);
}

describe('a reopened run shows its whole current screen', () => {
	it('a run that ended: replayed from the last screen reset, not only from the kept tail', {timeout: 60_000}, async () => {
		setup();
		const first = await session();
		const result = await first.runStep('steps/dashboard', {terminal: {cols: 80, rows: 24}});
		expect(result.status).toBe('done');
		await first.close();

		const again = await session();
		// The kept tail alone (what a restart replayed before): the header is gone (the tail starts at a line
		// start within the last 1 MiB, and the repaints hold no newline: little of the screen is left).
		const tailOnly = await drawn(again.outputTail('steps/dashboard'));
		expect(tailOnly.join('\n')).not.toContain('DASHBOARD-HEADER');

		const screen = await drawn(again.screenTail!('steps/dashboard'));
		expect(screen[0]).toBe('DASHBOARD-HEADER');
		expect(screen[1]).toBe('second header line');
		expect(screen[5]).toBe('count 00090000');
		expect(screen[7]).toBe('drawn');
	});

	it('a run still going when the session reopens: the same screen, then its live output on top', {timeout: 60_000}, async () => {
		setup();
		const first = await session();
		const run = first.runStep('steps/dashboard-waiting', {terminal: {cols: 80, rows: 24}});
		await until(() => first.outputTail('steps/dashboard-waiting').includes('go? '), 30_000);
		await first.close();
		expect((await run).status).toBe('running');

		const again = await session();
		expect(again.getState().steps['steps/dashboard-waiting']?.status).toBe('running');
		const screen = await drawn(again.screenTail!('steps/dashboard-waiting'));
		expect(screen[0]).toBe('WAITING-HEADER');
		expect(screen[5]).toBe('count 00090000');
		expect(screen[7]).toBe('go?');
		// Input still reaches it and it ends with its answer.
		await until(() => again.sendInput('steps/dashboard-waiting', 'yes\r'), 10_000, 100);
		await until(() => again.getState().steps['steps/dashboard-waiting']?.status === 'done', 20_000);
		expect(again.getState().steps['steps/dashboard-waiting']?.exitCode).toBe(0);
		expect(again.outputTail('steps/dashboard-waiting')).toContain('answer=yes');
	});
});
