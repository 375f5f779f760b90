// When state.json is lost (deleted, or unreadable and set aside) the state
// is rebuilt from what the rest of the session dir still holds: the event log
// (audit.jsonl) replayed through the reducer, and the runs/ directory (a run
// the log never saw end, or never saw at all, keeps its pid and exit files).
// Entries written before the log carried events (run-start, run-end, mark
// without `event`) are turned into the same events first, so one reducer
// rebuilds old and new sessions alike. Records whose end is unknown are left
// `running` with their run id and segment: the session's reconcile then reads
// their exit files, follows the runner if it is alive, or marks them
// interrupted — as after any restart. Not rebuilt: the cursor and the tiles'
// latest values (snapshot-only events); from a log without events also the
// carried shell state, triggers and rollbacks.
import {readdir} from 'node:fs/promises';
import {join} from 'node:path';
import type {Checklist} from '../checklist/model.js';
import type {StepStatus} from '../engine/types.js';
import {readAudit, type AuditEntry} from './audit.js';
import type {RecordEvent} from './events.js';
import {slug} from './identity.js';
import {eventOf} from './record-log.js';
import {reduce} from './reducer.js';
import type {SessionState} from './types.js';

const STATUSES = new Set<string>(['pending', 'running', 'done', 'failed', 'skipped', 'cancelled', 'interrupted']);
const RUN_FILE = /^(.+?)(?:-s(\d+))?\.(pid|exit)\.json$/;

/** runId → the highest segment that has a pid or exit file. */
async function runsOnDisk(runsDir: string): Promise<Map<string, number>> {
	const out = new Map<string, number>();
	let names: string[] = [];
	try {
		names = await readdir(runsDir);
	} catch {
		return out;
	}
	for (const name of names) {
		const match = RUN_FILE.exec(name);
		if (!match) continue;
		const segment = Number(match[2] ?? 0);
		out.set(match[1]!, Math.max(out.get(match[1]!) ?? 0, segment));
	}
	return out;
}

/** The step a run id names (`<stamp>-<slug of the step id>-<hex>`), when exactly one step has that slug. */
function stepOfRun(runId: string, bySlug: Map<string, string | null>): string | undefined {
	const match = /^\d{8}T\d{6}Z-(.+)-[0-9a-f]{4}$/.exec(runId);
	return match ? (bySlug.get(match[1]!) ?? undefined) : undefined;
}

/** An entry from before the log carried events, as the event it stands for. */
function legacyEvent(entry: AuditEntry, runsDir: string, titles: Map<string, string>): RecordEvent | undefined {
	const stepId = typeof entry.stepId === 'string' ? entry.stepId : undefined;
	if (!stepId) return undefined;
	const runId = typeof entry.runId === 'string' ? entry.runId : undefined;
	const title = titles.get(stepId) ?? '';
	if (entry.type === 'run-start' && runId) return {kind: 'run-started', at: entry.at, by: entry.by, stepId, runId, title, logPath: join(runsDir, `${runId}.log`)};
	if (entry.type === 'run-end' && runId) {
		return {
			kind: 'run-ended',
			at: entry.at,
			stepId,
			runId,
			status: STATUSES.has(String(entry.status)) ? (entry.status as StepStatus) : 'interrupted',
			exitCode: typeof entry.exitCode === 'number' ? entry.exitCode : null,
			...(typeof entry.durationMs === 'number' ? {durationMs: entry.durationMs} : {}),
			...(typeof entry.error === 'string' ? {error: entry.error} : {}),
		};
	}
	if (entry.type === 'mark' && STATUSES.has(String(entry.status))) {
		return {kind: 'marked', at: entry.at, by: entry.by, stepId, title, status: entry.status as StepStatus, ...(typeof entry.note === 'string' ? {note: entry.note} : {})};
	}
	return undefined;
}

/**
 * Replays the log into `state` (records, carried shell, triggers, rollbacks,
 * window, baseline, seq) and adds runs only the runs/ directory knows;
 * returns how many step records came back.
 */
export async function rebuildStepRecords(dir: string, state: SessionState, checklist: Checklist): Promise<number> {
	const runsDir = join(dir, 'runs');
	const titles = new Map(checklist.steps.map(s => [s.id, s.title]));
	const seenRuns = new Set<string>();
	const events: Array<{seq: number; event: RecordEvent}> = [];
	for (const entry of await readAudit(dir)) {
		const sequenced = eventOf(entry);
		const event = sequenced?.event ?? legacyEvent(entry, runsDir, titles);
		if (event) events.push({seq: sequenced?.seq ?? 0, event});
	}
	// In seq order (a run's start is appended after its runner is spawned); entries without one came first.
	events.sort((a, b) => a.seq - b.seq);
	let rebuilt = state;
	for (const {seq, event} of events) {
		if (event.kind === 'run-started') seenRuns.add(event.runId);
		rebuilt = reduce(rebuilt, event);
		if (seq > (rebuilt.seq ?? 0)) rebuilt = {...rebuilt, seq};
	}
	const steps = {...rebuilt.steps};
	const onDisk = await runsOnDisk(runsDir);
	// Runs the audit never saw start (its append failed): the run id names the step.
	const bySlug = new Map<string, string | null>();
	for (const step of checklist.steps) {
		const key = slug(step.id, 40);
		bySlug.set(key, bySlug.has(key) ? null : step.id);
	}
	for (const runId of [...onDisk.keys()].sort()) {
		if (seenRuns.has(runId)) continue;
		const stepId = stepOfRun(runId, bySlug);
		if (!stepId) continue;
		const previous = steps[stepId];
		if (previous?.runId && previous.runId > runId) continue;
		steps[stepId] = {status: 'running', exitCode: null, runId, logPath: join(runsDir, `${runId}.log`), ...(titles.get(stepId) ? {title: titles.get(stepId)!} : {})};
	}
	// Still running by the audit: which runner is current decides where reconcile looks.
	for (const record of Object.values(steps)) {
		if (record.status !== 'running' || !record.runId) continue;
		const segment = onDisk.get(record.runId) ?? 0;
		if (segment > 0) record.segment = segment;
	}
	Object.assign(state, rebuilt, {steps});
	return Object.keys(steps).length;
}
