import type {Checklist} from '../checklist/model.js';
import type {ProcedureFile} from '../engine/procedure-files.js';
import type {StepStatus} from '../engine/types.js';
import type {RecordEvent} from './events.js';

export interface StepRecord {
	status: StepStatus;
	exitCode: number | null;
	signal?: string | null;
	/** user@host of whoever ran or marked it. */
	by?: string;
	startedAt?: string;
	endedAt?: string;
	durationMs?: number;
	/** Id of the latest run (its log is runs/<runId>.log in the session dir). */
	runId?: string;
	logPath?: string;
	/** Why it failed when it is not an exit code (refused, sql error, ...). */
	error?: string;
	notes?: string[];
	/** The step's title when the record was written (kept for orphans). */
	title?: string;
	/** Set when a cancel was asked for; the run then ends as `cancelled`. */
	cancelRequestedAt?: string;
	/** Checklist line of the command that stopped the run (errexit). */
	failedLine?: number;
	/** That command, masked (first line, at most 200 characters). */
	failedCommand?: string;
	/** The run was stopped by its per-step timeout. */
	timedOut?: boolean;
	/** Which detached runner of the run is current (steps mixing shell with sql have several). */
	segment?: number;
	/** The run's shell blocks were started on a PTY of this size (its output is a terminal's: draw it as a screen). */
	terminal?: {cols: number; rows: number};
	/** The machine that ran or marked it. */
	host?: string;
	/** Team mode: the fencing token of the run's claim. */
	fence?: number;
	/** Team mode: the member whose run this is, when another one's (this session never reconciles it). */
	origin?: string;
	/** Team mode: runs of this step on different machines, at least one unclaimed (events.ts conflict-found). */
	conflict?: StepConflictRun[];
}

export interface StepConflictRun {
	by: string;
	host?: string;
	runId: string;
	at: string;
	/** Its claim's fencing token; absent: run without a claim. */
	fence?: number;
}

export interface TriggerRecord {
	at: string;
	kind: 'threshold' | 'alert' | 'step-failed';
	message: string;
	value?: number;
	ticked?: boolean;
}

export interface RollbackRecord {
	id: string;
	procedure: string | null;
	by: string;
	startedAt: string;
	endedAt?: string;
	trigger?: TriggerRecord;
	outcome?: 'done' | 'aborted' | 'failed' | 'running';
	steps: Array<{id: string; status: StepStatus; exitCode: number | null; startedAt?: string; endedAt?: string}>;
}

/** The persisted session (state.json). Secrets are masked before it is written. */
export interface SessionState {
	version: 1;
	id: string;
	file: string;
	hash: string;
	createdAt: string;
	/** When the work started (first run or mark, or the cockpit's W key); absent until then. */
	windowStartedAt?: string;
	steps: Record<string, StepRecord>;
	/** Carried shell state: exported/assigned variables and the cwd. */
	shell: {cwd: string; vars: Record<string, string>; /** Names of vars that were exported (the rest were only assigned). */ exported?: string[]};
	cursor: {stepId?: string; pane?: string};
	/** Steps that were in the session but are gone from the checklist. */
	orphans?: Array<{id: string; title?: string; record: StepRecord}>;
	baseline?: Record<string, {value: number | null; at: string}>;
	latest?: Record<string, {value: number | null; at: string}>;
	/** Alerts (label keys) firing when the baseline was taken: the others are NEW. */
	baselineAlerts?: string[];
	triggers: TriggerRecord[];
	rollbacks: RollbackRecord[];
	/** Section the engineer picked with R as the rollback procedure (the checklist named none). */
	rollbackChoice?: string;
	/** Seq of the last event of the log (audit.jsonl) this snapshot holds (events.ts); absent before any. */
	seq?: number;
}

export type SessionEvent =
	| {type: 'state'; state: SessionState}
	/**
	 * New output of a run. `bytes` (followed logs) is the chunk as read, valid
	 * only while the event is handled (the read buffer is reused); `chunk` is
	 * its text, decoded when first read, and must be read then too.
	 */
	| {type: 'output'; stepId: string; runId: string; chunk: string; bytes?: Buffer}
	| {type: 'run-start'; stepId: string; runId: string}
	| {type: 'run-end'; stepId: string; runId: string; status: StepStatus; exitCode: number | null}
	/** This process lost the writer lock (another took the session over): it is read-only from now on. */
	| {type: 'lease-lost'; reason: string}
	/** A write of the state or the audit log failed (disk full, ...): said, never swallowed. */
	| {type: 'write-failed'; what: 'state' | 'audit'; message: string; code?: string}
	/** state.json was written again after a write-failed. */
	| {type: 'write-recovered'}
	/** Team mode: the Redis link went down (since, ms epoch) or came back (null); who is in the session. */
	| {type: 'team-link'; downSince: number | null; members?: string[]};

export interface RunOptions {
	/** Operator confirmed dangerous commands / writes. */
	confirmed?: boolean;
	/** Values for placeholders and unset variables from preflight. */
	vars?: Record<string, string>;
	timeoutMs?: number;
	/** Shell runs attached to the real terminal (the `!` key); the caller suspends the UI. */
	interactive?: boolean;
	/** Team mode: the fencing token of the claim this run holds (recorded on its run-started). */
	fence?: number;
	/** Run the shell blocks on a PTY of this size (the detail pane's); without it, on pipes. */
	terminal?: {cols: number; rows: number};
	/** Team mode: the engineer confirmed running it although the team link is down and it cannot be claimed. */
	unclaimed?: boolean;
}

/** A rollback procedure to run detached (session/procedures.ts): its steps, from `from` on. */
export interface ProcedureRequest {
	rollbackId: string;
	/** Every step of the procedure, in order (indexes are the rollback's). */
	stepIds: string[];
	from: number;
	/** Values typed for placeholders / unset variables. */
	vars?: Record<string, string>;
	/** The cockpit's plan showed every command and `y` confirmed them: sql/redis/promql writes may run. */
	confirmed?: boolean;
	/** The step at `from` was started by the caller (runStep) as this run: the procedure awaits it, then goes on. */
	launched?: {runId: string; at: string};
	/** The session that records the rollback (default: this one). */
	mainDir?: string;
	/** Kept in the procedure file: a session that never saw the rollback start records it from there. */
	record?: RollbackRecord;
}

/** What the cockpit knows about a running step's terminal. */
export interface RunTerminal {
	runId: string;
	/** The size the PTY started with (resizes since are the runner's). */
	cols: number;
	rows: number;
}

/**
 * What the store drives. One object per open checklist; the engine writes
 * through it, the UI only reads the state and events it publishes.
 */
export interface SessionHandle {
	readonly checklist: Checklist;
	readonly dir: string;
	/** true when another process holds the writer lock: this one follows. */
	readonly readOnly: boolean;
	/** Why it is read-only ('followed', 'taken over by user@host (pid N)'); undefined while it writes. */
	readonly readOnlyReason?: string | undefined;
	/** Problems found on open (corrupt state kept aside, steps gone, ...). */
	readonly notices: string[];
	/** Team mode: when the link to the team went down (ms epoch), null while up; absent without a team. */
	readonly linkDownSince?: number | null;
	getState(): SessionState;
	/**
	 * Team mode: takes the session's one rollback claim, held until release()
	 * (two members pressing R → y at once start one rollback). Throws with the
	 * holder's name when another member's rollback holds it; with the link
	 * down it resolves unclaimed and says so in `note`. Absent without a team.
	 */
	claimRollback?(): Promise<{release(): Promise<void>; note?: string}>;
	/**
	 * Names of the shell variables carried in memory, including those never
	 * written to state.json (secrets): preflight counts them as set.
	 */
	carriedNames?(): string[];
	/** Bounded in-memory tail of the step's latest run output (ANSI kept). */
	outputTail(stepId: string): string;
	/**
	 * What a fresh screen of the step's run replays: the tail, preceded by the log from the last screen
	 * reset before it when the tail holds none (absent: the tail).
	 */
	screenTail?(stepId: string): string;
	subscribe(listener: (event: SessionEvent) => void): () => void;
	runStep(stepId: string, options?: RunOptions): Promise<{status: StepStatus; exitCode: number | null}>;
	cancel(stepId: string): Promise<void>;
	/** Shell runs started without a size of their own get a PTY of this size (the cockpit's detail pane). */
	setTerminalSize(size: {cols: number; rows: number} | undefined): void;
	/** The running step's PTY, once its runner has started one (undefined on pipes or when not running). */
	runTerminal(stepId: string): Promise<RunTerminal | undefined>;
	/** Types into the running step's terminal; false when there is none. Audited as "input sent" with its length only. */
	sendInput(stepId: string, data: string): Promise<boolean>;
	/** Resizes the running step's terminal. */
	resizeRun(stepId: string, cols: number, rows: number): Promise<boolean>;
	/**
	 * The real terminal is attached to the run (`!`): its PTY gets this size and keeps it (the pane's
	 * resizes pass it by) until null gives it back to the pane's size.
	 */
	pinSize?(stepId: string, size: {cols: number; rows: number} | null): Promise<boolean>;
	/** Manual marks: done / skipped / failed / pending. */
	mark(stepId: string, status: StepStatus, note?: string): Promise<void>;
	setCursor(cursor: SessionState['cursor']): void;
	/**
	 * The one write path: reduces the event(s) into the state (reducer.ts),
	 * persists the snapshot and appends the event(s) to the log. `audit` adds
	 * human fields to the log entry (the commands a rollback will run, ...).
	 */
	apply(events: RecordEvent | RecordEvent[], audit?: Record<string, unknown>): Promise<void>;
	/**
	 * Starts a detached rollback procedure (engine/procedure.ts) for the steps from `request.from` on;
	 * returns its id (in its procedure file). Absent where runs cannot outlive the process.
	 */
	startProcedure?(request: ProcedureRequest): Promise<string>;
	/** Records the runs a rollback's procedure launched that this session does not know yet; its file. */
	adoptProcedure?(rollbackId: string): Promise<ProcedureFile | undefined>;
	close(): Promise<void>;
}
