// A rollback procedure handed to a detached process (procedure.ts): what it
// gets on stdin (ProcedureSpec: in memory only, it carries the environment
// with its secrets, like a RunnerSpec) and what it leaves on disk
// (ProcedureFile, `runs/<rollbackId>.procedure.json`, atomic, no secrets):
// which run it launched for which step, and where it stopped. The session
// turns that file into records (session/procedures.ts); the procedure
// process itself never writes the session's state.
import {join} from 'node:path';
import type {ProcessIdentity} from './proc.js';
import type {RunnerSpec} from './run-files.js';
import type {CarriedShell} from './shell-state.js';

/** A step of the procedure: run it here, or stop for the cockpit (a manual step; a step mixing shell and sql/redis/promql blocks, or with several of the latter). */
export type ProcedureStepMode = 'run' | 'manual' | 'cockpit';

/** What differs between one step's runner spec and the next: env, prelude, cwd and carried come from the carried shell. */
export type ProcedureRunSpec = Omit<RunnerSpec, 'env' | 'prelude' | 'cwd' | 'carried'>;

export interface ProcedureStep {
	/** Position in the rollback procedure. */
	index: number;
	stepId: string;
	mode: ProcedureStepMode;
	/** mode 'run': the run's id (given by the cockpit, so its files are named before it starts) and spec. */
	run?: ProcedureRunSpec;
	/**
	 * The first step, launched by the cockpit itself a moment before (so the first command does not wait
	 * for this process to start): its run is only awaited, through its files.
	 */
	launched?: {runId: string; at: string};
}

export interface ProcedureSpec {
	rollbackId: string;
	/** Tells this process's file from an earlier one of the same rollback (a retry starts another). */
	procedureId: string;
	/** Where the procedure file goes (the runs' session). */
	file: string;
	by: string;
	/** The steps from the one to start with to the end of the procedure. */
	steps: ProcedureStep[];
	/** The run environment when the procedure started (process env, carried variables, given values). */
	env: Record<string, string>;
	/** Values typed for placeholders / unset variables: they win over what a step sets, as in the cockpit. */
	given: Record<string, string>;
	/** The carried shell, secrets included: each step's change is applied for the next one. */
	carried: CarriedShell;
	/** The session that records the rollback (its runs may live in a separate runbook's session). */
	mainDir?: string;
	/** The rollback record, so a session that never saw its start can still record it. */
	record?: unknown;
}

export interface ProcedureEntry {
	index: number;
	stepId: string;
	runId: string;
	/** Written just before the runner is launched: the run's start as the records give it. */
	launchedAt: string;
	terminal?: {cols: number; rows: number};
	/** Filled when the run ended (the run's exit file is the record; this is for reading by eye). */
	exitCode?: number | null;
	endedAt?: string;
}

export interface ProcedureFile {
	rollbackId: string;
	procedureId: string;
	by: string;
	/** The procedure process (pid + start time + boot id). */
	process: ProcessIdentity;
	startedAt: string;
	/** Index of the first step this process was given. */
	from: number;
	/** Runs launched, in order. */
	entries: ProcedureEntry[];
	/** running: launching or waiting on a run; done: reached the end; stopped: see stoppedAt. */
	state: 'running' | 'done' | 'stopped';
	stoppedAt?: {index: number; stepId: string; reason: 'failed' | 'manual' | 'cockpit' | 'lost'; exitCode?: number | null};
	endedAt?: string;
	mainDir?: string;
	record?: unknown;
}

export function procedureFilePath(runsDir: string, rollbackId: string): string {
	return join(runsDir, `${rollbackId}.procedure.json`);
}
