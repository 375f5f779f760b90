// One open checklist session: the records, the carried shell state, the
// runs this process started or reattached to, and the bounded output tails.
// The engine writes through it; the UI reads getState() and the events.
// Every change to the records is a RecordEvent (events.ts) reduced by the
// pure reducer (reducer.ts) in commit(): the snapshot goes to state.json and
// the event to the log (record-log.ts), nothing else writes the state.
//
// Over 400 lines on purpose, for now: the run supervisor (launch, follow,
// cancel, reattach, executors, output tails — runStep/execute/runShell/
// runInProcess/reconcile/reattach/follow below) moves out into its own part
// keyed by run id once the PTY work of issue 10 has landed in this same code
// (see docs/sessions.md, "Events, the lease and the supervisor"). What stays
// here then: the lease, commit() and the follower's state watch.
import {createWriteStream, openSync, closeSync, watch, type FSWatcher} from 'node:fs';
import {stat} from 'node:fs/promises';
import {hostname} from 'node:os';
import {basename, join} from 'node:path';
import type {Block, Checklist, Step} from '../checklist/model.js';
import {awaitRunEnd, runState, type RunOutcome} from '../engine/await-run.js';
import {positionScript} from '../engine/block-lines.js';
import {ExecutorRegistry} from '../engine/executors.js';
import {LogFollower} from '../engine/follow.js';
import {launchRunner, type LaunchedRunner} from '../engine/launch.js';
import {LineMasker} from '../engine/line-masker.js';
import {persistableVars} from '../engine/persistable.js';
import {stopGroup} from '../engine/proc.js';
import {runFiles, type ExitFile, type PidFile, type RunFiles, type RunnerSpec} from '../engine/run-files.js';
import {applyChange, unexportPrelude, type CarriedShell, type ShellChange} from '../engine/shell-state.js';
import {BoundedTail, defaultTailLimits} from '../engine/tail.js';
import type {StepStatus} from '../engine/types.js';
import {createMasker, createStreamMasker, secretRules, type Masker} from '../safety/mask.js';
import {fillPlaceholders} from '../safety/analyze.js';
import {RECORDED, type RecordEvent, type SequencedEvent} from './events.js';
import {newRunId, whoAmI} from './identity.js';
import {watchLease} from './lease-watch.js';
import {lockIsLive, readLock, type WriterLock} from './lock.js';
import {fileSize, readLogEnd} from './log-end.js';
import {FileRecordLog, type RecordLog} from './record-log.js';
import {reduce} from './reducer.js';
import {RunInputs} from './run-input.js';
import {readState, statePath} from './state-file.js';
import {errorCode, isDiskFull} from './write-errors.js';
import {segments, statusFromExit} from './segments.js';
import type {RunOptions, RunTerminal, SessionEvent, SessionHandle, SessionState} from './types.js';

export interface SessionInit {
	checklist: Checklist;
	dir: string;
	state: SessionState;
	lock: WriterLock | undefined;
	notices: string[];
	/** Grace period between SIGINT, SIGTERM and SIGKILL on cancel. */
	cancelGraceMs?: number;
	pollMs?: number;
	/** Opened without the lock for a reason other than another writer (the disk is full). */
	readOnlyReason?: string;
	/** Where the events and snapshots go (default: the session dir's audit.jsonl and state.json). */
	records?: RecordLog;
	/** Added to every run's environment, over the process's own (the cockpit's --prometheus). */
	runEnv?: Record<string, string>;
	/** The name on runs and marks (team mode's --as; default user@host). */
	by?: string;
	/** Wraps the record log (team mode publishes every appended event). */
	wrapRecords?: (inner: RecordLog) => RecordLog;
}

interface ActiveRun {
	stepId: string;
	runId: string;
	abort: AbortController;
	cancelRequested: boolean;
	pgid?: number;
	/** Started by this process (runStep), as opposed to reattached. */
	own: boolean;
	/** The first shell segment's runner, spawned as soon as the run was recorded. */
	launched?: LaunchedRunner;
}

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class Session implements SessionHandle {
	readonly checklist: Checklist;
	readonly dir: string;
	readonly notices: string[];
	private state: SessionState;
	private lock: WriterLock | undefined;
	private readonly listeners = new Set<(event: SessionEvent) => void>();
	private readonly tails = new Map<string, BoundedTail>();
	private readonly followers = new Map<string, LogFollower>();
	private readonly active = new Map<string, ActiveRun>();
	private readonly executors = new ExecutorRegistry();
	/** The full carried shell, secrets included; state.shell is its persistable part. */
	private carried: CarriedShell;
	/** Values the operator gave in preflight, for the life of this process only. */
	private readonly givenVars: Record<string, string> = {};
	private writeChain: Promise<void> = Promise.resolve();
	private cursorTimer: NodeJS.Timeout | undefined;
	private closed = false;
	private stateWatcher: FSWatcher | undefined;
	private statePoll: NodeJS.Timeout | undefined;
	private lastStateStamp = '';
	private stopLeaseWatch: (() => void) | undefined;
	/** The last write of state.json failed: what is on disk is behind memory. */
	private stateUnsaved = false;
	/** Why this cockpit cannot write, once it lost the lock it had. */
	private lostReason: string | undefined;
	private readonly graceMs: number;
	private readonly pollMs: number;
	private readonly by: string;
	private readonly host = hostname();
	private readonly records: RecordLog;
	private readonly extraEnv: Record<string, string>;
	/** Seq of the last event given to the log. */
	private seq: number;
	/** Reduced already (a block's carried shell), logged with the next commit. */
	private readonly unlogged: RecordEvent[] = [];
	private readonly inputs: RunInputs;
	/** The PTY size shell runs get when the caller gives none (the cockpit's detail pane). */
	private terminalSize: {cols: number; rows: number} | undefined;

	constructor(init: SessionInit) {
		this.checklist = init.checklist;
		this.dir = init.dir;
		this.state = init.state;
		this.lock = init.lock;
		this.notices = init.notices;
		this.lostReason = init.readOnlyReason;
		this.graceMs = init.cancelGraceMs ?? 2000;
		this.pollMs = init.pollMs ?? 100;
		this.carried = {cwd: this.state.shell.cwd, vars: {...this.state.shell.vars}, exported: this.state.shell.exported};
		this.by = init.by ?? whoAmI();
		const records = init.records ?? new FileRecordLog(this.dir, this.by, () => this.masker());
		this.records = init.wrapRecords ? init.wrapRecords(records) : records;
		this.seq = this.state.seq ?? 0;
		this.extraEnv = init.runEnv ?? {};
		this.inputs = new RunInputs(this.runsDir, ({stepId, runId, bytes}) => {
			void this.commit([{kind: 'input-sent', at: new Date().toISOString(), by: this.by, stepId, runId, bytes}]);
		});
	}

	get readOnly(): boolean {
		return !this.lock;
	}

	get readOnlyReason(): string | undefined {
		if (this.lock) return undefined;
		return this.lostReason ?? 'followed';
	}

	get runsDir(): string {
		return join(this.dir, 'runs');
	}

	/** Picks up runs recorded as running: follows the live ones, records the ended ones. */
	async start(): Promise<void> {
		const writerAlive = this.readOnly && lockIsLive(readLock(this.dir));
		if (writerAlive) {
			this.watchState();
			this.syncFollowers();
			return;
		}
		try {
			// A snapshot written before its events were (or lost) must not reuse their seqs.
			if (!this.readOnly) this.seq = Math.max(this.seq, await this.records.lastSeq());
			await this.reconcile();
			if (!this.readOnly) await this.persist();
		} catch (error) {
			if (this.readOnly || !isDiskFull(error)) throw error;
			// Nothing can be recorded: follow instead of pretending to write.
			this.lock?.release();
			this.lock = undefined;
			this.lostReason = 'the disk is full';
			this.notices.push(`the disk is full (${(error as Error).message}): opened read-only; free some space and reopen to run steps`);
		}
		if (this.readOnly) this.watchState();
		const lock = this.lock;
		if (lock) this.stopLeaseWatch = watchLease(this.dir, () => lock.held(), () => this.loseLock());
	}

	getState(): SessionState {
		return this.state;
	}

	subscribe(listener: (event: SessionEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	outputTail(stepId: string): string {
		let tail = this.tails.get(stepId);
		if (!tail) {
			const record = this.state.steps[stepId];
			if (!record?.logPath) return '';
			tail = new BoundedTail();
			tail.push(readLogEnd(record.logPath, defaultTailLimits.maxChars));
			this.tails.set(stepId, tail);
		}
		return tail.text();
	}

	setCursor(cursor: SessionState['cursor']): void {
		this.state = reduce(this.state, {kind: 'cursor-moved', cursor});
		if (this.readOnly) return;
		if (this.cursorTimer) clearTimeout(this.cursorTimer);
		this.cursorTimer = setTimeout(() => {
			this.cursorTimer = undefined;
			// A failed write was already said (write-failed); the cursor is not worth more.
			this.persist().catch(() => undefined);
		}, 300);
	}

	async apply(events: RecordEvent | RecordEvent[], audit?: Record<string, unknown>): Promise<void> {
		this.assertWritable();
		await this.commit(Array.isArray(events) ? events : [events], audit);
	}

	async mark(stepId: string, status: StepStatus, note?: string): Promise<void> {
		this.assertWritable();
		if (this.active.has(stepId) || this.state.steps[stepId]?.status === 'running') throw new Error(`step ${stepId} is running; cancel it first`);
		const step = this.step(stepId);
		const at = new Date().toISOString();
		await this.commit([{kind: 'marked', at, by: this.by, host: this.host, stepId, title: step.title, status, ...(note ? {note} : {})}]);
	}

	async runStep(stepId: string, options: RunOptions = {}): Promise<{status: StepStatus; exitCode: number | null}> {
		this.assertWritable();
		const step = this.step(stepId);
		if (this.active.has(stepId) || this.state.steps[stepId]?.status === 'running') throw new Error(`step ${stepId} is already running`);
		const runId = newRunId(stepId);
		const files = runFiles(this.runsDir, runId);
		const active: ActiveRun = {stepId, runId, abort: new AbortController(), cancelRequested: false, own: true};
		this.active.set(stepId, active);
		const startedAt = new Date();
		const runnable = step.blocks.filter(b => b.executor !== null);
		const given = options.vars ?? {};
		for (const [name, value] of Object.entries(given)) {
			if (VALID_NAME.test(name) && !step.placeholders.includes(name)) this.givenVars[name] = value;
		}
		const scripts = runnable.map(b => fillPlaceholders(b.code, given));
		let started: SequencedEvent[];
		try {
			// Recorded before anything starts: a crash from here on leaves a record that reattach can resolve.
			started = await this.persistEvents([{kind: 'run-started', at: startedAt.toISOString(), by: this.by, host: this.host, stepId, runId, title: step.title, logPath: files.log, ...(this.terminalFor(options, runnable) ? {terminal: this.terminalFor(options, runnable)} : {}), ...(options.fence !== undefined ? {fence: options.fence} : {})}]);
			closeSync(openSync(files.log, 'a', 0o600));
		} catch (error) {
			this.active.delete(stepId);
			throw error;
		}
		// The runner starts right after the record, before the audit and the UI: a cockpit killed
		// from here on leaves a command that runs (the spec is in the runner's stdin before the spawn).
		const first = segments(runnable)[0];
		if (first?.kind === 'shell' && !options.interactive) {
			try {
				active.launched = launchRunner(this.shellSpec(first.blocks, scripts.slice(0, first.blocks.length), files, active, options));
			} catch {
				// runShell tries again and reports the error as the step's
			}
		}
		await this.log(started, {command: this.masker()(scripts.join('\n'))});
		this.emit({type: 'run-start', stepId, runId});
		this.tails.set(stepId, new BoundedTail());
		const follower = this.follow(stepId, runId, files.log);

		let outcome: {exit?: ExitFile; lost?: string; detached?: boolean; error?: string; withheld?: string[]};
		try {
			outcome = await this.execute(step, runnable, scripts, active, options);
		} catch (error) {
			outcome = {error: error instanceof Error ? error.message : String(error)};
		}
		if (outcome.detached) {
			await follower.stop();
			return {status: 'running', exitCode: null};
		}
		await follower.finish();
		this.followers.delete(stepId);
		const result = await this.finishRun(stepId, runId, outcome, startedAt);
		this.active.delete(stepId);
		return result;
	}

	setTerminalSize(size: {cols: number; rows: number} | undefined): void {
		this.terminalSize = size;
	}

	/** The PTY a run's shell blocks get: the caller's size, else the cockpit's pane; none for `!` runs or no shell. */
	private terminalFor(options: RunOptions, blocks: Block[]): {cols: number; rows: number} | undefined {
		if (options.interactive || !blocks.some(b => b.executor === 'shell')) return undefined;
		return options.terminal ?? this.terminalSize;
	}

	async runTerminal(stepId: string): Promise<RunTerminal | undefined> {
		const record = this.state.steps[stepId];
		if (record?.status !== 'running' || !record.runId) return undefined;
		return this.inputs.terminal(record.runId, record.segment ?? 0);
	}

	async sendInput(stepId: string, data: string): Promise<boolean> {
		const record = this.state.steps[stepId];
		if (this.readOnly || record?.status !== 'running' || !record.runId || !data) return false;
		return this.inputs.send(stepId, record.runId, record.segment ?? 0, data);
	}

	async resizeRun(stepId: string, cols: number, rows: number): Promise<boolean> {
		const record = this.state.steps[stepId];
		if (this.readOnly || record?.status !== 'running' || !record.runId) return false;
		return this.inputs.resize(record.runId, record.segment ?? 0, cols, rows);
	}

	async cancel(stepId: string): Promise<void> {
		const record = this.state.steps[stepId];
		const active = this.active.get(stepId);
		if (!active && record?.status !== 'running') return;
		if (this.readOnly) throw new Error(`this session is read-only (${this.readOnlyReason}); take it over to cancel`);
		if (active) {
			active.cancelRequested = true;
			active.abort.abort();
		}
		await this.commit([{kind: 'cancel-requested', at: new Date().toISOString(), stepId}]);
		let pgid = active?.pgid;
		if (pgid === undefined && record?.runId) {
			const {pid} = await runState(runFiles(this.runsDir, record.runId, record.segment ?? 0));
			pgid = pid?.pgid;
		}
		// Not started yet: the run sees cancelRequested as soon as its pid file appears.
		if (pgid !== undefined) await stopGroup(pgid, this.graceMs);
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		if (this.cursorTimer) {
			clearTimeout(this.cursorTimer);
			this.cursorTimer = undefined;
			await this.persist().catch(() => undefined);
		}
		this.stopLeaseWatch?.();
		this.stateWatcher?.close();
		if (this.statePoll) clearInterval(this.statePoll);
		await Promise.all([...this.followers.values()].map(f => f.stop()));
		this.followers.clear();
		this.inputs.close();
		// A write that failed was said when it failed; closing goes on.
		await this.writeChain.catch(() => undefined);
		await this.executors.close();
		this.lock?.release();
		this.listeners.clear();
	}

	// --- running ----------------------------------------------------------

	private async execute(step: Step, runnable: Block[], scripts: string[], active: ActiveRun, options: RunOptions): Promise<{exit?: ExitFile; lost?: string; detached?: boolean; withheld?: string[]}> {
		const started = Date.now();
		if (runnable.length === 0) {
			return {exit: {exitCode: 0, signal: null, startedAt: new Date(started).toISOString(), endedAt: new Date().toISOString(), durationMs: 0, block: -1}};
		}
		const parts = segments(runnable);
		const withheld: string[] = [];
		let index = 0;
		let last: ExitFile | undefined;
		for (const [segmentNo, part] of parts.entries()) {
			// A runner already spawned for the first segment is followed (and stopped) like any other.
			if (active.cancelRequested && !(segmentNo === 0 && active.launched)) break;
			if (segmentNo > 0) await this.commit([{kind: 'run-segment', stepId: active.stepId, runId: active.runId, segment: segmentNo}]);
			const files = runFiles(this.runsDir, active.runId, segmentNo);
			if (part.kind === 'shell') {
				const count = part.blocks.length;
				const outcome = await this.runShell(part.blocks, scripts.slice(index, index + count), files, active, options);
				index += count;
				if (outcome.kind === 'detached') return {detached: true};
				if (outcome.kind === 'lost') return {lost: outcome.reason};
				if (outcome.change) this.applyShell(outcome.change);
				else if (outcome.exit.shell) {
					this.applyShell(outcome.exit.shell);
					withheld.push(...outcome.exit.shell.withheld);
				}
				last = outcome.exit;
			} else {
				last = await this.runInProcess(part.block, scripts[index]!, files, active, options);
				index += 1;
			}
			if (last.exitCode !== 0 || last.error) break;
		}
		if (active.cancelRequested && !last) {
			const now = new Date().toISOString();
			last = {exitCode: null, signal: null, startedAt: now, endedAt: now, durationMs: 0, block: -1};
		}
		return {exit: last, withheld};
	}

	private runEnv(): Record<string, string> {
		const env: Record<string, string> = {};
		for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('__DC_')) env[k] = v;
		Object.assign(env, this.extraEnv, this.carried.vars, this.givenVars);
		return env;
	}

	private shellSpec(blocks: Block[], filled: string[], files: RunFiles, active: ActiveRun, options: RunOptions): RunnerSpec {
		// Laid out at their checklist lines, so bash's line numbers are the checklist's.
		const placed = filled.map((code, i) => positionScript(blocks[i]!, code));
		return {
			runId: active.runId,
			files,
			scripts: placed.map(p => p.code),
			lines: placed.map(p => p.line),
			...(this.checklist.file ? {name: basename(this.checklist.file)} : {}),
			prelude: unexportPrelude(this.carried),
			cwd: this.carried.cwd,
			env: this.runEnv(),
			carried: Object.keys(this.carried.vars),
			...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
			graceMs: this.graceMs,
			...(this.terminalFor(options, blocks) ? {terminal: this.terminalFor(options, blocks)} : {}),
			// Failure is failure: set -e and pipefail unless the frontmatter says `errexit: false`.
			...(this.checklist.settings.errexit !== false ? {errexit: true} : {}),
			secrets: secretRules(),
		};
	}

	private async runShell(blocks: Block[], filled: string[], files: RunFiles, active: ActiveRun, options: RunOptions): Promise<RunOutcome> {
		const spec = this.shellSpec(blocks, filled, files, active, options);
		if (options.interactive) {
			// execa costs ~60 ms to load; only the `!` key needs it.
			const {runInteractive} = await import('../engine/interactive.js');
			const result = await runInteractive(spec);
			return {kind: 'exit', exit: result.exit, ...(result.change ? {change: result.change} : {})};
		}
		const launched = active.launched ?? launchRunner(spec);
		active.launched = undefined;
		await launched.started;
		return awaitRunEnd(files, {
			report: launched.report,
			stopped: () => this.closed,
			pollMs: this.pollMs,
			onPid: pid => {
				active.pgid = pid.pgid;
				if (active.cancelRequested) void stopGroup(pid.pgid, this.graceMs);
			},
		});
	}

	private async runInProcess(block: Block, code: string, files: RunFiles, active: ActiveRun, options: RunOptions): Promise<ExitFile> {
		const startedAt = new Date();
		const log = createWriteStream(files.log, {flags: 'a', mode: 0o600});
		const masker = new LineMasker(createStreamMasker({...process.env, ...this.carried.vars, ...this.givenVars}), text => log.write(text));
		const executor = await this.executors.get(block.executor as 'sql' | 'redis' | 'promql');
		let timer: NodeJS.Timeout | undefined;
		if (options.timeoutMs) timer = setTimeout(() => active.abort.abort(new Error('timed out')), options.timeoutMs);
		let result;
		try {
			result = await executor.run({...block, code}, {
				cwd: this.carried.cwd,
				env: this.runEnv(),
				settings: this.checklist.settings,
				signal: active.abort.signal,
				write: chunk => masker.write(chunk),
				...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
				confirmed: options.confirmed ?? false,
			});
		} catch (error) {
			result = {exitCode: null, error: error instanceof Error ? error.message : String(error)};
		} finally {
			if (timer) clearTimeout(timer);
		}
		masker.flush();
		await new Promise(resolve => log.end(resolve));
		const endedAt = new Date();
		return {
			exitCode: result.exitCode,
			signal: result.signal ?? null,
			startedAt: startedAt.toISOString(),
			endedAt: endedAt.toISOString(),
			durationMs: endedAt.getTime() - startedAt.getTime(),
			block: 0,
			...(result.error ? {error: result.error} : {}),
		};
	}

	/** Records the end of a run (own or reattached) and tells the listeners. */
	private async finishRun(stepId: string, runId: string, outcome: {exit?: ExitFile; lost?: string; error?: string; withheld?: string[]}, startedAt?: Date): Promise<{status: StepStatus; exitCode: number | null}> {
		const record = this.state.steps[stepId];
		if (!record || record.runId !== runId) return {status: record?.status ?? 'pending', exitCode: record?.exitCode ?? null};
		const cancelled = Boolean(record.cancelRequestedAt);
		const exit = outcome.exit;
		const status: StepStatus = exit ? statusFromExit(exit, cancelled) : outcome.error ? 'failed' : 'interrupted';
		const endedAt = exit?.endedAt ?? new Date().toISOString();
		const began = startedAt ?? (record.startedAt ? new Date(record.startedAt) : undefined);
		const durationMs = began ? Math.max(0, new Date(endedAt).getTime() - began.getTime()) : exit?.durationMs;
		const error = outcome.error ?? exit?.error ?? (exit?.timedOut ? 'timed out' : outcome.lost);
		const exitCode = exit?.exitCode ?? null;
		this.inputs.forget(runId);
		const withheld = outcome.withheld ?? [];
		await this.commit(
			[
				{
					kind: 'run-ended',
					at: endedAt,
					stepId,
					runId,
					status,
					exitCode,
					signal: exit?.signal ?? null,
					...(durationMs !== undefined ? {durationMs} : {}),
					...(error ? {error} : {}),
					...(exit?.timedOut ? {timedOut: true} : {}),
					...(exit?.failedLine !== undefined ? {failedLine: exit.failedLine, failedCommand: exit.failedCommand ?? ''} : {}),
					...(withheld.length ? {withheld} : {}),
				},
			],
			{by: record.by ?? this.by},
		);
		this.emit({type: 'run-end', stepId, runId, status, exitCode});
		return {status, exitCode};
	}

	private applyShell(change: ShellChange): void {
		this.carried = applyChange(this.carried, change);
		const env = this.runEnv();
		const vars = persistableVars(this.carried.vars, env, this.inputs.typed.values());
		const event: RecordEvent = {kind: 'shell-carried', shell: {cwd: this.carried.cwd, vars, exported: (this.carried.exported ?? []).filter(n => n in vars)}};
		this.state = reduce(this.state, event);
		this.unlogged.push(event);
	}

	// --- reattach and follow ------------------------------------------------

	private async reconcile(): Promise<void> {
		for (const [stepId, record] of Object.entries(this.state.steps)) {
			// Another team member's run: its own cockpit records how it ends.
			if (record.status !== 'running' || record.origin) continue;
			if (!record.runId) {
				await this.commit([{kind: 'run-ended', at: new Date().toISOString(), stepId, status: 'interrupted', exitCode: null, error: 'no run was recorded'}]);
				continue;
			}
			const segment = record.segment ?? 0;
			const files = runFiles(this.runsDir, record.runId, segment);
			const state = await runState(files);
			if (state.exit) {
				if (state.exit.shell) this.applyShell(state.exit.shell);
				const result = await this.finishRun(stepId, record.runId, this.checkRemaining(stepId, segment, state.exit));
				this.notices.push(`step ${stepId} ended while no cockpit was following it: ${result.status}${result.exitCode !== null ? ` (exit ${result.exitCode})` : ''}`);
			} else if (state.alive) {
				this.reattach(stepId, record.runId, files);
				this.notices.push(`step ${stepId} is still running; following it again`);
			} else {
				await this.finishRun(stepId, record.runId, {lost: state.pid ? 'the runner is gone and left no exit status (machine restarted?)' : 'the cockpit stopped before the command started'});
				this.notices.push(`step ${stepId} was interrupted: its outcome cannot be known (the runner is gone without an exit status)`);
			}
		}
	}

	/** A reattached step that had blocks after this runner: those never ran. */
	private checkRemaining(stepId: string, segment: number, exit: ExitFile): {exit?: ExitFile; lost?: string; withheld?: string[]} {
		const step = this.checklist.steps.find(s => s.id === stepId);
		const total = step ? segments(step.blocks.filter(b => b.executor)).length : segment + 1;
		if (segment + 1 < total && exit.exitCode === 0) return {lost: 'the cockpit stopped before the remaining blocks ran'};
		return {exit, withheld: exit.shell?.withheld ?? []};
	}

	private reattach(stepId: string, runId: string, files: RunFiles): void {
		const active: ActiveRun = {stepId, runId, abort: new AbortController(), cancelRequested: false, own: false};
		this.active.set(stepId, active);
		const follower = this.follow(stepId, runId, files.log, true);
		void (async () => {
			const outcome = await awaitRunEnd(files, {
				stopped: () => this.closed,
				pollMs: Math.max(this.pollMs, 200),
				onPid: (pid: PidFile) => {
					active.pgid = pid.pgid;
				},
			});
			if (outcome.kind === 'detached') return;
			await follower.finish();
			this.followers.delete(stepId);
			if (this.readOnly || this.closed) return;
			if (outcome.kind === 'exit') {
				const record = this.state.steps[stepId];
				if (outcome.exit.shell) this.applyShell(outcome.exit.shell);
				await this.finishRun(stepId, runId, this.checkRemaining(stepId, record?.segment ?? 0, outcome.exit));
			} else {
				await this.finishRun(stepId, runId, {lost: outcome.reason});
			}
			this.active.delete(stepId);
		})().catch(() => {
			// Its record could not be saved (said by write-failed); memory holds the end.
			this.active.delete(stepId);
		});
	}

	/** Tails the log into the step's bounded buffer and to the listeners. */
	private follow(stepId: string, runId: string, logPath: string, fromTail = false): LogFollower {
		this.followers.get(stepId)?.stop();
		const tail = new BoundedTail();
		this.tails.set(stepId, tail);
		let from = 0;
		if (fromTail) {
			// Reattached: show the end of what was printed while away, then follow.
			const size = fileSize(logPath);
			from = Math.max(0, size - defaultTailLimits.maxChars);
			tail.push(readLogEnd(logPath, defaultTailLimits.maxChars, size));
			from = size;
		}
		const follower = new LogFollower(
			logPath,
			text => {
				tail.push(text);
				this.emit({type: 'output', stepId, runId, chunk: text});
			},
			{from, pollMs: Math.max(this.pollMs, 100)},
		).start();
		this.followers.set(stepId, follower);
		return follower;
	}

	/** Read-only: follow the logs of the runs the writer has going. */
	private syncFollowers(): void {
		for (const [stepId, record] of Object.entries(this.state.steps)) {
			const follower = this.followers.get(stepId);
			if (record.status === 'running' && record.logPath && record.runId) {
				if (!follower || follower.path !== record.logPath) this.follow(stepId, record.runId, record.logPath, true);
			} else if (follower) {
				this.followers.delete(stepId);
				void follower.finish();
			}
		}
	}

	private watchState(): void {
		const check = async () => {
			if (this.closed) return;
			let stamp: string;
			try {
				const info = await stat(statePath(this.dir));
				stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
			} catch {
				return;
			}
			if (stamp === this.lastStateStamp) return;
			this.lastStateStamp = stamp;
			const read = await readState(this.dir);
			if (read.kind !== 'ok' || this.closed) return;
			this.state = read.state;
			this.carried = {cwd: read.state.shell.cwd, vars: {...read.state.shell.vars}, exported: read.state.shell.exported};
			this.syncFollowers();
			this.emit({type: 'state', state: this.state});
		};
		try {
			this.stateWatcher = watch(this.dir, {persistent: false}, (_event, name) => {
				if (name === 'state.json') void check();
			});
			this.stateWatcher.on('error', () => undefined);
		} catch {
			// the poll covers it
		}
		this.statePoll = setInterval(() => void check(), 500);
		this.statePoll.unref();
		void check();
	}

	// --- state --------------------------------------------------------------

	private step(stepId: string): Step {
		const step = this.checklist.steps.find(s => s.id === stepId);
		if (!step) throw new Error(`no step with id ${stepId} in ${this.checklist.file ?? 'the checklist'}`);
		return step;
	}

	private assertWritable(): void {
		if (this.closed) throw new Error('the session is closed');
		if (this.lock && !this.lock.held()) this.loseLock();
		if (this.readOnly) throw new Error(`this session is read-only (${this.readOnlyReason}); take it over to make changes`);
	}

	carriedNames(): string[] {
		return Object.keys(this.carried.vars);
	}

	private masker(): Masker {
		// Lines typed into a terminal may be passwords; short answers (y, 42) would mask too much.
		const typed = this.inputs.typed.values().filter(line => line.length >= 6);
		return createMasker({...process.env, ...this.carried.vars, ...this.givenVars}, typed);
	}

	/** Reduce, persist the snapshot, append to the log: the session's single write path. */
	private async commit(events: RecordEvent[], audit?: Record<string, unknown>): Promise<void> {
		await this.log(await this.persistEvents(events), audit);
	}

	/** Reduces the events and writes the snapshot; returns the ones the log is to get. */
	private async persistEvents(events: RecordEvent[]): Promise<SequencedEvent[]> {
		const logged: SequencedEvent[] = [];
		for (const event of this.unlogged.splice(0)) logged.push({seq: ++this.seq, event});
		let next = this.state;
		for (const event of events) {
			next = reduce(next, event);
			if (RECORDED.has(event.kind)) logged.push({seq: ++this.seq, event});
		}
		if (logged.length > 0) next = {...next, seq: this.seq};
		this.state = next;
		this.emit({type: 'state', state: this.state});
		await this.persist();
		return logged;
	}

	/** Appends to the log; a failure is said (write-failed), never thrown: the state is already saved. */
	private async log(logged: SequencedEvent[], audit?: Record<string, unknown>): Promise<void> {
		if (this.readOnly) return;
		for (const [i, entry] of logged.entries()) {
			try {
				await this.records.append(entry, i === logged.length - 1 ? audit : undefined);
			} catch (error) {
				this.notices.push(`could not write the audit log: ${(error as Error).message}`);
				this.emit({type: 'write-failed', what: 'audit', message: (error as Error).message, ...errorCode(error)});
			}
		}
	}

	private persist(): Promise<void> {
		if (!this.lock) return this.writeChain;
		const write = async () => {
			if (!this.lock) return;
			if (!this.lock.held()) {
				this.loseLock();
				return;
			}
			try {
				await this.records.snapshot(this.state);
			} catch (error) {
				// Said at once (the store flashes it and keeps a mark in the header); the caller's promise fails too.
				this.stateUnsaved = true;
				this.emit({type: 'write-failed', what: 'state', message: (error as Error).message, ...errorCode(error)});
				throw error;
			}
			if (this.stateUnsaved) {
				this.stateUnsaved = false;
				this.emit({type: 'write-recovered'});
			}
		};
		this.writeChain = this.writeChain.then(write, write);
		return this.writeChain;
	}

	/** Another cockpit took the session over: from now on this one follows. */
	private loseLock(): void {
		if (!this.lock) return;
		this.lock = undefined;
		this.stopLeaseWatch?.();
		const holder = readLock(this.dir);
		// A lock that is gone (not replaced) is not put back: whoever removed it may have written since.
		this.lostReason = holder ? `taken over by ${holder.by} (pid ${holder.pid})` : 'its writer lock was removed by another process';
		this.notices.push(`${this.lostReason}; this cockpit is now read-only`);
		this.watchState();
		this.emit({type: 'lease-lost', reason: this.lostReason});
		this.emit({type: 'state', state: this.state});
	}

	private emit(event: SessionEvent): void {
		for (const listener of this.listeners) {
			try {
				listener(event);
			} catch {
				// a listener's failure must not stop the engine
			}
		}
	}
}
