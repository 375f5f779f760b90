// reduce(state, event) → the next state. Pure: no I/O, no clock (every time
// is in the event), the input is never changed (a new object comes back; an
// event that changes nothing returns the same object). The session writes
// through it (Session.apply), rebuild.ts replays the log through it, and a
// team member will reduce another member's events with it.
import type {StepStatus} from '../engine/types.js';
import type {RecordEvent} from './events.js';
import type {SessionState, StepRecord} from './types.js';

export function reduce(state: SessionState, event: RecordEvent): SessionState {
	switch (event.kind) {
		case 'window-started':
			return withWindow(state, event.at);
		case 'input-sent':
			return state;
		case 'run-started': {
			const previous = state.steps[event.stepId];
			const record: StepRecord = {
				status: 'running',
				exitCode: null,
				by: event.by,
				...(event.title ? {title: event.title} : {}),
				startedAt: event.at,
				runId: event.runId,
				logPath: event.logPath,
				...(event.host ? {host: event.host} : {}),
				...(event.fence !== undefined ? {fence: event.fence} : {}),
				...(event.origin ? {origin: event.origin} : {}),
				...(event.terminal ? {terminal: event.terminal} : {}),
				...(previous?.notes ? {notes: previous.notes} : {}),
				// A conflict stays on the step once found (a later run does not make it not have happened).
				...(previous?.conflict ? {conflict: previous.conflict} : {}),
			};
			return withStep(withWindow(state, event.at), event.stepId, record);
		}
		case 'run-segment': {
			const record = state.steps[event.stepId];
			if (!record || record.runId !== event.runId) return state;
			return withStep(state, event.stepId, {...record, segment: event.segment});
		}
		case 'cancel-requested': {
			const record = state.steps[event.stepId];
			if (!record) return state;
			return withStep(state, event.stepId, {...record, cancelRequestedAt: event.at});
		}
		case 'run-ended':
			return runEnded(state, event);
		case 'marked':
			return marked(state, event);
		case 'shell-carried':
			return {...state, shell: {cwd: event.shell.cwd, vars: {...event.shell.vars}, ...(event.shell.exported ? {exported: [...event.shell.exported]} : {})}};
		case 'trigger-fired':
			return {...state, triggers: [...state.triggers, {...event.trigger}]};
		case 'trigger-ticked': {
			const index = state.triggers.findIndex(t => t.at === event.triggerAt && t.message === event.message);
			if (index < 0) return state;
			return {...state, triggers: state.triggers.map((t, i) => (i === index ? {...t, ticked: true} : t))};
		}
		case 'rollback-started':
			if (state.rollbacks.some(r => r.id === event.rollback.id)) return state;
			return {...state, rollbacks: [...state.rollbacks, structuredClone(event.rollback)]};
		case 'rollback-step':
			return withRollback(state, event.rollbackId, r => {
				const steps = [...r.steps];
				steps[event.index] = {...event.step};
				return {...r, steps};
			});
		case 'rollback-ended':
			return withRollback(state, event.rollbackId, r => ({...r, outcome: event.outcome, endedAt: event.at}));
		case 'rollback-picked':
			return {...state, rollbackChoice: event.sectionId};
		case 'baseline-taken': {
			if (event.recaptured) {
				const next: SessionState = {...state, baseline: {...state.baseline, ...event.baseline}};
				if (event.alerts) next.baselineAlerts = [...event.alerts];
				return next;
			}
			// First values: a tile keeps the baseline it has; the alerts are taken once.
			const next: SessionState = {...state, baseline: {...event.baseline, ...state.baseline}};
			if (event.alerts && state.baselineAlerts === undefined) next.baselineAlerts = [...event.alerts];
			return next;
		}
		case 'latest-values':
			return {...state, latest: {...state.latest, ...event.latest}};
		case 'cursor-moved':
			return {...state, cursor: {...event.cursor}};
		case 'conflict-found': {
			const record = state.steps[event.stepId];
			if (!record) return state;
			const known = new Set((record.conflict ?? []).map(r => r.runId));
			const added = event.runs.filter(r => !known.has(r.runId));
			if (added.length === 0) return state;
			return withStep(state, event.stepId, {...record, conflict: [...(record.conflict ?? []), ...added.map(r => ({...r}))]});
		}
		case 'taken-over':
		case 'lease-lost':
			// The lease is the lock file (and a live SessionEvent), not a record: logged, nothing to reduce.
			return state;
	}
}

/** Every event in order, from `state`. */
export function replay(state: SessionState, events: Iterable<RecordEvent>): SessionState {
	let next = state;
	for (const event of events) next = reduce(next, event);
	return next;
}

function withWindow(state: SessionState, at: string): SessionState {
	return state.windowStartedAt ? state : {...state, windowStartedAt: at};
}

function withStep(state: SessionState, stepId: string, record: StepRecord): SessionState {
	return {...state, steps: {...state.steps, [stepId]: record}};
}

function withRollback(state: SessionState, id: string, change: (r: SessionState['rollbacks'][number]) => SessionState['rollbacks'][number]): SessionState {
	const index = state.rollbacks.findIndex(r => r.id === id);
	if (index < 0) return state;
	return {...state, rollbacks: state.rollbacks.map((r, i) => (i === index ? change(r) : r))};
}

function runEnded(state: SessionState, event: Extract<RecordEvent, {kind: 'run-ended'}>): SessionState {
	const previous = state.steps[event.stepId];
	// An end for another run than the step's latest changes nothing (the step was run again since).
	if (!previous || previous.runId !== event.runId) return state;
	const {error: _error, failedLine: _line, failedCommand: _command, ...rest} = previous;
	const record: StepRecord = {...rest, status: event.status, exitCode: event.exitCode, signal: event.signal ?? null, endedAt: event.at};
	if (event.durationMs !== undefined) record.durationMs = event.durationMs;
	if (event.error) record.error = event.error;
	if (event.timedOut) record.timedOut = true;
	if (event.failedLine !== undefined) {
		record.failedLine = event.failedLine;
		record.failedCommand = event.failedCommand ?? '';
	}
	if (event.withheld?.length) record.notes = [...(record.notes ?? []), `not carried (secret, set while the cockpit was away): ${event.withheld.join(', ')}`];
	return withStep(state, event.stepId, record);
}

function marked(state: SessionState, event: Extract<RecordEvent, {kind: 'marked'}>): SessionState {
	const status: StepStatus = event.status;
	// The last run's log stays reachable; what described its ending does not describe the mark.
	const {error: _error, cancelRequestedAt: _cancel, timedOut: _timedOut, signal: _signal, failedLine: _line, failedCommand: _command, host: _host, origin: _origin, ...previous} = state.steps[event.stepId] ?? {status: 'pending' as StepStatus, exitCode: null};
	if (status === 'pending') {
		delete previous.endedAt;
		delete previous.durationMs;
	}
	const notes = [...(previous.notes ?? []), ...(event.note ? [event.note] : [])];
	const base = status === 'pending' ? state : withWindow(state, event.at);
	return withStep(base, event.stepId, {
		...previous,
		status,
		exitCode: status === 'pending' ? null : (previous.exitCode ?? null),
		by: event.by,
		...(event.host ? {host: event.host} : {}),
		...(event.origin ? {origin: event.origin} : {}),
		...(event.title ? {title: event.title} : previous.title ? {title: previous.title} : {}),
		...(status === 'pending' ? {} : {endedAt: event.at}),
		...(notes.length ? {notes} : {}),
	});
}
