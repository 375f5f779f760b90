// Rollback procedures run by a detached process (engine/procedure.ts), seen
// from the session: starting one (the specs of its steps, built here where
// the carried shell and the environment are known), adopting the runs it
// launched (each recorded as run-started at its launch time, then followed or
// recorded as ended from its exit file, like a run found on open), and the
// rollback's own records (rollback-step, rollback-ended) worked out from its
// procedure file and the runs' records. The same functions serve a live
// cockpit (polled while a procedure goes on), a reopened one and `status`.
import {randomBytes} from 'node:crypto';
import {readdir} from 'node:fs/promises';
import type {Checklist} from '../checklist/model.js';
import {readJson} from '../engine/await-run.js';
import {launchProcedure} from '../engine/launch-procedure.js';
import {isSameProcessAlive} from '../engine/proc.js';
import {procedureFilePath, type ProcedureFile, type ProcedureSpec, type ProcedureStep} from '../engine/procedure-files.js';
import type {CarriedShell} from '../engine/shell-state.js';
import type {RecordEvent} from './events.js';
import {newRunId} from './identity.js';
import type {RunSupervisor} from './supervisor.js';
import type {ProcedureRequest, RollbackRecord, SessionState} from './types.js';

/** What of the session the procedure functions use. */
export interface ProcedureHost {
	readonly checklist: Checklist;
	readonly dir: string;
	readonly runsDir: string;
	readonly by: string;
	readonly supervisor: RunSupervisor;
	state(): SessionState;
	carried(): CarriedShell;
	runEnv(): Record<string, string>;
	givenVars(): Record<string, string>;
	commit(events: RecordEvent[]): Promise<void>;
	notice(text: string): void;
}

/** Builds the specs of the steps from `request.from` on and launches the procedure; returns its id. */
export async function startProcedure(host: ProcedureHost, request: ProcedureRequest): Promise<string> {
	const steps: ProcedureStep[] = [];
	for (const [index, stepId] of request.stepIds.entries()) {
		if (index < request.from) continue;
		const step = host.checklist.steps.find(s => s.id === stepId);
		if (!step) throw new Error(`no step with id ${stepId} in ${host.checklist.file ?? 'the checklist'}`);
		if (index === request.from && request.launched) {
			steps.push({index, stepId, mode: 'run', launched: request.launched});
			continue;
		}
		const runnable = step.blocks.filter(b => b.executor !== null);
		const run = host.supervisor.specFor(step, newRunId(stepId), {...(request.vars ? {vars: request.vars} : {}), confirmed: request.confirmed === true});
		steps.push({index, stepId, mode: run ? 'run' : runnable.length === 0 ? 'manual' : 'cockpit', ...(run ? {run} : {})});
	}
	const procedureId = randomBytes(6).toString('hex');
	const spec: ProcedureSpec = {
		rollbackId: request.rollbackId,
		procedureId,
		file: procedureFilePath(host.runsDir, request.rollbackId),
		by: host.by,
		steps,
		env: host.runEnv(),
		given: {...host.givenVars()},
		carried: host.carried(),
		mainDir: request.mainDir ?? host.dir,
		...(request.record ? {record: request.record} : {}),
	};
	const pid = await launchProcedure(spec);
	if (pid === undefined) throw new Error('could not start the rollback procedure process');
	return procedureId;
}

/** The procedure process is still at work (launching or waiting on a run). */
export function procedureRunning(file: ProcedureFile): boolean {
	return file.state === 'running' && isSameProcessAlive(file.process);
}

export function readProcedure(runsDir: string, rollbackId: string): Promise<ProcedureFile | undefined> {
	return readJson<ProcedureFile>(procedureFilePath(runsDir, rollbackId));
}

/** Records the runs the procedure launched that the session does not know yet; returns the file. */
export async function adoptProcedure(host: ProcedureHost, rollbackId: string): Promise<ProcedureFile | undefined> {
	const file = await readProcedure(host.runsDir, rollbackId);
	if (!file || !Array.isArray(file.entries)) return undefined;
	const starting = procedureRunning(file);
	for (const entry of file.entries) {
		const record = host.state().steps[entry.stepId];
		if (record?.runId === entry.runId || record?.status === 'running') continue;
		// A later run or mark of the step (after the rollback) is not replaced by an older run.
		const latest = [record?.startedAt, record?.endedAt].filter((t): t is string => typeof t === 'string').sort().at(-1);
		if (latest && latest > entry.launchedAt) continue;
		const step = host.checklist.steps.find(s => s.id === entry.stepId);
		if (!step) continue;
		await host.supervisor.adopt(step, entry.runId, entry.launchedAt, file.by, starting, entry.terminal);
	}
	return file;
}

/** The rollback's records the procedure file and the runs' records call for (none when they are all there). */
export function procedureEvents(rollback: RollbackRecord, file: ProcedureFile, steps: SessionState['steps'], now = new Date()): RecordEvent[] {
	const events: RecordEvent[] = [];
	let allDone = true;
	let lastEnd: string | undefined;
	for (const entry of file.entries) {
		const record = steps[entry.stepId];
		if (!record || record.runId !== entry.runId || record.status === 'running') {
			allDone = false;
			continue;
		}
		const have = rollback.steps[entry.index];
		if (!(have && have.startedAt === entry.launchedAt && have.status === record.status && have.exitCode === record.exitCode)) {
			events.push({kind: 'rollback-step', rollbackId: rollback.id, index: entry.index, step: {id: entry.stepId, status: record.status, exitCode: record.exitCode, startedAt: entry.launchedAt, ...(record.endedAt ? {endedAt: record.endedAt} : {})}});
		}
		if (record.status !== 'done') allDone = false;
		lastEnd = record.endedAt ?? lastEnd;
	}
	if (file.state === 'done' && allDone && rollback.outcome === 'running') {
		events.push({kind: 'rollback-ended', at: lastEnd ?? file.endedAt ?? now.toISOString(), rollbackId: rollback.id, outcome: 'done'});
	}
	return events;
}

/**
 * On open: every procedure file of the session is read; its runs are adopted and, for rollbacks this
 * session records, the rollback's steps and end are caught up (a rollback the cockpit died before
 * recording is recorded from the file). What happened is said in the notices.
 */
export async function syncProcedures(host: ProcedureHost): Promise<void> {
	let names: string[];
	try {
		names = (await readdir(host.runsDir)).filter(n => n.endsWith('.procedure.json'));
	} catch {
		return;
	}
	for (const name of names) {
		const rollbackId = name.slice(0, -'.procedure.json'.length);
		// A rollback this session recorded as over was followed to its end: nothing left to adopt.
		const known = host.state().rollbacks.find(r => r.id === rollbackId);
		if (known && known.outcome !== 'running') continue;
		const file = await adoptProcedure(host, rollbackId);
		if (!file || (file.mainDir !== undefined && file.mainDir !== host.dir)) continue;
		let rollback = host.state().rollbacks.find(r => r.id === rollbackId);
		if (!rollback && isRollbackRecord(file.record)) {
			await host.commit([{kind: 'rollback-started', rollback: file.record}]);
			rollback = host.state().rollbacks.find(r => r.id === rollbackId);
		}
		if (rollback?.outcome !== 'running') continue;
		const events = procedureEvents(rollback, file, host.state().steps);
		if (events.length > 0) await host.commit(events);
		const after = host.state().rollbacks.find(r => r.id === rollbackId);
		const label = after?.procedure ?? rollbackId;
		if (after?.outcome === 'done' && events.some(e => e.kind === 'rollback-ended')) {
			host.notice(`rollback ${label} finished while no cockpit was following it: ${file.entries.length} step(s) run, all done`);
		} else if (!procedureRunning(file) && file.stoppedAt && file.state === 'stopped') {
			const why = file.stoppedAt.reason === 'failed' ? `failed${file.stoppedAt.exitCode !== undefined && file.stoppedAt.exitCode !== null ? ` (exit ${file.stoppedAt.exitCode})` : ''}` : file.stoppedAt.reason === 'manual' ? 'a manual step waits' : file.stoppedAt.reason === 'cockpit' ? 'a step the cockpit runs waits' : 'its run was lost';
			host.notice(`rollback ${label} stopped at step ${file.stoppedAt.index + 1} (${file.stoppedAt.stepId}): ${why} — R: retry, skip or abort`);
		} else if (procedureRunning(file)) {
			host.notice(`rollback ${label} is still running (step ${(file.entries.at(-1)?.index ?? file.from) + 1}); following it again`);
		}
	}
}

function isRollbackRecord(value: unknown): value is RollbackRecord {
	const r = value as RollbackRecord | undefined;
	return typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.startedAt === 'string' && Array.isArray(r.steps);
}
