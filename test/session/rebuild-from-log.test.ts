// Issue 17: state.json is a snapshot of the event log's reduction. Deleted,
// it comes back from audit.jsonl (the events) and the runs' exit files: the
// same step records field for field, and, new with the event log, the carried
// shell state, triggers, rollbacks, the picked rollback and the window start.
import {readFileSync, unlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {openSession} from '../../source/session/open.js';
import {FileRecordLog} from '../../source/session/record-log.js';
import {replay} from '../../source/session/reducer.js';
import {freshState} from '../../source/session/state-file.js';
import type {SessionHandle, SessionState} from '../../source/session/types.js';
import {sandbox} from './helpers.js';

const SET = 'prepare/set-the-target';
const SHOW = 'prepare/show-the-target';
const FAILS = 'prepare/fails-in-the-first-block';
const MANUAL = 'prepare/manual-check-on-the-dashboard';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch(() => undefined);
	cleanups = [];
});

async function open(file: string, stateDir: string): Promise<SessionHandle> {
	const session = await openSession(file, {stateDir, cancelGraceMs: 300});
	cleanups.push(() => session.close());
	return session;
}

/** What the snapshot holds that the log rebuilds (not the cursor, not the tiles' latest values). */
function rebuildable(state: SessionState) {
	const {steps, shell, triggers, rollbacks, rollbackChoice, windowStartedAt, seq, baseline} = state;
	return {steps, shell, triggers, rollbacks, rollbackChoice, windowStartedAt, seq, baseline};
}

describe('a deleted state.json', () => {
	it('is rebuilt from the event log: the same step records, shell state, triggers and rollbacks', async () => {
		const box = sandbox();
		cleanups.push(box.cleanup);
		const first = await openSession(box.file, {stateDir: box.stateDir, cancelGraceMs: 300});
		await first.runStep(SET);
		await first.runStep(FAILS);
		await first.mark(MANUAL, 'done', 'looked fine');
		const trigger = {at: '2026-11-27T02:40:00.000Z', kind: 'threshold' as const, message: 'Error rate 6.20% > 5%', value: 0.062};
		await first.apply([
			{kind: 'trigger-fired', trigger},
			{kind: 'rollback-picked', at: '2026-11-27T02:40:30.000Z', sectionId: 'prepare'},
			{kind: 'rollback-started', rollback: {id: 'rb-1', procedure: 'prepare', by: 'ana@bastion', startedAt: '2026-11-27T02:41:00.000Z', trigger, outcome: 'running', steps: []}},
			{kind: 'rollback-step', rollbackId: 'rb-1', index: 0, step: {id: SHOW, status: 'done', exitCode: 0, startedAt: '2026-11-27T02:41:00.000Z', endedAt: '2026-11-27T02:41:05.000Z'}},
			{kind: 'rollback-ended', at: '2026-11-27T02:41:05.000Z', rollbackId: 'rb-1', outcome: 'done'},
			{kind: 'baseline-taken', baseline: {err: {value: 0.004, at: '2026-11-27T02:00:00.000Z'}}},
		]);
		const dir = first.dir;
		const before = structuredClone(first.getState());
		await first.close();
		// The snapshot says which event it holds: the last one in the log.
		expect(before.seq).toBe(await new FileRecordLog(dir, 'x', () => (s: string) => s).lastSeq());

		unlinkSync(join(dir, 'state.json'));
		const second = await open(box.file, box.stateDir);
		expect(second.notices.join('\n')).toMatch(/rebuilt 3 step records from the audit log and the run files/);
		expect(rebuildable(second.getState())).toEqual(rebuildable(before));
		// The carried shell state came back: the next step sees what the first exported.
		expect(second.getState().shell.vars.TARGET_ENV).toBe('staging');
		await second.runStep(SHOW);
		expect(second.outputTail(SHOW)).toContain('env=staging');
	});

	it('gets a run whose end never reached the log from its exit file', async () => {
		const box = sandbox();
		cleanups.push(box.cleanup);
		const first = await openSession(box.file, {stateDir: box.stateDir, cancelGraceMs: 300});
		await first.runStep(SET);
		await first.runStep(FAILS);
		const dir = first.dir;
		const before = structuredClone(first.getState().steps);
		await first.close();
		// The cockpit died after the run started: no run-end, no carried shell, no snapshot.
		const audit = join(dir, 'audit.jsonl');
		const kept = readFileSync(audit, 'utf8').split('\n').filter(line => !line.includes('"run-end"') && !line.includes('"shell-carried"'));
		writeFileSync(audit, kept.join('\n'));
		unlinkSync(join(dir, 'state.json'));

		const second = await open(box.file, box.stateDir);
		const steps = second.getState().steps;
		for (const id of [SET, FAILS]) {
			const {durationMs: _a, endedAt: _b, ...was} = before[id]!;
			const {durationMs: _c, endedAt: _d, ...now} = steps[id]!;
			// Times come from the exit file now (the runner's clock), everything else is the same.
			expect(now).toEqual(was);
		}
		expect(steps[FAILS]).toMatchObject({status: 'failed', exitCode: 3});
		expect(second.getState().shell.vars.TARGET_ENV).toBe('staging');
	});

	it('replays to the same state from the log alone (the reducer is all it takes)', async () => {
		const box = sandbox();
		cleanups.push(box.cleanup);
		const session = await open(box.file, box.stateDir);
		await session.runStep(SET);
		await session.mark(MANUAL, 'skipped');
		const log = new FileRecordLog(session.dir, 'x', () => (s: string) => s);
		const events = await log.read();
		expect(events.map(e => e.seq)).toEqual(events.map((_, i) => i + 1));
		expect(events.map(e => e.event.kind)).toEqual(['run-started', 'shell-carried', 'run-ended', 'marked']);
		const state = session.getState();
		const replayed = replay(freshState(state.id, state.file, state.hash, box.dir, new Date(state.createdAt)), events.map(e => e.event));
		expect(replayed.steps).toEqual(state.steps);
		expect(replayed.shell.vars).toEqual(state.shell.vars);
		// Events read from a seq on: the tail after a snapshot.
		expect((await log.read(3)).map(e => e.event.kind)).toEqual(['marked']);
	});
});
