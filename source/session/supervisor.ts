// The run supervisor of one session: launches the detached runners (shell
// segments over a control socket and a PTY; each SQL/Redis/PromQL block in a
// runner of its own, which holds the connection), follows their logs
// (run-output.ts), cancels them and
// reattaches to the ones a previous cockpit left running. Keyed by step id
// (one run per step at a time) and run id. It holds no records: every start,
// segment and end goes back to the owning Session through RunOwner, which
// reduces, saves and logs it (session.ts imports this file, never the other way).
//
// Over the ~400-line mark (~450): launch, follow, cancel and reattach share
// the ActiveRun bookkeeping; splitting them apart would pass that map around.
// The runner specs are built in run-specs.ts; reattach (settle/reattach) is
// the next part that could move out, behind the same RunOwner.
import {openSync, closeSync} from 'node:fs';
import {hostname} from 'node:os';
import type {Block, Checklist, Step} from '../checklist/model.js';
import {awaitRunEnd, runState, type RunOutcome} from '../engine/await-run.js';
import {launchRunner, type LaunchedRunner} from '../engine/launch.js';
import {runFiles, type ExitFile, type PidFile, type RunFiles, type RunnerSpec} from '../engine/run-files.js';
import {stopRun} from '../engine/stop-run.js';
import type {ProcedureRunSpec} from '../engine/procedure-files.js';
import type {CarriedShell, ShellChange} from '../engine/shell-state.js';
import type {StepStatus} from '../engine/types.js';
import type {Masker} from '../safety/mask.js';
import {fillPlaceholders} from '../safety/analyze.js';
import type {RecordEvent, SequencedEvent} from './events.js';
import {newRunId} from './identity.js';
import {RunInputs} from './run-input.js';
import {RunOutputs} from './run-output.js';
import {executorSpec, scriptRun, shellSpec} from './run-specs.js';
import {segments} from './segments.js';
import type {RunOptions, RunTerminal, SessionEvent, SessionState} from './types.js';

/** How a run ended, as the owner records it. */
export interface RunEnd {
	exit?: ExitFile;
	lost?: string;
	error?: string;
	withheld?: string[];
}

/** What the supervisor needs of the session that owns it: the records, the carried shell, the events. */
export interface RunOwner {
	readonly checklist: Checklist;
	readonly by: string;
	readonly graceMs: number;
	readonly pollMs: number;
	/** Values the operator gave in preflight (filled in by run(); the owner masks them). */
	readonly givenVars: Record<string, string>;
	readonly notices: string[];
	state(): SessionState;
	carried(): CarriedShell;
	runEnv(): Record<string, string>;
	masker(): Masker;
	closed(): boolean;
	readOnly(): boolean;
	readOnlyReason(): string | undefined;
	commit(events: RecordEvent[], audit?: Record<string, unknown>): Promise<void>;
	persistEvents(events: RecordEvent[]): Promise<SequencedEvent[]>;
	log(logged: SequencedEvent[], audit?: Record<string, unknown>): Promise<void>;
	emit(event: SessionEvent): void;
	applyShell(change: ShellChange): void;
	finishRun(stepId: string, runId: string, outcome: RunEnd, startedAt?: Date): Promise<{status: StepStatus; exitCode: number | null}>;
}

interface ActiveRun {
	stepId: string;
	runId: string;
	cancelRequested: boolean;
	/** The current runner's pid file, once written: how a cancel reaches it. */
	pid?: PidFile;
	/** The runner pid a cancel was already sent to (a cancel and the pid file's arrival may both send it). */
	stopped?: number;
	/** That cancel until the run's process group is gone: the end is recorded after it (no process left behind). */
	stopping?: Promise<void>;
	/** Started by this process (run), as opposed to reattached. */
	own: boolean;
	/** The first shell segment's runner, spawned as soon as the run was recorded. */
	launched?: LaunchedRunner;
}

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class RunSupervisor {
	/** Control sockets of the live runs: typed input, resize, the terminal a run is drawing. */
	readonly inputs: RunInputs;
	private readonly outputs: RunOutputs;
	private readonly active = new Map<string, ActiveRun>();
	private readonly host = hostname();
	/** The PTY size shell runs get when the caller gives none (the cockpit's detail pane). */
	private terminalSize: {cols: number; rows: number} | undefined;

	constructor(
		private readonly owner: RunOwner,
		private readonly runsDir: string,
	) {
		this.outputs = new RunOutputs(event => owner.emit(event), owner.pollMs);
		this.inputs = new RunInputs(runsDir, ({stepId, runId, bytes}) => {
			void owner.commit([{kind: 'input-sent', at: new Date().toISOString(), by: owner.by, stepId, runId, bytes}]);
		});
	}

	/** A run this process started or reattached to is going on for the step. */
	isActive(stepId: string): boolean {
		return this.active.has(stepId);
	}

	/** Stops following (the runs go on) and closes the control sockets. */
	async stopFollowing(): Promise<void> {
		await this.outputs.stop();
		this.inputs.close();
	}

	outputTail(stepId: string): string {
		return this.outputs.text(stepId, this.owner.state().steps[stepId]?.logPath);
	}

	/** What a fresh screen of the step replays: the tail, and the log from the last screen reset before it. */
	screenTail(stepId: string): string {
		return this.outputs.screenText(stepId, this.owner.state().steps[stepId]?.logPath);
	}

	/** Records the run, launches its runner, follows it and reports its end to the owner. */
	async run(step: Step, options: RunOptions): Promise<{status: StepStatus; exitCode: number | null}> {
		const stepId = step.id;
		if (this.active.has(stepId) || this.owner.state().steps[stepId]?.status === 'running') throw new Error(`step ${stepId} is already running`);
		const runId = newRunId(stepId);
		const files = runFiles(this.runsDir, runId);
		const active: ActiveRun = {stepId, runId, cancelRequested: false, own: true};
		this.active.set(stepId, active);
		const startedAt = new Date();
		const runnable = step.blocks.filter(b => b.executor !== null);
		const given = options.vars ?? {};
		for (const [name, value] of Object.entries(given)) {
			if (VALID_NAME.test(name) && !step.placeholders.includes(name)) this.owner.givenVars[name] = value;
		}
		const scripts = runnable.map(b => fillPlaceholders(b.code, given));
		let started: SequencedEvent[];
		try {
			// Recorded before anything starts: a crash from here on leaves a record that reattach can resolve.
			started = await this.owner.persistEvents([{kind: 'run-started', at: startedAt.toISOString(), by: this.owner.by, host: this.host, stepId, runId, title: step.title, logPath: files.log, ...(this.terminalFor(options, runnable) ? {terminal: this.terminalFor(options, runnable)} : {}), ...(options.fence !== undefined ? {fence: options.fence} : {})}]);
			closeSync(openSync(files.log, 'a', 0o600));
		} catch (error) {
			this.active.delete(stepId);
			throw error;
		}
		// The runner starts right after the record, before the audit and the UI: a cockpit killed
		// from here on leaves a command (or a statement) that runs (the spec is in the runner's stdin before the spawn).
		const first = segments(runnable)[0];
		if (first && !(first.kind === 'shell' && scriptRun(options))) {
			try {
				const spec = first.kind === 'shell' ? shellSpec(this.owner, first.blocks, scripts.slice(0, first.blocks.length), files, active.runId, options, this.terminalFor(options, first.blocks)) : executorSpec(this.owner, first.block, scripts[0]!, files, active.runId, options);
				active.launched = launchRunner(spec);
			} catch {
				// runDetached tries again and reports the error as the step's
			}
		}
		await this.owner.log(started, {command: this.owner.masker()(scripts.join('\n'))});
		this.owner.emit({type: 'run-start', stepId, runId});
		this.outputs.reset(stepId);
		const follower = this.outputs.follow(stepId, runId, files.log);

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
		this.outputs.forget(stepId);
		// bash may end (and its runner record the exit) while a cancel still stops what it left in its group.
		await active.stopping;
		const result = await this.owner.finishRun(stepId, runId, outcome, startedAt);
		this.active.delete(stepId);
		return result;
	}

	setTerminalSize(size: {cols: number; rows: number} | undefined): void {
		this.terminalSize = size;
	}

	/** The PTY a run's shell blocks get: the caller's size, else the cockpit's pane; none for `!` runs or no shell. */
	private terminalFor(options: RunOptions, blocks: Block[]): {cols: number; rows: number} | undefined {
		if (scriptRun(options) || !blocks.some(b => b.executor === 'shell')) return undefined;
		return options.terminal ?? this.terminalSize;
	}

	async runTerminal(stepId: string): Promise<RunTerminal | undefined> {
		const record = this.owner.state().steps[stepId];
		if (record?.status !== 'running' || !record.runId) return undefined;
		return this.inputs.terminal(record.runId, record.segment ?? 0);
	}

	async sendInput(stepId: string, data: string): Promise<boolean> {
		const record = this.owner.state().steps[stepId];
		if (this.owner.readOnly() || record?.status !== 'running' || !record.runId || !data) return false;
		// A sql/redis/promql run has no terminal: Ctrl-C (`run` forwards raw keys) cancels it, as on a terminal.
		// Its kind is the checklist's (the pid file, read a moment after the launch, may not be in yet).
		if (this.active.get(stepId)?.pid?.executor || this.executorSegment(stepId, record.segment ?? 0)) {
			if (!data.includes('\x03')) return false;
			void this.cancel(stepId).catch(() => undefined);
			return true;
		}
		return this.inputs.send(stepId, record.runId, record.segment ?? 0, data);
	}

	/** The step's segment is a sql/redis/promql block (not shell). */
	private executorSegment(stepId: string, segment: number): boolean {
		const step = this.owner.checklist.steps.find(s => s.id === stepId);
		return step ? segments(step.blocks.filter(b => b.executor)).at(segment)?.kind === 'other' : false;
	}

	async resizeRun(stepId: string, cols: number, rows: number): Promise<boolean> {
		const record = this.owner.state().steps[stepId];
		if (this.owner.readOnly() || record?.status !== 'running' || !record.runId) return false;
		return this.inputs.resize(record.runId, record.segment ?? 0, cols, rows);
	}

	async cancel(stepId: string): Promise<void> {
		const record = this.owner.state().steps[stepId];
		const active = this.active.get(stepId);
		if (!active && record?.status !== 'running') return;
		if (this.owner.readOnly()) throw new Error(`this session is read-only (${this.owner.readOnlyReason()}); take it over to cancel`);
		if (active) active.cancelRequested = true;
		await this.owner.commit([{kind: 'cancel-requested', at: new Date().toISOString(), stepId}]);
		let pid = active?.pid;
		if (!pid && record?.runId) pid = (await runState(runFiles(this.runsDir, record.runId, record.segment ?? 0))).pid;
		// Not started yet: the run sees cancelRequested as soon as its pid file appears.
		if (pid) await this.stop(pid, active);
	}

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
			if (segmentNo > 0) await this.owner.commit([{kind: 'run-segment', stepId: active.stepId, runId: active.runId, segment: segmentNo}]);
			const files = runFiles(this.runsDir, active.runId, segmentNo);
			if (part.kind === 'shell') {
				const count = part.blocks.length;
				const outcome = await this.runShell(part.blocks, scripts.slice(index, index + count), files, active, options);
				index += count;
				if (outcome.kind === 'detached') return {detached: true};
				if (outcome.kind === 'lost') return {lost: outcome.reason};
				if (outcome.change) this.owner.applyShell(outcome.change);
				else if (outcome.exit.shell) {
					this.owner.applyShell(outcome.exit.shell);
					withheld.push(...outcome.exit.shell.withheld);
				}
				last = outcome.exit;
			} else {
				const outcome = await this.runDetached(executorSpec(this.owner, part.block, scripts[index]!, files, active.runId, options), active);
				index += 1;
				if (outcome.kind === 'detached') return {detached: true};
				if (outcome.kind === 'lost') return {lost: outcome.reason};
				last = outcome.exit;
			}
			if (last.exitCode !== 0 || last.error) break;
		}
		if (active.cancelRequested && !last) {
			const now = new Date().toISOString();
			last = {exitCode: null, signal: null, startedAt: now, endedAt: now, durationMs: 0, block: -1};
		}
		return {exit: last, withheld};
	}

	/**
	 * The runner spec of a step run by another process (a rollback procedure: procedures.ts): a shell-only
	 * step, or a step whose one runnable block is sql/redis/promql (its write confirmation is the caller's,
	 * given before the procedure started). Without what the carried shell gives (env, prelude, cwd): that
	 * process works those out step by step. Undefined for a step that mixes kinds or has several such blocks.
	 */
	specFor(step: Step, runId: string, options: RunOptions): ProcedureRunSpec | undefined {
		const runnable = step.blocks.filter(b => b.executor !== null);
		const shellOnly = runnable.length > 0 && runnable.every(b => b.executor === 'shell');
		const oneExecutor = runnable.length === 1 && runnable[0]!.executor !== 'shell';
		if (!shellOnly && !oneExecutor) return undefined;
		const given = options.vars ?? {};
		for (const [name, value] of Object.entries(given)) {
			if (VALID_NAME.test(name) && !step.placeholders.includes(name)) this.owner.givenVars[name] = value;
		}
		const filled = runnable.map(b => fillPlaceholders(b.code, given));
		const files = runFiles(this.runsDir, runId);
		const full = shellOnly ? shellSpec(this.owner, runnable, filled, files, runId, options, this.terminalFor(options, runnable)) : executorSpec(this.owner, runnable[0]!, filled[0]!, files, runId, options);
		const {env: _env, prelude: _prelude, cwd: _cwd, carried: _carried, ...rest} = full;
		return rest;
	}

	/**
	 * A run another process launched for the step (a rollback procedure): recorded as started (at its
	 * launch time, by whoever started the procedure), then followed or recorded as ended like a run found
	 * on open. Resolves when it is recorded, not when it ends.
	 */
	async adopt(step: Step, runId: string, at: string, by: string, starting: boolean, terminal?: {cols: number; rows: number}): Promise<void> {
		if (this.active.has(step.id)) return;
		// An earlier run's tail is not this run's: the next read takes the new log.
		this.outputs.drop(step.id);
		const logPath = runFiles(this.runsDir, runId).log;
		await this.owner.commit([{kind: 'run-started', at, by, host: this.host, stepId: step.id, runId, title: step.title, logPath, ...(terminal ? {terminal} : {})}]);
		this.owner.emit({type: 'run-start', stepId: step.id, runId});
		await this.settle(step.id, runId, 0, false, starting);
	}

	private async runShell(blocks: Block[], filled: string[], files: RunFiles, active: ActiveRun, options: RunOptions): Promise<RunOutcome> {
		const spec = shellSpec(this.owner, blocks, filled, files, active.runId, options, this.terminalFor(options, blocks));
		if (scriptRun(options)) {
			// execa costs ~60 ms to load; only the `!` key needs it.
			const {runInteractive} = await import('../engine/interactive.js');
			const result = await runInteractive(spec);
			return {kind: 'exit', exit: result.exit, ...(result.change ? {change: result.change} : {})};
		}
		return this.runDetached(spec, active);
	}

	/** Launches (or takes the already launched) runner for one segment and waits for its end through its files. */
	private async runDetached(spec: RunnerSpec, active: ActiveRun): Promise<RunOutcome> {
		const launched = active.launched ?? launchRunner(spec);
		active.launched = undefined;
		await launched.started;
		return awaitRunEnd(spec.files, {
			report: launched.report,
			stopped: () => this.owner.closed(),
			pollMs: this.owner.pollMs,
			onPid: pid => {
				active.pid = pid;
				if (active.cancelRequested) void this.stop(pid, active);
			},
		});
	}

	/** Signals a runner's cancel once: a cancel and the pid file's arrival (or `x` pressed twice) may both ask for it. */
	private async stop(pid: PidFile, active: ActiveRun | undefined): Promise<void> {
		if (active?.stopped === pid.runner.pid) return;
		const stopping = stopRun(pid, this.owner.graceMs).then(() => undefined);
		if (active) {
			active.stopped = pid.runner.pid;
			active.stopping = stopping;
		}
		await stopping;
	}

	async reconcile(): Promise<void> {
		for (const [stepId, record] of Object.entries(this.owner.state().steps)) {
			// Another team member's run: its own cockpit records how it ends.
			if (record.status !== 'running' || record.origin) continue;
			if (!record.runId) {
				await this.owner.commit([{kind: 'run-ended', at: new Date().toISOString(), stepId, status: 'interrupted', exitCode: null, error: 'no run was recorded'}]);
				continue;
			}
			await this.settle(stepId, record.runId, record.segment ?? 0, true);
		}
	}

	/** A recorded run this process does not follow: its end recorded, or followed while it goes on. */
	private async settle(stepId: string, runId: string, segment: number, notice: boolean, starting = false): Promise<void> {
		const files = runFiles(this.runsDir, runId, segment);
		const state = await runState(files);
		// Launched a moment ago by a live procedure: followed from its first byte; its pid file comes when
		// the command starts (up to 10 s on a loaded machine, as for a run this process launched).
		if (starting && !state.exit && !state.pid) {
			this.reattach(stepId, runId, files, true);
			return;
		}
		if (state.exit) {
			// A tail read while the run was starting is stale: the log is complete now.
			this.outputs.drop(stepId);
			if (state.exit.shell) this.owner.applyShell(state.exit.shell);
			const result = await this.owner.finishRun(stepId, runId, this.checkRemaining(stepId, segment, state.exit));
			if (notice) this.owner.notices.push(`step ${stepId} ended while no cockpit was following it: ${result.status}${result.exitCode !== null ? ` (exit ${result.exitCode})` : ''}`);
		} else if (state.alive) {
			this.reattach(stepId, runId, files);
			if (notice) this.owner.notices.push(`step ${stepId} is still running; following it again`);
		} else {
			await this.owner.finishRun(stepId, runId, {lost: state.pid ? 'the runner is gone and left no exit status (machine restarted?)' : 'the cockpit stopped before the command started'});
			if (notice) this.owner.notices.push(`step ${stepId} was interrupted: its outcome cannot be known (the runner is gone without an exit status)`);
		}
	}

	/** A reattached step that had blocks after this runner: those never ran. */
	private checkRemaining(stepId: string, segment: number, exit: ExitFile): {exit?: ExitFile; lost?: string; withheld?: string[]} {
		const step = this.owner.checklist.steps.find(s => s.id === stepId);
		const total = step ? segments(step.blocks.filter(b => b.executor)).length : segment + 1;
		if (segment + 1 < total && exit.exitCode === 0) return {lost: 'the cockpit stopped before the remaining blocks ran'};
		return {exit, withheld: exit.shell?.withheld ?? []};
	}

	/** `starting`: a run launched a moment ago (no pid file yet): followed from its start, its runner awaited until this resolves. */
	private reattach(stepId: string, runId: string, files: RunFiles, starting = false): void {
		// A cancel asked for before this process followed the run (a run adopted a moment after its launch)
		// stops it as soon as its pid file names its runner.
		const cancelRequested = Boolean(this.owner.state().steps[stepId]?.cancelRequestedAt);
		const active: ActiveRun = {stepId, runId, cancelRequested, own: false};
		this.active.set(stepId, active);
		const follower = this.outputs.follow(stepId, runId, files.log, !starting);
		// Starting: the wait for its pid file ends when it comes (or after 10 s: the runner never started).
		let started: () => void = () => undefined;
		const startWait = starting ? new Promise<undefined>(resolve => {
			const timer = setTimeout(() => resolve(undefined), 10_000);
			timer.unref();
			started = () => {
				clearTimeout(timer);
				resolve(undefined);
			};
		}) : undefined;
		void (async () => {
			const outcome = await awaitRunEnd(files, {
				...(startWait ? {report: startWait} : {}),
				stopped: () => this.owner.closed(),
				pollMs: Math.max(this.owner.pollMs, 200),
				onPid: (pid: PidFile) => {
					active.pid = pid;
					started();
					if (active.cancelRequested) void this.stop(pid, active);
				},
			});
			if (outcome.kind === 'detached') return;
			await follower.finish();
			this.outputs.forget(stepId);
			await active.stopping;
			if (this.owner.readOnly() || this.owner.closed()) return;
			if (outcome.kind === 'exit') {
				const record = this.owner.state().steps[stepId];
				if (outcome.exit.shell) this.owner.applyShell(outcome.exit.shell);
				await this.owner.finishRun(stepId, runId, this.checkRemaining(stepId, record?.segment ?? 0, outcome.exit));
			} else {
				await this.owner.finishRun(stepId, runId, {lost: outcome.reason});
			}
			this.active.delete(stepId);
		})().catch(() => {
			// Its record could not be saved (said by write-failed); memory holds the end.
			this.active.delete(stepId);
		});
	}

	/** Read-only: follow the logs of the runs the writer has going. */
	syncFollowers(): void {
		this.outputs.sync(this.owner.state().steps);
	}
}
