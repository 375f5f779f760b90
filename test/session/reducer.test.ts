// reduce(state, event): one test per event kind, plus the properties every
// kind shares (pure: the input is never changed; the same events give the
// same state). Issue 17.
import {describe, expect, it} from 'vitest';
import {RECORDED, type RecordEvent, type RecordEventKind} from '../../source/session/events.js';
import {reduce, replay} from '../../source/session/reducer.js';
import {freshState} from '../../source/session/state-file.js';
import type {RollbackRecord, SessionState, TriggerRecord} from '../../source/session/types.js';

const T0 = '2026-11-27T02:00:00.000Z';
const T1 = '2026-11-27T02:01:00.000Z';
const T2 = '2026-11-27T02:02:00.000Z';

function fresh(): SessionState {
	return freshState('s1', '/srv/deploy.md', 'hash', '/srv', new Date('2026-11-26T12:00:00.000Z'));
}

const started: RecordEvent = {kind: 'run-started', at: T0, by: 'ana@bastion', stepId: 'a', runId: 'r1', title: 'Build', logPath: '/s/runs/r1.log'};
const trigger: TriggerRecord = {at: T1, kind: 'threshold', message: 'Error rate 6% > 5%', value: 0.06};
const rollback: RollbackRecord = {id: 'rb-1', procedure: 'rollback', by: 'ana@bastion', startedAt: T1, outcome: 'running', steps: []};

/** A run of `a` that ended: the base for run-ended variations. */
const running = () => reduce(fresh(), started);

const cases: Record<RecordEventKind, () => void> = {
	'window-started'() {
		const s = reduce(fresh(), {kind: 'window-started', at: T0});
		expect(s.windowStartedAt).toBe(T0);
		// Only the first start counts.
		expect(reduce(s, {kind: 'window-started', at: T1}).windowStartedAt).toBe(T0);
	},
	'run-started'() {
		const withNote = reduce(fresh(), {kind: 'marked', at: T0, by: 'bo@h', stepId: 'a', title: 'Build', status: 'failed', note: 'flaky'});
		const s = reduce(withNote, {...started, at: T1} as RecordEvent);
		expect(s.steps.a).toEqual({status: 'running', exitCode: null, by: 'ana@bastion', title: 'Build', startedAt: T1, runId: 'r1', logPath: '/s/runs/r1.log', notes: ['flaky']});
		expect(reduce(fresh(), started).windowStartedAt).toBe(T0);
		// A terminal run keeps its PTY size (the pane draws its screen).
		expect(reduce(fresh(), {...started, terminal: {cols: 90, rows: 20}} as RecordEvent).steps.a!.terminal).toEqual({cols: 90, rows: 20});
	},
	'input-sent'() {
		// Logged (its length, for the audit), never part of the records.
		const s = running();
		expect(reduce(s, {kind: 'input-sent', at: T1, by: 'ana@bastion', stepId: 'a', runId: 'r1', bytes: 4})).toBe(s);
	},
	'run-segment'() {
		expect(reduce(running(), {kind: 'run-segment', stepId: 'a', runId: 'r1', segment: 2}).steps.a!.segment).toBe(2);
		// Another run's segment changes nothing.
		const s = running();
		expect(reduce(s, {kind: 'run-segment', stepId: 'a', runId: 'other', segment: 2})).toBe(s);
	},
	'cancel-requested'() {
		expect(reduce(running(), {kind: 'cancel-requested', at: T1, stepId: 'a'}).steps.a!.cancelRequestedAt).toBe(T1);
		const s = fresh();
		expect(reduce(s, {kind: 'cancel-requested', at: T1, stepId: 'none'})).toBe(s);
	},
	'run-ended'() {
		const s = reduce(running(), {kind: 'run-ended', at: T1, stepId: 'a', runId: 'r1', status: 'failed', exitCode: 1, signal: null, durationMs: 60_000, failedLine: 33, failedCommand: 'cd /srv/app', withheld: ['API_TOKEN']});
		expect(s.steps.a).toMatchObject({status: 'failed', exitCode: 1, signal: null, endedAt: T1, durationMs: 60_000, failedLine: 33, failedCommand: 'cd /srv/app'});
		expect(s.steps.a!.notes).toEqual(['not carried (secret, set while the cockpit was away): API_TOKEN']);
		// A rerun that succeeds drops the old failure's line and command.
		const again = reduce(reduce(s, {...started, runId: 'r2', at: T1} as RecordEvent), {kind: 'run-ended', at: T2, stepId: 'a', runId: 'r2', status: 'done', exitCode: 0, timedOut: false});
		expect(again.steps.a).not.toHaveProperty('failedLine');
		expect(again.steps.a).toMatchObject({status: 'done', exitCode: 0, runId: 'r2'});
		// The end of a run that is not the step's latest changes nothing.
		expect(reduce(again, {kind: 'run-ended', at: T2, stepId: 'a', runId: 'r1', status: 'failed', exitCode: 9})).toBe(again);
		// A timed-out run says so; a record left running without a run id can be ended too.
		expect(reduce(running(), {kind: 'run-ended', at: T1, stepId: 'a', runId: 'r1', status: 'failed', exitCode: null, timedOut: true, error: 'timed out'}).steps.a).toMatchObject({timedOut: true, error: 'timed out'});
		const noRun: SessionState = {...fresh(), steps: {b: {status: 'running', exitCode: null}}};
		expect(reduce(noRun, {kind: 'run-ended', at: T1, stepId: 'b', status: 'interrupted', exitCode: null, error: 'no run was recorded'}).steps.b).toMatchObject({status: 'interrupted', error: 'no run was recorded'});
	},
	marked() {
		const failed = reduce(running(), {kind: 'run-ended', at: T1, stepId: 'a', runId: 'r1', status: 'failed', exitCode: 2, error: 'boom', failedLine: 4, failedCommand: 'x'});
		for (const status of ['done', 'skipped', 'failed'] as const) {
			const s = reduce(failed, {kind: 'marked', at: T2, by: 'bo@h', stepId: 'a', title: 'Build', status, note: 'by hand'});
			// The run's log stays reachable; what described its ending does not describe the mark.
			expect(s.steps.a).toEqual({status, exitCode: 2, by: 'bo@h', title: 'Build', startedAt: T0, endedAt: T2, runId: 'r1', logPath: '/s/runs/r1.log', notes: ['by hand']});
		}
		const pending = reduce(failed, {kind: 'marked', at: T2, by: 'bo@h', stepId: 'a', title: 'Build', status: 'pending'});
		expect(pending.steps.a).toMatchObject({status: 'pending', exitCode: null});
		expect(pending.steps.a).not.toHaveProperty('endedAt');
		// A mark starts the window; marking pending does not.
		expect(reduce(fresh(), {kind: 'marked', at: T1, by: 'b', stepId: 'c', title: 'C', status: 'skipped'}).windowStartedAt).toBe(T1);
		expect(reduce(fresh(), {kind: 'marked', at: T1, by: 'b', stepId: 'c', title: 'C', status: 'pending'}).windowStartedAt).toBeUndefined();
	},
	'shell-carried'() {
		const s = reduce(fresh(), {kind: 'shell-carried', shell: {cwd: '/srv/app', vars: {TARGET: 'staging', N: '1'}, exported: ['TARGET']}});
		expect(s.shell).toEqual({cwd: '/srv/app', vars: {TARGET: 'staging', N: '1'}, exported: ['TARGET']});
	},
	'trigger-fired'() {
		expect(reduce(fresh(), {kind: 'trigger-fired', trigger}).triggers).toEqual([trigger]);
	},
	'trigger-ticked'() {
		const s = reduce(reduce(fresh(), {kind: 'trigger-fired', trigger}), {kind: 'trigger-ticked', at: T2, triggerAt: T1, message: trigger.message});
		expect(s.triggers[0]).toEqual({...trigger, ticked: true});
		expect(reduce(s, {kind: 'trigger-ticked', at: T2, triggerAt: T0, message: 'other'})).toBe(s);
	},
	'rollback-started'() {
		const s = reduce(fresh(), {kind: 'rollback-started', rollback});
		expect(s.rollbacks).toEqual([rollback]);
		// Applied twice (a replayed tail), it is there once.
		expect(reduce(s, {kind: 'rollback-started', rollback}).rollbacks).toHaveLength(1);
	},
	'rollback-step'() {
		const s = reduce(reduce(fresh(), {kind: 'rollback-started', rollback}), {kind: 'rollback-step', rollbackId: 'rb-1', index: 1, step: {id: 'undo', status: 'done', exitCode: 0, startedAt: T1, endedAt: T2}});
		expect(s.rollbacks[0]!.steps[1]).toEqual({id: 'undo', status: 'done', exitCode: 0, startedAt: T1, endedAt: T2});
		// Holes stay holes (a skipped-over index).
		expect(s.rollbacks[0]!.steps.length).toBe(2);
		const none = fresh();
		expect(reduce(none, {kind: 'rollback-step', rollbackId: 'rb-x', index: 0, step: {id: 'u', status: 'done', exitCode: 0}})).toBe(none);
	},
	'rollback-ended'() {
		const s = reduce(reduce(fresh(), {kind: 'rollback-started', rollback}), {kind: 'rollback-ended', at: T2, rollbackId: 'rb-1', outcome: 'aborted'});
		expect(s.rollbacks[0]).toMatchObject({outcome: 'aborted', endedAt: T2});
	},
	'rollback-picked'() {
		expect(reduce(fresh(), {kind: 'rollback-picked', at: T0, sectionId: 'undo-the-release'}).rollbackChoice).toBe('undo-the-release');
	},
	'baseline-taken'() {
		const first = reduce(fresh(), {kind: 'baseline-taken', baseline: {err: {value: 0.01, at: T0}}, alerts: ['A']});
		expect(first).toMatchObject({baseline: {err: {value: 0.01, at: T0}}, baselineAlerts: ['A']});
		// First values never replace a baseline; a recapture (b) does.
		const later = reduce(first, {kind: 'baseline-taken', baseline: {err: {value: 0.5, at: T1}, p99: {value: 2, at: T1}}, alerts: ['B']});
		expect(later).toMatchObject({baseline: {err: {value: 0.01, at: T0}, p99: {value: 2, at: T1}}, baselineAlerts: ['A']});
		const recaptured = reduce(first, {kind: 'baseline-taken', baseline: {err: {value: 0.5, at: T1}}, alerts: ['B'], recaptured: true});
		expect(recaptured).toMatchObject({baseline: {err: {value: 0.5, at: T1}}, baselineAlerts: ['B']});
	},
	'latest-values'() {
		const s = reduce(reduce(fresh(), {kind: 'latest-values', latest: {err: {value: 1, at: T0}}}), {kind: 'latest-values', latest: {p99: {value: null, at: T1}}});
		expect(s.latest).toEqual({err: {value: 1, at: T0}, p99: {value: null, at: T1}});
	},
	'cursor-moved'() {
		expect(reduce(fresh(), {kind: 'cursor-moved', cursor: {stepId: 'a', pane: 'steps'}}).cursor).toEqual({stepId: 'a', pane: 'steps'});
	},
	'taken-over'() {
		// The lease is the lock file: logged for who-wrote-when, no record changes.
		const s = running();
		expect(reduce(s, {kind: 'taken-over', at: T1, by: 'bo@db'})).toBe(s);
	},
	'lease-lost'() {
		const s = running();
		expect(reduce(s, {kind: 'lease-lost', at: T1, reason: 'taken over by bo@db (pid 7)'})).toBe(s);
	},
	'conflict-found'() {
		const runs = [
			{by: 'ana', host: 'app-bastion', runId: 'r1', at: T0, fence: 3},
			{by: 'bo', host: 'db-bastion', runId: 'r2', at: T1},
		];
		const s = reduce(running(), {kind: 'conflict-found', at: T1, stepId: 'a', runs});
		expect(s.steps.a!.conflict).toEqual(runs);
		// The same runs again change nothing; a later run of the step keeps the conflict.
		expect(reduce(s, {kind: 'conflict-found', at: T1, stepId: 'a', runs})).toBe(s);
		expect(reduce(s, {...started, runId: 'r3', at: T1} as RecordEvent).steps.a!.conflict).toEqual(runs);
		// No record: nothing to mark.
		expect(reduce(fresh(), {kind: 'conflict-found', at: T1, stepId: 'a', runs})).toEqual(fresh());
	},
};

describe('reduce, one event kind at a time', () => {
	for (const [kind, check] of Object.entries(cases)) it(kind, check);
});

describe('reduce, every kind', () => {
	const all: RecordEvent[] = [
		{kind: 'window-started', at: T0},
		started,
		{kind: 'run-segment', stepId: 'a', runId: 'r1', segment: 1},
		{kind: 'input-sent', at: T1, by: 'b@h', stepId: 'a', runId: 'r1', bytes: 2},
		{kind: 'cancel-requested', at: T1, stepId: 'a'},
		{kind: 'run-ended', at: T1, stepId: 'a', runId: 'r1', status: 'cancelled', exitCode: 130},
		{kind: 'marked', at: T1, by: 'b@h', stepId: 'c', title: 'C', status: 'done', note: 'n'},
		{kind: 'shell-carried', shell: {cwd: '/x', vars: {A: '1'}, exported: []}},
		{kind: 'trigger-fired', trigger},
		{kind: 'trigger-ticked', at: T2, triggerAt: T1, message: trigger.message},
		{kind: 'rollback-started', rollback},
		{kind: 'rollback-step', rollbackId: 'rb-1', index: 0, step: {id: 'u', status: 'done', exitCode: 0}},
		{kind: 'rollback-ended', at: T2, rollbackId: 'rb-1', outcome: 'done'},
		{kind: 'rollback-picked', at: T2, sectionId: 'x'},
		{kind: 'baseline-taken', baseline: {t: {value: 1, at: T0}}},
		{kind: 'latest-values', latest: {t: {value: 2, at: T1}}},
		{kind: 'cursor-moved', cursor: {stepId: 'c'}},
		{kind: 'taken-over', at: T2, by: 'c@h'},
		{kind: 'conflict-found', at: T2, stepId: 'a', runs: [{by: 'b@h', runId: 'x', at: T2}]},
		{kind: 'lease-lost', at: T2, reason: 'r'},
	];

	it('covers every kind in this list and in the tests above', () => {
		expect(new Set(all.map(e => e.kind))).toEqual(new Set(Object.keys(cases)));
		// Only the snapshot-only kinds stay out of the log (and lease-lost, which the new writer's taken-over records).
		expect(Object.keys(cases).filter(k => !RECORDED.has(k as RecordEventKind)).sort()).toEqual(['cursor-moved', 'latest-values', 'lease-lost']);
	});

	it('is pure: the input state is never changed, and the same events give the same state', () => {
		const base = fresh();
		const frozen = structuredClone(base);
		let s = base;
		const seen: SessionState[] = [];
		for (const event of all) {
			const before = structuredClone(s);
			const next = reduce(s, structuredClone(event));
			expect(s).toEqual(before);
			seen.push(next);
			s = next;
		}
		expect(base).toEqual(frozen);
		expect(replay(fresh(), all)).toEqual(s);
		// Reducing is JSON in, JSON out: a replayed log equals the live state.
		expect(JSON.parse(JSON.stringify(replay(fresh(), JSON.parse(JSON.stringify(all)) as RecordEvent[])))).toEqual(JSON.parse(JSON.stringify(s)));
	});
});
