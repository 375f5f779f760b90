// One open checklist session: the records, the carried shell state, the
// lease and the follower's state watch. The engine writes through it; the UI
// reads getState() and the events. Every change to the records is a
// RecordEvent (events.ts) reduced by the pure reducer (reducer.ts) in
// commit(): the snapshot goes to state.json and the event to the log
// (record-log.ts), nothing else writes the state.
//
// The runs themselves (launch, follow, cancel, reattach, output
// tails) are the RunSupervisor's (supervisor.ts, issue 17): it reports every
// start, segment and end back here through RunOwner, and this file only
// delegates to it (see docs/sessions.md, "Events, the lease and the supervisor").
//
// Over the ~400-line mark (505) for a reason: it is the one writer of the
// records — commit/persist/log, the lease, the follower's watch and the
// procedure reconciling all go through the same reducer and lock. The next
// cut is the procedure part (startProcedure/adoptProcedure) into procedures.ts.
import {watch, type FSWatcher} from 'node:fs';
import {stat} from 'node:fs/promises';
import {hostname} from 'node:os';
import {join} from 'node:path';
import type {Checklist, Step} from '../checklist/model.js';
import {persistableVars} from '../engine/persistable.js';
import {applyChange, type CarriedShell, type ShellChange} from '../engine/shell-state.js';
import type {StepStatus} from '../engine/types.js';
import {createMasker, type Masker} from '../safety/mask.js';
import {RECORDED, type RecordEvent, type SequencedEvent} from './events.js';
import {whoAmI} from './identity.js';
import {watchLease} from './lease-watch.js';
import {lockIsLive, readLock, type WriterLock} from './lock.js';
import {FileRecordLog, type RecordLog} from './record-log.js';
import {reduce} from './reducer.js';
import {readState, statePath} from './state-file.js';
import {errorCode, isDiskFull} from './write-errors.js';
import {statusFromExit} from './segments.js';
import {adoptProcedure, readProcedure, startProcedure, syncProcedures, type ProcedureHost} from './procedures.js';
import {RunSupervisor, type RunEnd, type RunOwner} from './supervisor.js';
import type {ProcedureRequest, RunOptions, RunTerminal, SessionEvent, SessionHandle, SessionState} from './types.js';
import type {ProcedureFile} from '../engine/procedure-files.js';

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

export class Session implements SessionHandle {
	readonly checklist: Checklist;
	readonly dir: string;
	readonly notices: string[];
	private state: SessionState;
	private lock: WriterLock | undefined;
	private readonly listeners = new Set<(event: SessionEvent) => void>();
	/** Launch, follow, cancel, reattach and the executors: the runs, keyed by step and run id. */
	private readonly supervisor: RunSupervisor;
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
	/** Rollback procedures run detached (procedures.ts); adoptions one at a time. */
	private readonly procedures: ProcedureHost;
	private adopting: Promise<unknown> = Promise.resolve();
	/** Runs whose PTY keeps a size of its own (the real terminal is attached: `!`). */
	private readonly pinned = new Map<string, {cols: number; rows: number}>();
	private paneSize: {cols: number; rows: number} | undefined;

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
		const owner: RunOwner = {
			checklist: this.checklist,
			by: this.by,
			graceMs: this.graceMs,
			pollMs: this.pollMs,
			givenVars: this.givenVars,
			notices: this.notices,
			state: () => this.state,
			carried: () => this.carried,
			runEnv: () => this.runEnv(),
			masker: () => this.masker(),
			closed: () => this.closed,
			readOnly: () => this.readOnly,
			readOnlyReason: () => this.readOnlyReason,
			commit: (events, audit) => this.commit(events, audit),
			persistEvents: events => this.persistEvents(events),
			log: (logged, audit) => this.log(logged, audit),
			emit: event => this.emit(event),
			applyShell: change => this.applyShell(change),
			finishRun: (stepId, runId, outcome, startedAt) => this.finishRun(stepId, runId, outcome, startedAt),
		};
		this.supervisor = new RunSupervisor(owner, this.runsDir);
		this.procedures = {
			checklist: this.checklist,
			dir: this.dir,
			runsDir: this.runsDir,
			by: this.by,
			supervisor: this.supervisor,
			state: () => this.state,
			carried: () => this.carried,
			runEnv: () => this.runEnv(),
			givenVars: () => this.givenVars,
			commit: events => this.commit(events),
			notice: text => this.notices.push(text),
		};
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
			this.supervisor.syncFollowers();
			return;
		}
		try {
			// A snapshot written before its events were (or lost) must not reuse their seqs.
			if (!this.readOnly) this.seq = Math.max(this.seq, await this.records.lastSeq());
			await this.supervisor.reconcile();
			// Rollback steps a detached procedure ran while no cockpit was open.
			await this.serialAdopt(() => syncProcedures(this.procedures));
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
		if (this.supervisor.isActive(stepId) || this.state.steps[stepId]?.status === 'running') throw new Error(`step ${stepId} is running; cancel it first`);
		const step = this.step(stepId);
		const at = new Date().toISOString();
		await this.commit([{kind: 'marked', at, by: this.by, host: this.host, stepId, title: step.title, status, ...(note ? {note} : {})}]);
	}



	outputTail(stepId: string): string {
		return this.supervisor.outputTail(stepId);
	}

	screenTail(stepId: string): string {
		return this.supervisor.screenTail(stepId);
	}

	async runStep(stepId: string, options: RunOptions = {}): Promise<{status: StepStatus; exitCode: number | null}> {
		this.assertWritable();
		return this.supervisor.run(this.step(stepId), options);
	}

	setTerminalSize(size: {cols: number; rows: number} | undefined): void {
		this.paneSize = size;
		this.supervisor.setTerminalSize(size);
	}

	runTerminal(stepId: string): Promise<RunTerminal | undefined> {
		return this.supervisor.runTerminal(stepId);
	}

	sendInput(stepId: string, data: string): Promise<boolean> {
		return this.supervisor.sendInput(stepId, data);
	}

	resizeRun(stepId: string, cols: number, rows: number): Promise<boolean> {
		// A run the real terminal is attached to (`!`) keeps the terminal's size, not the pane's.
		if (this.pinned.has(stepId)) return Promise.resolve(false);
		return this.supervisor.resizeRun(stepId, cols, rows);
	}

	async pinSize(stepId: string, size: {cols: number; rows: number} | null): Promise<boolean> {
		if (size) {
			this.pinned.set(stepId, size);
			return this.supervisor.resizeRun(stepId, size.cols, size.rows);
		}
		this.pinned.delete(stepId);
		// Back in the pane: the pane's size.
		const pane = this.paneSize;
		return pane ? this.supervisor.resizeRun(stepId, pane.cols, pane.rows) : false;
	}

	cancel(stepId: string): Promise<void> {
		return this.supervisor.cancel(stepId);
	}

	startProcedure(request: ProcedureRequest): Promise<string> {
		this.assertWritable();
		return startProcedure(this.procedures, request);
	}

	adoptProcedure(rollbackId: string): Promise<ProcedureFile | undefined> {
		if (this.closed) return Promise.resolve(undefined);
		// A follower only reads: the writer records the runs.
		if (this.readOnly) return readProcedure(this.runsDir, rollbackId);
		return this.serialAdopt(() => adoptProcedure(this.procedures, rollbackId));
	}

	/** One adoption at a time: two polls must not record the same run twice. */
	private serialAdopt<T>(work: () => Promise<T>): Promise<T> {
		const next = this.adopting.then(work, work);
		this.adopting = next.catch(() => undefined);
		return next;
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
		await this.supervisor.stopFollowing();
		// A write that failed was said when it failed; closing goes on.
		await this.writeChain.catch(() => undefined);
		this.lock?.release();
		this.listeners.clear();
	}

	// --- what the supervisor reports back ---------------------------------


	private runEnv(): Record<string, string> {
		const env: Record<string, string> = {};
		for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('__DC_')) env[k] = v;
		Object.assign(env, this.extraEnv, this.carried.vars, this.givenVars);
		return env;
	}

	/** Records the end of a run (own or reattached) and tells the listeners. */
	private async finishRun(stepId: string, runId: string, outcome: RunEnd, startedAt?: Date): Promise<{status: StepStatus; exitCode: number | null}> {
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
		this.supervisor.inputs.forget(runId);
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
		const vars = persistableVars(this.carried.vars, env, this.supervisor.inputs.typed.values());
		const event: RecordEvent = {kind: 'shell-carried', shell: {cwd: this.carried.cwd, vars, exported: (this.carried.exported ?? []).filter(n => n in vars)}};
		this.state = reduce(this.state, event);
		this.unlogged.push(event);
	}

	// --- read-only: follow the writer's state ------------------------------

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
			this.supervisor.syncFollowers();
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
		const typed = this.supervisor.inputs.typed.values().filter(line => line.length >= 6);
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
