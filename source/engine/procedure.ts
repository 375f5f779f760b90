// The detached rollback procedure: `node procedure.js` (or the bundle with
// --procedure) with a ProcedureSpec on stdin (an unnamed file, as for the
// runner). It launches the procedure's steps one after another as ordinary
// detached runs (launch.ts → runner.ts, their usual log/pid/exit files) and
// stops at the first one that does not end with exit 0, at a manual step and
// at a step it has no spec for (one mixing shell and sql/redis/promql blocks,
// or with several of the latter; a step of one such block is an ordinary
// run, its write confirmation given at y in the cockpit): what happens next (retry, skip,
// abort, Space, an in-cockpit run) is the engineer's decision in a cockpit.
// It writes only its procedure file (procedure-files.ts), before each launch
// and after each end; the session turns that file and the runs' exit files
// into records whenever a cockpit (or `status`) looks. So a rollback started
// with R → y goes on when the cockpit quits, loses its SSH link or is killed.
// Like the runner it is started in its own session and ignores SIGHUP.
import {dirname} from 'node:path';
import {writeFileAtomicSync} from './atomic-write.js';
import {awaitRunEnd, type RunOutcome} from './await-run.js';
import {launchRunner} from './launch.js';
import type {ProcedureEntry, ProcedureFile, ProcedureSpec, ProcedureStep} from './procedure-files.js';
import {identify} from './proc.js';
import {runFiles, type RunnerSpec} from './run-files.js';
import {applyChange, unexportPrelude, type CarriedShell} from './shell-state.js';

async function readStdin(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

const wait = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** Atomic, retried for a while (a full disk): the file is the only thing a cockpit learns the runs from. */
async function save(path: string, file: ProcedureFile): Promise<void> {
	let delay = 50;
	for (let attempt = 0; attempt < 40; attempt++) {
		try {
			writeFileAtomicSync(path, JSON.stringify(file));
			return;
		} catch {
			await wait(delay);
			delay = Math.min(delay * 2, 2000);
		}
	}
}

async function main(): Promise<void> {
	for (const signal of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(signal, () => undefined);
	const spec = JSON.parse(await readStdin()) as ProcedureSpec;
	const runsDir = dirname(spec.file);
	const file: ProcedureFile = {
		rollbackId: spec.rollbackId,
		procedureId: spec.procedureId,
		by: spec.by,
		process: identify(process.pid),
		startedAt: new Date().toISOString(),
		from: spec.steps[0]?.index ?? 0,
		entries: [],
		state: 'running',
		...(spec.mainDir !== undefined ? {mainDir: spec.mainDir} : {}),
		...(spec.record !== undefined ? {record: spec.record} : {}),
	};
	await save(spec.file, file);

	let carried: CarriedShell = spec.carried;
	const env: Record<string, string> = {...spec.env};
	/** A run's end: its shell change carried on; false when the procedure stops here. */
	const settle = async (step: ProcedureStep, entry: ProcedureEntry, outcome: RunOutcome): Promise<boolean> => {
		if (outcome.kind !== 'exit') {
			file.state = 'stopped';
			file.stoppedAt = {index: step.index, stepId: step.stepId, reason: 'lost'};
			return false;
		}
		const exit = outcome.exit;
		entry.exitCode = exit.exitCode;
		entry.endedAt = exit.endedAt;
		// The runner's report holds the full change (secrets too, in memory); the exit file only the persistable part.
		const change = outcome.change ?? exit.shell;
		if (change) {
			carried = applyChange(carried, change);
			for (const name of change.unset) delete env[name];
		}
		if (exit.exitCode !== 0 || exit.error || exit.cancelled) {
			file.state = 'stopped';
			file.stoppedAt = {index: step.index, stepId: step.stepId, reason: 'failed', exitCode: exit.exitCode};
			return false;
		}
		await save(spec.file, file);
		return true;
	};
	for (const step of spec.steps) {
		if (step.launched) {
			const entry: ProcedureEntry = {index: step.index, stepId: step.stepId, runId: step.launched.runId, launchedAt: step.launched.at};
			file.entries.push(entry);
			await save(spec.file, file);
			// Its runner was spawned by the cockpit: no report comes here, and its pid file may still be on its
			// way (waited for up to 10 s, as for a runner of our own).
			let started: () => void = () => undefined;
			const grace = new Promise<undefined>(resolve => {
				const timer = setTimeout(() => resolve(undefined), 10_000);
				started = () => {
					clearTimeout(timer);
					resolve(undefined);
				};
			});
			const outcome = await awaitRunEnd(runFiles(runsDir, step.launched.runId), {report: grace, pollMs: 100, onPid: () => started()});
			if (!(await settle(step, entry, outcome))) break;
			continue;
		}
		if (step.mode !== 'run' || !step.run) {
			file.state = 'stopped';
			file.stoppedAt = {index: step.index, stepId: step.stepId, reason: step.mode === 'manual' ? 'manual' : 'cockpit'};
			break;
		}
		const run: RunnerSpec = {...step.run, env: {...env, ...carried.vars, ...spec.given}, prelude: unexportPrelude(carried), cwd: carried.cwd, carried: Object.keys(carried.vars)};
		const entry: ProcedureEntry = {index: step.index, stepId: step.stepId, runId: run.runId, launchedAt: new Date().toISOString(), ...(run.terminal ? {terminal: run.terminal} : {})};
		// Named before it starts: a cockpit that reads the file finds the run's files, or knows it never started.
		file.entries.push(entry);
		await save(spec.file, file);
		const files = runFiles(runsDir, run.runId);
		let outcome;
		try {
			const launched = launchRunner(run);
			await launched.started;
			outcome = await awaitRunEnd(files, {report: launched.report, pollMs: 200});
		} catch (error) {
			outcome = {kind: 'lost' as const, reason: error instanceof Error ? error.message : String(error)};
		}
		if (!(await settle(step, entry, outcome))) break;
	}
	if (file.state === 'running') file.state = 'done';
	file.endedAt = new Date().toISOString();
	await save(spec.file, file);
}

main().then(
	() => process.exit(0),
	error => {
		try {
			process.stderr.write(`deploycockpit procedure: ${error instanceof Error ? error.message : String(error)}\n`);
		} catch {
			// nowhere to report
		}
		process.exit(1);
	},
);
