import type {Block} from '../checklist/model.js';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled' | 'interrupted';

/** What an executor is given to run one block. */
export interface ExecContext {
	/** Directory commands start in (the carried cwd). */
	cwd: string;
	/** Carried shell variables plus process env. */
	env: Record<string, string>;
	/** The checklist's frontmatter settings (connection defaults etc). */
	settings: Record<string, unknown>;
	signal: AbortSignal;
	/** Writes output: goes to the run's log file and to subscribers. */
	write(chunk: string): void;
	/** Per-step timeout in ms, if any. */
	timeoutMs?: number;
	/** The operator confirmed writes / dangerous statements (headless: --yes). */
	confirmed: boolean;
}

export interface ExecResult {
	exitCode: number | null;
	signal?: string | null;
	/** Short human message for failures that are not a process exit (sql error, refused write). */
	error?: string;
	/** Structured result for the UI (sql tables, redis replies, promql values). */
	data?: unknown;
}

/** sql, redis and promql executors implement this; shell runs detached via the runner instead. */
export interface BlockExecutor {
	readonly name: string;
	run(block: Block, ctx: ExecContext): Promise<ExecResult>;
	/** Releases pooled connections when the session closes. */
	close?(): Promise<void>;
}
