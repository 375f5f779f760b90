// When state.json is lost (deleted, or unreadable and set aside) the step
// records are rebuilt from what the rest of the session dir still holds:
// the audit log (run-start, run-end, mark, in order) and the runs/ directory
// (a run the audit never saw end, or never saw at all, keeps its pid and exit
// files). Records whose end is unknown are left `running` with their run id
// and segment: the session's reconcile then reads their exit files, follows
// the runner if it is alive, or marks them interrupted — as after any restart.
// Not rebuilt: the carried shell state, cursor, tiles, triggers, rollbacks.
import {readdir} from 'node:fs/promises';
import {join} from 'node:path';
import type {Checklist} from '../checklist/model.js';
import type {StepStatus} from '../engine/types.js';
import {readAudit} from './audit.js';
import {slug} from './identity.js';
import type {SessionState, StepRecord} from './types.js';

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

/** Fills state.steps from the audit log and runs/; returns how many records came back. */
export async function rebuildStepRecords(dir: string, state: SessionState, checklist: Checklist): Promise<number> {
	const runsDir = join(dir, 'runs');
	const titles = new Map(checklist.steps.map(s => [s.id, s.title]));
	const steps: Record<string, StepRecord> = {};
	const seenRuns = new Set<string>();
	for (const entry of await readAudit(dir)) {
		const stepId = typeof entry.stepId === 'string' ? entry.stepId : undefined;
		if (!stepId) continue;
		const runId = typeof entry.runId === 'string' ? entry.runId : undefined;
		const title = titles.get(stepId);
		if (entry.type === 'run-start' && runId) {
			seenRuns.add(runId);
			const notes = steps[stepId]?.notes;
			steps[stepId] = {status: 'running', exitCode: null, by: entry.by, startedAt: entry.at, runId, logPath: join(runsDir, `${runId}.log`), ...(title ? {title} : {}), ...(notes ? {notes} : {})};
		} else if (entry.type === 'run-end' && runId && steps[stepId]?.runId === runId) {
			const record = steps[stepId]!;
			record.status = STATUSES.has(String(entry.status)) ? (entry.status as StepStatus) : 'interrupted';
			record.exitCode = typeof entry.exitCode === 'number' ? entry.exitCode : null;
			record.endedAt = entry.at;
			if (typeof entry.durationMs === 'number') record.durationMs = entry.durationMs;
			if (typeof entry.error === 'string') record.error = entry.error;
		} else if (entry.type === 'mark' && STATUSES.has(String(entry.status))) {
			const previous = steps[stepId];
			const status = entry.status as StepStatus;
			const note = typeof entry.note === 'string' ? entry.note : undefined;
			const notes = [...(previous?.notes ?? []), ...(note ? [note] : [])];
			steps[stepId] = {
				...(previous?.runId ? {runId: previous.runId, logPath: previous.logPath} : {}),
				status,
				exitCode: status === 'pending' ? null : (previous?.exitCode ?? null),
				by: entry.by,
				...(title ? {title} : {}),
				...(status === 'pending' ? {} : {endedAt: entry.at}),
				...(notes.length ? {notes} : {}),
			};
		}
	}
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
	Object.assign(state.steps, steps);
	return Object.keys(steps).length;
}
