// Which events of other members this one takes, and how. Pure.
import type {RecordEvent, RecordEventKind} from '../session/events.js';
import type {SessionState, StepConflictRun} from '../session/types.js';

/**
 * Kinds shared with the team. The others stay on the machine they happened
 * on: the carried shell (its cwd and variables are this machine's), tiles'
 * baselines and triggers (each member has its own Prometheus view), take-overs
 * of the local lock.
 */
export const SHARED: ReadonlySet<RecordEventKind> = new Set<RecordEventKind>([
	'window-started',
	'run-started',
	'run-segment',
	'cancel-requested',
	'run-ended',
	'marked',
	'rollback-started',
	'rollback-step',
	'rollback-ended',
	'rollback-picked',
	'input-sent',
]);

/**
 * undefined: take it. Otherwise why not: a run whose claim's fencing token
 * is older than the step's current one (its claim expired and another member
 * has claimed the step since) is refused, so a stale holder cannot overwrite
 * a newer run; its run-ended then matches no run and changes nothing.
 */
export function rejectRemote(state: SessionState, event: RecordEvent): string | undefined {
	if (!SHARED.has(event.kind)) return `${event.kind} is not shared`;
	if (event.kind === 'run-started' && event.fence !== undefined) {
		const current = state.steps[event.stepId]?.fence;
		if (current !== undefined && event.fence < current) return `stale fencing token ${event.fence} < ${current} for step ${event.stepId}`;
	}
	return undefined;
}

/**
 * A conflict: another member's run of a step whose current record is a run
 * from elsewhere (this member's own, or a third one's), running or done, where
 * at least one of the two was not claimed (`--offline`, a partition): nothing
 * ordered them, so the step may have run twice. Claimed runs are ordered by
 * their tokens (a re-run is a decision, asked for in the cockpit).
 */
export function conflictOf(state: SessionState, event: RecordEvent, from: {member: string; by: string; host: string}): Extract<RecordEvent, {kind: 'conflict-found'}> | undefined {
	if (event.kind !== 'run-started') return undefined;
	const record = state.steps[event.stepId];
	if (!record?.runId || record.runId === event.runId || !record.startedAt) return undefined;
	if (record.status !== 'running' && record.status !== 'done') return undefined;
	if ((record.origin ?? '') === from.member) return undefined;
	if (record.fence !== undefined && event.fence !== undefined) return undefined;
	const run = (r: StepConflictRun): StepConflictRun => r;
	return {
		kind: 'conflict-found',
		at: event.at,
		stepId: event.stepId,
		runs: [
			run({by: record.by ?? '?', ...(record.host ? {host: record.host} : {}), runId: record.runId, at: record.startedAt, ...(record.fence !== undefined ? {fence: record.fence} : {})}),
			run({by: from.by, host: from.host, runId: event.runId, at: event.at, ...(event.fence !== undefined ? {fence: event.fence} : {})}),
		],
	};
}

/** What to reduce for another member's event: nothing (rejected), or it (plus the conflict it shows). */
export function remoteEvents(state: SessionState, event: RecordEvent, from: {member: string; by: string; host: string}): {events: RecordEvent[]; rejected?: string} {
	const rejected = rejectRemote(state, event);
	if (rejected) return {events: [], rejected};
	// A remote run is shown from the lines that come over the link, as text: its PTY is on its machine.
	const stamped: RecordEvent =
		event.kind === 'run-started' ? {...withoutTerminal(event), origin: from.member} : event.kind === 'marked' ? {...event, origin: from.member} : event;
	const conflict = conflictOf(state, event, from);
	return {events: conflict ? [stamped, conflict] : [stamped]};
}

function withoutTerminal(event: Extract<RecordEvent, {kind: 'run-started'}>): Extract<RecordEvent, {kind: 'run-started'}> {
	const {terminal: _terminal, ...rest} = event;
	return rest;
}
