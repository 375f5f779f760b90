// Every change to a session's records is one of these events. The session
// state is the reduction of them (reducer.ts); state.json is a snapshot of
// that reduction with the seq of the last event it holds, and audit.jsonl is
// the event log: an entry that carries an event has `seq` and `event`.
// Events hold their own time and author, so reducing is pure and a log can be
// replayed anywhere (a rebuilt state.json today, another machine later).
//
// Output is not an event: the run logs are its record. Two kinds are kept in
// the snapshot only, never appended to the log, because they change many
// times a minute and nothing is lost without them: `cursor-moved` and
// `latest-values` (see RECORDED below).
import type {StepStatus} from '../engine/types.js';
import type {AuditType} from './audit.js';
import type {RollbackRecord, SessionState, StepConflictRun, TriggerRecord} from './types.js';

export type RecordEvent =
	/** The window clock started (the W key); run-started and marked start it too. */
	| {kind: 'window-started'; at: string}
	/** A step's run was recorded, before its command starts. */
	| {
			kind: 'run-started';
			at: string;
			by: string;
			stepId: string;
			runId: string;
			title: string;
			logPath: string;
			/** The machine it runs on (team mode shows it). */
			host?: string;
			/** Team mode: the fencing token of the claim it ran under (source/team/claims.ts). */
			fence?: number;
			/** Team mode: the member it came from, when another one (set on receipt; never reconciled here). */
			origin?: string;
			terminal?: {cols: number; rows: number};
	  }
	/** Input typed into a run's terminal: its length only, never its text. */
	| {kind: 'input-sent'; at: string; by: string; stepId: string; runId: string; bytes: number}
	/** A later runner of the same run became current (steps mixing shell with sql). */
	| {kind: 'run-segment'; stepId: string; runId: string; segment: number}
	/** A cancel was asked for: the run then ends as `cancelled`. */
	| {kind: 'cancel-requested'; at: string; stepId: string}
	/** A run ended (own, reattached, or found ended on open). No runId: a record left running without one. */
	| {
			kind: 'run-ended';
			at: string;
			stepId: string;
			runId?: string;
			status: StepStatus;
			exitCode: number | null;
			signal?: string | null;
			durationMs?: number;
			error?: string;
			timedOut?: boolean;
			failedLine?: number;
			failedCommand?: string;
			/** Secret variables the run set that could not be carried (set while the cockpit was away). */
			withheld?: string[];
	  }
	/** A manual mark: done / skipped / failed / pending. */
	| {kind: 'marked'; at: string; by: string; stepId: string; title: string; status: StepStatus; note?: string; host?: string; origin?: string}
	/** What a block left behind for the next one (persistable part only: no secrets). */
	| {kind: 'shell-carried'; shell: SessionState['shell']}
	| {kind: 'trigger-fired'; trigger: TriggerRecord}
	/** The banner's trigger acknowledged (the record stays, ticked). */
	| {kind: 'trigger-ticked'; at: string; triggerAt: string; message: string}
	| {kind: 'rollback-started'; rollback: RollbackRecord}
	| {kind: 'rollback-step'; rollbackId: string; index: number; step: RollbackRecord['steps'][number]}
	| {kind: 'rollback-ended'; at: string; rollbackId: string; outcome: NonNullable<RollbackRecord['outcome']>}
	/** A section picked with R as the rollback (the checklist named none). */
	| {kind: 'rollback-picked'; at: string; sectionId: string}
	/**
	 * Values of the tiles (and the alerts firing then: the others are NEW). First values fill only tiles
	 * without one; `recaptured` (the b key) replaces them.
	 */
	| {kind: 'baseline-taken'; baseline: NonNullable<SessionState['baseline']>; alerts?: string[]; recaptured?: boolean}
	/** The tiles' latest values (snapshot only). */
	| {kind: 'latest-values'; latest: NonNullable<SessionState['latest']>}
	/** Selection and pane (snapshot only). */
	| {kind: 'cursor-moved'; cursor: SessionState['cursor']}
	/** This process became the writer over a live one (logged; the lock file is the lease itself). */
	| {kind: 'taken-over'; at: string; by: string; from?: string}
	/**
	 * Team mode: the step ran on two machines and at least one run was not claimed (a partition,
	 * `--offline`): shown as a conflict, never merged silently. Found by each member for itself.
	 */
	| {kind: 'conflict-found'; at: string; stepId: string; runs: StepConflictRun[]}
	/** This process lost the writer lock (logged by the new writer's taken-over; kept here for the live stream). */
	| {kind: 'lease-lost'; at: string; reason: string};

export type RecordEventKind = RecordEvent['kind'];

/** Kinds appended to the event log; the others live in the snapshot only. */
export const RECORDED: ReadonlySet<RecordEventKind> = new Set<RecordEventKind>([
	'window-started',
	'run-started',
	'run-segment',
	'cancel-requested',
	'run-ended',
	'input-sent',
	'marked',
	'shell-carried',
	'trigger-fired',
	'trigger-ticked',
	'rollback-started',
	'rollback-step',
	'rollback-ended',
	'rollback-picked',
	'baseline-taken',
	'taken-over',
	'conflict-found',
]);

/** A logged event: its place in the session's sequence. */
export interface SequencedEvent {
	seq: number;
	event: RecordEvent;
}

/** The audit-log type an event is shown as (report, `status`); 'record' for bookkeeping events. */
export function auditTypeOf(event: RecordEvent): AuditType {
	switch (event.kind) {
		case 'run-started':
			return 'run-start';
		case 'run-ended':
			return 'run-end';
		case 'input-sent':
			return 'input';
		case 'marked':
			return 'mark';
		case 'cancel-requested':
			return 'cancel';
		case 'trigger-fired':
			return 'trigger';
		case 'trigger-ticked':
			return 'trigger-tick';
		case 'rollback-started':
			return 'rollback-start';
		case 'rollback-step':
			return 'rollback-step';
		case 'rollback-ended':
			return 'rollback-end';
		case 'rollback-picked':
			return 'rollback-pick';
		case 'taken-over':
			return 'session';
		default:
			return 'record';
	}
}

/** The human fields of an event's audit entry (what report and readers of the log have always seen). */
export function auditFieldsOf(event: RecordEvent): Record<string, unknown> {
	switch (event.kind) {
		case 'run-started':
			return {stepId: event.stepId, runId: event.runId, by: event.by};
		case 'input-sent':
			return {stepId: event.stepId, runId: event.runId, by: event.by, bytes: event.bytes, note: 'input sent'};
		case 'run-ended':
			return {
				stepId: event.stepId,
				...(event.runId ? {runId: event.runId} : {}),
				status: event.status,
				exitCode: event.exitCode,
				...(event.durationMs !== undefined ? {durationMs: event.durationMs} : {}),
				...(event.error ? {error: event.error} : {}),
				...(event.failedLine !== undefined ? {failedLine: event.failedLine, failedCommand: event.failedCommand ?? ''} : {}),
			};
		case 'marked':
			return {stepId: event.stepId, status: event.status, by: event.by, ...(event.note ? {note: event.note} : {})};
		case 'cancel-requested':
			return {stepId: event.stepId};
		case 'trigger-fired':
			return {kind: event.trigger.kind, message: event.trigger.message, ...(event.trigger.value !== undefined ? {value: event.trigger.value} : {})};
		case 'trigger-ticked':
			return {message: event.message, acknowledged: true};
		case 'rollback-started':
			return {rollbackId: event.rollback.id, procedure: event.rollback.procedure, ...(event.rollback.trigger ? {trigger: event.rollback.trigger.message} : {})};
		case 'rollback-step':
			return {rollbackId: event.rollbackId, stepId: event.step.id, status: event.step.status, exitCode: event.step.exitCode};
		case 'rollback-ended':
			return {rollbackId: event.rollbackId, outcome: event.outcome};
		case 'rollback-picked':
			return {section: event.sectionId};
		case 'taken-over':
			return {action: 'taken-over', by: event.by, ...(event.from ? {from: event.from} : {})};
		default:
			return {};
	}
}

/** The time an event carries, when it carries one (the audit entry's `at`). */
export function timeOf(event: RecordEvent): string | undefined {
	if ('at' in event) return event.at;
	if (event.kind === 'trigger-fired') return event.trigger.at;
	if (event.kind === 'rollback-started') return event.rollback.startedAt;
	return undefined;
}
