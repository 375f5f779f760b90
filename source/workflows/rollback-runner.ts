// The one-key rollback, run: the chosen procedure's steps one after another
// through the normal engine (session.runStep) while any forward step keeps
// running; a failure waits for retry / skip / abort, a manual step for Space.
// Every rollback is recorded in the main session as events (rollback-started,
// rollback-step, rollback-ended). A separate runbook (`--rollback FILE`, or a
// frontmatter `rollback:` path) is opened as a session of its own, where its
// steps' runs and statuses live. A plain class built where the cockpit is
// assembled; what it shows goes through a RollbackPort (the store's panel).
//
// Over the ~400-line mark (~700) since rollbacks outlive the cockpit: following
// a detached procedure (followProcedure, showProcedure, procedureEnded,
// resume) shares the panel state with the in-cockpit driving; it is the next
// part to move into a file of its own behind a small port.
import type {Checklist} from '../checklist/model.js';
import type {StepStatus} from '../engine/types.js';
import {assignedIn} from '../safety/analyze.js';
import {openAudit, type AuditLog, type AuditType} from '../session/audit.js';
import {whoAmI} from '../session/identity.js';
import type {RecordEvent} from '../session/events.js';
import type {ProcedureFile} from '../engine/procedure-files.js';
import {procedureEvents, procedureRunning} from '../session/procedures.js';
import type {RollbackRecord, SessionEvent, SessionHandle, SessionState, TriggerRecord} from '../session/types.js';
import {fieldsOf, planOf, type PlanStep, type RollbackProcedure} from './rollback-plan.js';
import {Throttle} from './throttle.js';

/**
 * choose: the plan is shown, `y` starts it; fill: values for placeholders /
 * unset variables are typed; running: a step runs; failed: r/s/a;
 * manual: a manual step waits for Space (done) / s / a; finished.
 */
export type RollbackPhase = 'choose' | 'fill' | 'running' | 'failed' | 'manual' | 'finished';

export interface RollbackStepView {
	id: string;
	title: string;
	status: StepStatus;
	exitCode: number | null;
	startedAt?: string;
	endedAt?: string;
	error?: string;
}

export interface RollbackRunView {
	id: string;
	procedureKey: string;
	title: string;
	steps: RollbackStepView[];
	/** Index of the step running / waiting. */
	index: number;
	outcome: 'running' | 'done' | 'failed' | 'aborted';
	startedAt: string;
	endedAt?: string;
	trigger?: TriggerRecord;
	/** Would-run only (dry run): nothing was started. */
	dry?: boolean;
}

export interface RollbackView {
	procedures: RollbackProcedure[];
	chosen: number;
	/** Plan of the chosen procedure: steps, exact commands, preflight. */
	plan: PlanStep[];
	/** Placeholders (required) and unset variables (optional) of the plan. */
	fields: string[];
	required: string[];
	values: Record<string, string>;
	field: number;
	references: Checklist['rollback']['references'];
	/** A separate runbook named but not loadable. */
	externalError: string | null;
	externalLoading: boolean;
	phase: RollbackPhase;
	run: RollbackRunView | null;
	/** Bumped (at most OUTPUT_HZ a second) when the running rollback step prints. */
	outputRev: number;
	/** One-line feedback inside the panel. */
	message: string | null;
	/** With no procedure: the sections that can be picked as the rollback, and the highlighted one. */
	pick: {sections: Array<{id: string; title: string; depth: number; steps: number}>; index: number};
}

/** What the runner reads and writes of the cockpit (the store implements it). */
export interface RollbackPort {
	view(): RollbackView;
	patch(p: Partial<RollbackView>): void;
	/** The main session's state as the cockpit shows it. */
	session(): SessionState;
	dryRun(): boolean;
	flash(text: string, level: 'info' | 'warn' | 'error'): void;
	report(error: unknown, what?: string): void;
}

export interface RollbackRunnerDeps {
	session: SessionHandle;
	env?: Record<string, string | undefined>;
	/** Opens the separate runbook's session (default: openSession beside the main one). */
	openRunbook?: (file: string) => Promise<SessionHandle>;
	/** Added to the runbook's runs' environment (the cockpit's --prometheus). */
	runEnv?: Record<string, string>;
}

const OUTPUT_HZ = 20;
/** How often a live cockpit reads the procedure file of a rollback that runs detached. */
const FOLLOW_MS = 150;
/** A procedure that left no file by then did not start. */
const START_GRACE_MS = 15_000;
const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

function newRollbackId(now: Date): string {
	return `rb-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(16).slice(2, 6)}`;
}

/** The trigger shown in the banner: the latest one not acknowledged and newer than the latest rollback start. */
export function activeTrigger(state: SessionState): TriggerRecord | null {
	const last = state.triggers.at(-1);
	if (!last || last.ticked) return null;
	const lastRollback = state.rollbacks.at(-1);
	if (lastRollback && lastRollback.startedAt >= last.at) return null;
	return last;
}

export class RollbackRunner {
	private port: RollbackPort | undefined;
	private audit: AuditLog | null = null;
	private readonly by = whoAmI();
	/** The separate runbook, once loaded, and its session once opened. */
	private external: {procedure: RollbackProcedure; session?: SessionHandle; opening?: Promise<SessionHandle>} | null = null;
	/** Session the current rollback runs its steps in. */
	private target: SessionHandle | null = null;
	private unsubscribeTarget: (() => void) | undefined;
	private readonly output = new Throttle(OUTPUT_HZ, () => {
		const view = this.view();
		this.patch({outputRev: view.outputRev + 1});
	});
	/** The step the rollback runs right now. */
	private runningStepId: string | null = null;
	/** The engineer cancelled the running rollback step (x): an endless step then counts as done. */
	private cancelRequested = false;
	/** Team mode: the session's rollback claim while this rollback runs (SessionHandle.claimRollback). */
	private rollbackClaim: {release(): Promise<void>} | undefined;
	/** A second `y` while the claim is asked for starts nothing. */
	private claiming = false;
	/** The rollback record as started (kept in the first procedure's file). */
	private startRecord: RollbackRecord | undefined;
	/** x pressed between two steps of a procedure: the next run is cancelled once recorded. */
	private cancelPending = false;
	/** The procedure process could not start once: this cockpit drives its rollbacks itself. */
	private noProcedure = false;
	/** Bumped to end a follow loop (a new procedure, stop()). */
	private followGeneration = 0;
	private stopped = false;

	constructor(private readonly deps: RollbackRunnerDeps) {
		try {
			this.audit = openAudit(deps.session.dir, this.by, deps.env ?? process.env);
		} catch {
			this.audit = null;
		}
	}

	/** The cockpit's panel; called once when the store is built. */
	attach(port: RollbackPort): void {
		this.port = port;
	}

	private get p(): RollbackPort {
		if (!this.port) throw new Error('the rollback runner is not attached to a cockpit');
		return this.port;
	}

	private view(): RollbackView {
		return this.p.view();
	}

	private patch(p: Partial<RollbackView>): void {
		this.p.patch(p);
	}

	private say(message: string | null): void {
		this.patch({message});
	}

	/** The plan, fields and required values of procedure `chosen` against the current environment. */
	buildPlan(procedures: RollbackProcedure[], chosen: number, dangerous: string[]): {plan: PlanStep[]; fields: string[]; required: string[]} {
		const procedure = procedures[chosen];
		if (!procedure) return {plan: [], fields: [], required: []};
		const env = {...(this.deps.env ?? process.env), ...(this.port ? this.p.session().shell.vars : this.deps.session.getState().shell.vars)};
		const plan = planOf(procedure, env, dangerous);
		const assigned = new Set(procedure.steps.flatMap(s => s.blocks.filter(b => b.executor === 'shell').flatMap(b => assignedIn(b.code))));
		const {placeholders, unsetVars} = fieldsOf(plan, assigned);
		return {plan, fields: [...placeholders, ...unsetVars], required: placeholders};
	}

	/** Audit-only entries (a dry run, a picked section's commands); a failure goes to the sink. */
	write(type: AuditType, fields: Parameters<AuditLog['write']>[1]): void {
		if (this.deps.session.readOnly || !this.audit) return;
		this.audit.write(type, fields).catch(error => this.p.report(error, 'write the audit log'));
	}

	/** The separate runbook was loaded (at start-up): R shows it. */
	setExternal(procedure: RollbackProcedure): void {
		this.external = {procedure};
	}

	busy(): boolean {
		const phase = this.port ? this.view().phase : 'choose';
		return phase === 'running' || phase === 'failed' || phase === 'manual';
	}

	/** `y` (after any values): starts the chosen procedure. */
	async start(): Promise<void> {
		const view = this.view();
		const procedure = view.procedures[view.chosen];
		if (!procedure) return;
		const now = new Date();
		const trigger = activeTrigger(this.p.session()) ?? undefined;
		const dry = this.p.dryRun();
		const run: RollbackRunView = {
			id: newRollbackId(now),
			procedureKey: procedure.key,
			title: procedure.title,
			steps: procedure.steps.map(s => ({id: s.id, title: s.title, status: 'pending', exitCode: null})),
			index: 0,
			outcome: 'running',
			startedAt: now.toISOString(),
			...(trigger ? {trigger} : {}),
			...(dry ? {dry: true} : {}),
		};
		if (dry) {
			this.patch({run: {...run, outcome: 'done', endedAt: run.startedAt}, phase: 'finished', message: `dry run: would run ${procedure.steps.length} step(s) of ${procedure.title}; nothing was run`});
			this.write('dry-run', {rollback: true, procedure: procedure.key, commands: view.plan.flatMap(p => p.commands).join('\n')});
			return;
		}
		// Team mode: one claim for the whole rollback, before anything starts.
		let claim: {release(): Promise<void>; note?: string} | undefined;
		if (this.deps.session.claimRollback) {
			if (this.claiming) return;
			this.claiming = true;
			try {
				claim = await this.deps.session.claimRollback();
			} catch (error) {
				this.patch({message: (error as Error).message});
				return;
			} finally {
				this.claiming = false;
			}
		}
		this.rollbackClaim = claim;
		this.patch({run, phase: 'running', message: claim?.note ?? null});
		// Which session runs the steps: the checklist's own, or the runbook's.
		if (procedure.source === 'file') {
			try {
				this.target = await this.externalSession();
			} catch (error) {
				this.releaseClaim();
				this.patch({phase: 'choose', run: null, message: `cannot open the rollback runbook: ${(error as Error).message}`});
				return;
			}
		} else {
			this.target = this.deps.session;
		}
		this.watchTarget();
		const rec: RollbackRecord = {
			id: run.id,
			procedure: procedure.source === 'file' ? (procedure.file ?? procedure.key) : procedure.key,
			by: this.by,
			startedAt: run.startedAt,
			outcome: 'running',
			steps: [],
			...(trigger ? {trigger} : {}),
		};
		this.startRecord = rec;
		// The record is queued right behind the first step's own state write (a
		// microtask after runFrom hands the step to the engine), so the first
		// command does not wait for an extra fsync; it lands milliseconds later.
		// A cockpit killed before it lands: the procedure file holds it (procedures.ts).
		queueMicrotask(() => {
			void this.deps.session.apply({kind: 'rollback-started', rollback: rec}, {commands: view.plan.flatMap(p => p.commands).join('\n')}).catch(error => this.say(`could not record the rollback: ${(error as Error).message}`));
		});
		await this.runFrom(0);
	}

	/** r / s / a after a failure; s / a on a manual step. */
	respond(choice: 'retry' | 'skip' | 'abort'): void {
		const view = this.view();
		const run = view.run;
		if (!run || (view.phase !== 'failed' && view.phase !== 'manual')) return;
		const index = run.index;
		const step = run.steps[index];
		if (choice === 'abort') {
			this.finish('aborted');
			return;
		}
		if (choice === 'skip') {
			this.setStep(index, {status: 'skipped'});
			const at = new Date().toISOString();
			void this.record(rollbackId => ({kind: 'rollback-step', rollbackId, index, step: {id: step?.id ?? '', status: 'skipped', exitCode: step?.exitCode ?? null, ...(step?.startedAt ? {startedAt: step.startedAt} : {}), endedAt: at}}));
			this.say(null);
			void this.runFrom(index + 1);
			return;
		}
		if (view.phase === 'manual') return;
		this.say(null);
		void this.runFrom(index);
	}

	/** Space on a manual rollback step. */
	manualDone(): void {
		const view = this.view();
		const run = view.run;
		if (!run || view.phase !== 'manual') return;
		const index = run.index;
		const step = run.steps[index]!;
		const at = new Date().toISOString();
		this.setStep(index, {status: 'done', endedAt: at});
		(this.target ?? this.deps.session).mark(step.id, 'done', 'done during rollback').catch(error => this.p.report(error, `mark ${step.id} done`));
		void this.record(rollbackId => ({kind: 'rollback-step', rollbackId, index, step: {id: step.id, status: 'done', exitCode: null, endedAt: at}}), {manual: true});
		void this.runFrom(index + 1);
	}

	/** x: cancels the rollback step that runs (it then fails: r/s/a; an endless one is done and the rollback moves on). */
	cancelStep(): void {
		const run = this.view().run;
		if (!run || this.view().phase !== 'running') return;
		const target = this.target ?? this.deps.session;
		// The rollback's step whose run is going (recorded since the rollback started), else the one named last.
		const going = run.steps.find(s => {
			const record = target.getState().steps[s.id];
			return record?.status === 'running' && (record.startedAt ?? '') >= run.startedAt;
		})?.id;
		const id = going ?? this.runningStepId;
		if (!id) return;
		this.cancelRequested = true;
		// Between two steps of a procedure (the next one launched, not yet recorded): cancelled once it is.
		if (going) target.cancel(going).catch(error => this.say((error as Error).message));
		else this.cancelPending = true;
		const endless = this.procedureOfRun()?.steps.find(s => s.id === id)?.blocks.some(b => b.endless === true);
		this.say(endless ? 'stopping the command that runs until cancelled — the rollback then moves on' : 'cancelling the rollback step…');
	}

	/** Output tail of the rollback step shown in the panel. */
	outputTail(): string {
		const run = this.port ? this.view().run : null;
		const step = run?.steps[run.index];
		if (!step) return '';
		try {
			return (this.target ?? this.deps.session).outputTail(step.id);
		} catch {
			return '';
		}
	}

	/** Forward steps running right now (not part of the rollback). */
	forwardRunning(): string[] {
		const run = this.view().run;
		const mine = this.target === this.deps.session || this.target === null;
		const rollbackIds = new Set(mine && run?.outcome === 'running' ? run.steps.map(s => s.id) : []);
		return Object.entries(this.p.session().steps)
			.filter(([id, r]) => r.status === 'running' && !rollbackIds.has(id))
			.map(([id]) => id);
	}

	/** The step of a running rollback (the trigger watcher does not raise for it). */
	isRollbackStep(stepId: string): boolean {
		const run = this.port ? this.view().run : null;
		return run?.outcome === 'running' && run.steps.some(s => s.id === stepId);
	}

	stop(): void {
		this.stopped = true;
		this.followGeneration++;
		this.unsubscribeTarget?.();
		this.output.stop();
		const ext = this.external?.session;
		if (ext) void ext.close().catch(() => undefined);
	}

	// --- the run -------------------------------------------------------------

	/** The running rollback's step or end, as an event of the main session. */
	private record(event: (rollbackId: string) => RecordEvent, audit?: Record<string, unknown>): Promise<void> {
		const run = this.view().run;
		if (!run || run.dry || this.deps.session.readOnly) return Promise.resolve();
		return this.deps.session.apply(event(run.id), audit).catch(error => this.say(`could not record the rollback: ${(error as Error).message}`));
	}

	private setRun(p: Partial<RollbackRunView>): void {
		const run = this.view().run;
		if (run) this.patch({run: {...run, ...p}});
	}

	private setStep(index: number, p: Partial<RollbackStepView>): void {
		const run = this.view().run;
		if (!run) return;
		this.patch({run: {...run, steps: run.steps.map((s, i) => (i === index ? {...s, ...p} : s))}});
	}

	private procedureOfRun(): RollbackProcedure | undefined {
		const view = this.view();
		return view.procedures.find(p => p.key === view.run?.procedureKey);
	}

	private releaseClaim(): void {
		const claim = this.rollbackClaim;
		this.rollbackClaim = undefined;
		claim?.release().catch(() => undefined);
	}

	private finish(outcome: RollbackRunView['outcome'], recorded = false): void {
		this.releaseClaim();
		const endedAt = new Date().toISOString();
		this.setRun({outcome, endedAt});
		this.patch({phase: 'finished'});
		this.runningStepId = null;
		this.followGeneration++;
		const started = this.view().run?.startedAt;
		if (!recorded) void this.record(rollbackId => ({kind: 'rollback-ended', at: endedAt, rollbackId, outcome}), started ? {durationMs: Date.parse(endedAt) - Date.parse(started)} : undefined);
		const text = outcome === 'done' ? 'rollback finished' : outcome === 'aborted' ? 'rollback aborted' : 'rollback failed';
		this.p.flash(text, outcome === 'done' ? 'info' : 'error');
	}

	/** Runs the steps from `index` on, one after another, until one fails or waits. */
	private async runFrom(index: number): Promise<void> {
		const procedure = this.procedureOfRun();
		const run = this.view().run;
		if (!procedure || !run || run.outcome !== 'running') return;
		if (index >= procedure.steps.length) {
			this.finish('done');
			return;
		}
		const step = procedure.steps[index]!;
		this.setRun({index});
		if (step.blocks.every(b => b.executor === null)) {
			this.setStep(index, {status: 'pending'});
			this.patch({phase: 'manual'});
			return;
		}
		this.patch({phase: 'running'});
		const startedAt = new Date().toISOString();
		this.setStep(index, {status: 'running', startedAt, exitCode: null, error: undefined});
		this.runningStepId = step.id;
		this.cancelRequested = false;
		let result: {status: StepStatus; exitCode: number | null};
		let error: string | undefined;
		const target = this.target ?? this.deps.session;
		const vars = Object.fromEntries(Object.entries(this.view().values).filter(([, v]) => v !== ''));
		let first: Promise<{status: StepStatus; exitCode: number | null}> | undefined;
		if (detachable(step) && target.startProcedure && target.adoptProcedure && !this.noProcedure) {
			// Shell steps (and steps of one sql/redis/promql block) run in a detached procedure (engine/procedure.ts), which goes on when the cockpit
			// quits or dies; this cockpit follows its file and records what it did.
			// The first step is launched right here (the first command must not wait for another Node process
			// to start); the procedure awaits it, then launches the rest.
			const record = this.startRecord;
			this.startRecord = undefined;
			let launched: {runId: string; at: string; done: Promise<{status: StepStatus; exitCode: number | null}>} | undefined;
			try {
				launched = await this.launchFirst(target, step.id, vars);
				const procedureId = await target.startProcedure({rollbackId: run.id, stepIds: procedure.steps.map(s => s.id), from: index, confirmed: true, launched: {runId: launched.runId, at: launched.at}, ...(Object.keys(vars).length > 0 ? {vars} : {}), mainDir: this.deps.session.dir, ...(record ? {record} : {})});
				this.followProcedure(run.id, procedureId);
				return;
			} catch (e) {
				if (!launched) {
					this.runningStepId = null;
					this.setStep(index, {status: 'failed', error: (e as Error).message});
					this.patch({phase: 'failed'});
					this.say(`${step.title}: ${(e as Error).message} — r retry · s skip · a abort`);
					return;
				}
				// No procedure process (not built, no room for its spec): this cockpit drives the rollback, as
				// before the procedure existed (it then stops with the cockpit).
				this.noProcedure = true;
				this.p.flash(`the rollback runs in this cockpit only: ${(e as Error).message}`, 'warn');
				first = launched.done;
			}
		}
		try {
			// The panel showed every command and `y` confirmed them: dangerous ones included.
			result = await (first ?? target.runStep(step.id, {confirmed: true, ...(Object.keys(vars).length > 0 ? {vars} : {})}));
		} catch (e) {
			error = e instanceof Error ? e.message : String(e);
			result = {status: 'failed', exitCode: null};
		}
		const endedAt = new Date().toISOString();
		this.runningStepId = null;
		if (this.view().run?.id !== run.id) return;
		this.setStep(index, {status: result.status, exitCode: result.exitCode, endedAt, ...(error ? {error} : {})});
		void this.record(rollbackId => ({kind: 'rollback-step', rollbackId, index, step: {id: step.id, status: result.status, exitCode: result.exitCode, startedAt, endedAt}}), {durationMs: Date.parse(endedAt) - Date.parse(startedAt), ...(error ? {error} : {})});
		// A command that runs until cancelled is done when the engineer cancels it: the rollback moves on.
		const endless = step.blocks.some(b => b.endless === true) && this.cancelRequested && (result.status === 'cancelled' || result.status === 'failed');
		this.cancelRequested = false;
		if (result.status === 'done' || endless) {
			await this.runFrom(index + 1);
			return;
		}
		if (result.status === 'running') {
			// Detached because the cockpit is closing: the run goes on; nothing more to drive.
			return;
		}
		this.patch({phase: 'failed'});
		this.say(`${step.title}: ${error ?? `${result.status}${result.exitCode !== null ? `, exit ${result.exitCode}` : ''}`} — r retry · s skip · a abort`);
	}

	// --- a procedure running detached -------------------------------------------

	/**
	 * Follows the rollback's procedure file until the procedure ends: adopts the runs it launches (they
	 * show in the panes like any run), records the rollback's steps and end, mirrors them in the panel.
	 * `procedureId` null: the one found (a reopened cockpit).
	 */
	private followProcedure(rollbackId: string, procedureId: string | null, resumed = false): void {
		const generation = ++this.followGeneration;
		const target = this.target ?? this.deps.session;
		const began = Date.now();
		const live = () => !this.stopped && generation === this.followGeneration && this.port !== undefined && this.view().run?.id === rollbackId;
		void (async () => {
			while (live()) {
				const file = await target.adoptProcedure?.(rollbackId);
				if (!live()) return;
				const current = file && (procedureId === null || file.procedureId === procedureId) ? file : undefined;
				if (current) {
					const record = this.deps.session.getState().rollbacks.find(r => r.id === rollbackId);
					if (record && !this.deps.session.readOnly) {
						const events = procedureEvents(record, current, target.getState().steps);
						if (events.length > 0) await this.deps.session.apply(events).catch(error => this.say(`could not record the rollback: ${(error as Error).message}`));
					}
					this.showProcedure(current, target);
					const pending = this.runningStepId;
					if (this.cancelPending && pending && target.getState().steps[pending]?.status === 'running') {
						this.cancelPending = false;
						target.cancel(pending).catch(error => this.say((error as Error).message));
					}
					const running = current.entries.some(e => target.getState().steps[e.stepId]?.status === 'running' && target.getState().steps[e.stepId]?.runId === e.runId);
					if (!running && !procedureRunning(current)) {
						this.procedureEnded(current, target, resumed);
						return;
					}
				} else if (Date.now() - began > START_GRACE_MS) {
					this.patch({phase: 'failed'});
					this.say('the rollback procedure did not start — r retry · s skip · a abort');
					return;
				}
				await sleep(FOLLOW_MS);
			}
		})().catch(error => this.p.report(error, 'follow the rollback'));
	}

	/** Starts the step as an ordinary run; resolves with its run once its runner is launched (run-start). */
	private launchFirst(target: SessionHandle, stepId: string, vars: Record<string, string>): Promise<{runId: string; at: string; done: Promise<{status: StepStatus; exitCode: number | null}>}> {
		return new Promise((resolve, reject) => {
			const unsubscribe = target.subscribe(event => {
				if (event.type !== 'run-start' || event.stepId !== stepId) return;
				unsubscribe();
				resolve({runId: event.runId, at: target.getState().steps[stepId]?.startedAt ?? new Date().toISOString(), done});
			});
			// The panel showed every command and `y` confirmed them: dangerous ones included.
			const done = target.runStep(stepId, {confirmed: true, ...(Object.keys(vars).length > 0 ? {vars} : {})});
			done.then(
				() => undefined,
				error => {
					unsubscribe();
					reject(error instanceof Error ? error : new Error(String(error)));
				},
			);
		});
	}

	/** The panel's steps as the procedure's runs are recorded. */
	private showProcedure(file: ProcedureFile, target: SessionHandle): void {
		const run = this.view().run;
		if (!run) return;
		let index = run.index;
		let runningStepId: string | null = null;
		const steps = run.steps.map((s, i) => {
			const entry = file.entries.find(e => e.index === i);
			const record = entry ? target.getState().steps[entry.stepId] : undefined;
			if (!entry || record?.runId !== entry.runId) return s;
			index = Math.max(index, i);
			if (record.status === 'running') runningStepId = entry.stepId;
			const next: RollbackStepView = {...s, status: record.status, exitCode: record.exitCode, startedAt: entry.launchedAt, ...(record.endedAt ? {endedAt: record.endedAt} : {}), ...(record.error ? {error: record.error} : {})};
			return next.status === s.status && next.exitCode === s.exitCode && next.endedAt === s.endedAt ? s : next;
		});
		// Between two runs (the next one launched, not yet recorded) the last one named stays: x waits for it.
		this.runningStepId = runningStepId ?? this.runningStepId;
		if (index !== run.index || steps.some((s, i) => s !== run.steps[i])) this.patch({run: {...run, index, steps}});
	}

	/** The procedure ended: done, or stopped where the engineer decides (or where the cockpit runs the step). */
	private procedureEnded(file: ProcedureFile, target: SessionHandle, resumed: boolean): void {
		this.runningStepId = null;
		this.cancelPending = false;
		const run = this.view().run;
		if (!run) return;
		if (file.state === 'done') {
			this.finish('done', true);
			return;
		}
		const lastEntry = file.entries.at(-1);
		const lastRecord = lastEntry ? target.getState().steps[lastEntry.stepId] : undefined;
		// A procedure process that died (killed, a reboot) stopped after its last run, or at it.
		const stop = file.stoppedAt ?? {index: lastEntry && lastRecord?.runId === lastEntry.runId && lastRecord.status === 'done' ? lastEntry.index + 1 : (lastEntry?.index ?? file.from), stepId: '', reason: 'lost' as const};
		const index = stop.index;
		const step = this.procedureOfRun()?.steps[index];
		this.setRun({index});
		if (!step) {
			this.finish('done');
			return;
		}
		const endless = step.blocks.some(b => b.endless === true) && this.cancelRequested;
		this.cancelRequested = false;
		if (stop.reason === 'manual' || (stop.reason === 'cockpit' && !resumed) || (stop.reason === 'failed' && endless)) {
			void this.runFrom(stop.reason === 'failed' ? index + 1 : index);
			return;
		}
		const shown = this.view().run?.steps[index];
		this.patch({phase: 'failed'});
		const why =
			stop.reason === 'cockpit'
				? 'not run while the cockpit was away (it runs in the cockpit)'
				: stop.reason === 'lost'
					? 'the rollback procedure stopped without finishing it'
					: `${shown?.error ?? `${shown?.status ?? 'failed'}${shown?.exitCode !== null && shown?.exitCode !== undefined ? `, exit ${shown.exitCode}` : ''}`}`;
		this.say(`${step.title}: ${why} — r ${stop.reason === 'failed' ? 'retry' : 'run it'} · s skip · a abort`);
	}

	/**
	 * A reopened cockpit: the session's latest rollback still running (its procedure goes on, or stopped
	 * waiting for a decision) is shown in the panel again and followed. true when there is one.
	 */
	async resume(): Promise<boolean> {
		// A follower only watches: the writer's cockpit drives the rollback.
		if (!this.port || this.busy() || this.deps.session.readOnly) return false;
		const record = this.deps.session.getState().rollbacks.at(-1);
		if (!record || record.outcome !== 'running') return false;
		const view = this.view();
		const procedure = view.procedures.find(p => p.key === record.procedure || (p.source === 'file' && p.file === record.procedure));
		if (!procedure) return false;
		try {
			this.target = procedure.source === 'file' ? await this.externalSession() : this.deps.session;
		} catch {
			return false;
		}
		this.watchTarget();
		const target = this.target;
		const steps: RollbackStepView[] = procedure.steps.map((s, i) => {
			// Recorded for the rollback, else a run of the step since the rollback started (its first step, run by the cockpit).
			const own = target.getState().steps[s.id];
			const had = record.steps[i] ?? (own?.startedAt && own.startedAt >= record.startedAt ? {status: own.status, exitCode: own.exitCode, startedAt: own.startedAt, endedAt: own.endedAt} : undefined);
			return had ? {id: s.id, title: s.title, status: had.status, exitCode: had.exitCode, ...(had.startedAt ? {startedAt: had.startedAt} : {}), ...(had.endedAt ? {endedAt: had.endedAt} : {})} : {id: s.id, title: s.title, status: 'pending', exitCode: null};
		});
		const settled = (i: number) => steps[i]?.status === 'done' || steps[i]?.status === 'skipped';
		let index = 0;
		while (index < steps.length && settled(index)) index++;
		this.patch({run: {id: record.id, procedureKey: procedure.key, title: procedure.title, steps, index: Math.min(index, steps.length - 1), outcome: 'running', startedAt: record.startedAt, ...(record.trigger ? {trigger: record.trigger} : {})}, phase: 'running', message: null});
		const file = await this.target.adoptProcedure?.(record.id);
		if (file) {
			this.followProcedure(record.id, null, true);
			return true;
		}
		// Run in the cockpit only (no procedure): it stopped with the cockpit.
		const step = procedure.steps[index];
		if (!step) {
			this.finish('done');
			return true;
		}
		if (step.blocks.every(b => b.executor === null)) {
			this.patch({phase: 'manual'});
			return true;
		}
		this.patch({phase: 'failed'});
		this.say(`${step.title}: the cockpit stopped during this rollback — r run it · s skip · a abort`);
		return true;
	}

	private async externalSession(): Promise<SessionHandle> {
		const ext = this.external;
		if (!ext?.procedure.file) throw new Error('no rollback runbook loaded');
		if (ext.session) return ext.session;
		const file = ext.procedure.file;
		ext.opening ??= (this.deps.openRunbook ?? ((f: string) => openBeside(this.deps.session.dir, f, this.deps.runEnv)))(file);
		ext.session = await ext.opening;
		return ext.session;
	}

	private watchTarget(): void {
		this.unsubscribeTarget?.();
		const target = this.target;
		if (!target) return;
		this.unsubscribeTarget = target.subscribe((event: SessionEvent) => {
			if (event.type !== 'output' && event.type !== 'run-start' && event.type !== 'run-end') return;
			if (event.stepId !== this.runningStepId && event.type === 'output') return;
			this.output.poke();
		});
	}
}

/** Shell blocks only (and at least one): a step a detached procedure can run. */
/** A step the detached procedure can run: shell blocks only, or one sql/redis/promql block (supervisor.specFor). */
function detachable(step: RollbackProcedure['steps'][number]): boolean {
	const runnable = step.blocks.filter(b => b.executor !== null);
	return runnable.length > 0 && (runnable.every(b => b.executor === 'shell') || runnable.length === 1);
}

/** Opens a runbook's session in the same state directory as the session dir (<stateDir>/sessions/<id>). */
async function openBeside(sessionDir: string, file: string, runEnv?: Record<string, string>): Promise<SessionHandle> {
	const {openSession} = await import('../session/open.js');
	const {loadChecklist} = await import('../checklist/load.js');
	const checklist = await loadChecklist(file);
	const m = /^(.*)[/\\]sessions[/\\][^/\\]+[/\\]?$/.exec(sessionDir);
	return openSession(file, {checklist, ...(m ? {stateDir: m[1]} : {}), ...(runEnv ? {runEnv} : {})});
}
