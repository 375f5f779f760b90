// One-key rollback and rollback triggers. `R` opens the panel (overlay
// 'rollback') from anywhere; `y` starts the chosen procedure, whose steps run
// one after another through the normal engine (session.runStep) while any
// forward step keeps running. A failure waits for retry / skip / abort.
// Every rollback and trigger is recorded in the session (state.rollbacks,
// state.triggers) and in the audit log.
//
// A separate rollback runbook (`--rollback FILE`, or a frontmatter
// `rollback:` path) is opened as a session of its own (its run logs and
// statuses live there); the rollback record goes into the main session.
import type {StateCreator} from 'zustand/vanilla';
import type {Checklist, Step} from '../checklist/model.js';
import type {StepStatus} from '../engine/types.js';
import {assignedIn} from '../safety/analyze.js';
import {openAudit, type AuditLog} from '../session/audit.js';
import {whoAmI} from '../session/identity.js';
import type {RecordEvent} from '../session/events.js';
import type {RollbackRecord, SessionEvent, SessionHandle, SessionState, TriggerRecord} from '../session/types.js';
import type {CockpitState, CockpitStore, StoreDeps} from './index.js';
import {subscribeCrossings, type MetricsCrossing} from './metrics-slice.js';
import {checklistProcedures, externalRunbookPath, fieldsOf, pickableSections, pickedProcedure, planOf, preselect, runbookProcedure, type PlanStep, type RollbackProcedure} from './rollback-plan.js';

export type {PlanStep, RollbackProcedure} from './rollback-plan.js';

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

export interface RollbackSlice {
	/** The active trigger banner text, or null. */
	triggerBanner: string | null;
	rollback: RollbackView;
	/** Recomputes the plan (env and shell state may have changed); called when the panel opens. */
	rollbackPrepare(): void;
	rollbackChoose(delta: number): void;
	/** The `y` key: starts the chosen procedure (or moves to filling values first). */
	rollbackConfirm(): void;
	rollbackSetValue(value: string): void;
	/** Enter in the fill stage: next field, then the start. */
	rollbackNextField(): void;
	rollbackRespond(choice: 'retry' | 'skip' | 'abort'): void;
	/** Space on a manual rollback step. */
	rollbackManualDone(): void;
	/** Cancels the rollback step that is running (it then fails: r/s/a; an endless one is done and the rollback moves on). */
	rollbackCancelStep(): void;
	/** With no procedure: moves the highlight over the sections that can be picked. */
	rollbackPickMove(delta: number): void;
	/** Makes the highlighted section the rollback procedure (kept in the session). */
	rollbackPickSection(): void;
	/** Cancels forward steps that are running (never done without this key). */
	rollbackCancelForward(): void;
	/** Acknowledges the latest trigger: the banner goes away, the record stays. */
	dismissTrigger(): void;
	/** Output tail of the rollback step shown in the panel. */
	rollbackOutput(): string;
	/** Forward steps running right now (not part of the rollback). */
	forwardRunning(): string[];
}

const OUTPUT_HZ = 20;

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

export function bannerText(trigger: TriggerRecord | null): string | null {
	return trigger ? `rollback trigger: ${trigger.message} — R to roll back` : null;
}

/** Mutable per-store context shared by the slice and startRollback. */
interface Runtime {
	audit: AuditLog | null;
	by: string;
	external: {procedure: RollbackProcedure; session?: SessionHandle; opening?: Promise<SessionHandle>} | null;
	/** Session the current rollback runs its steps in. */
	target: SessionHandle | null;
	outputTimer?: ReturnType<typeof setTimeout>;
	unsubscribeTarget?: () => void;
	runningStepId: string | null;
	/** The engineer cancelled the running rollback step (x): an endless step then counts as done. */
	cancelRequested: boolean;
}

const runtimes = new WeakMap<StoreDeps, Runtime>();

function runtimeOf(deps: StoreDeps): Runtime {
	let rt = runtimes.get(deps);
	if (!rt) {
		let audit: AuditLog | null = null;
		try {
			audit = openAudit(deps.session.dir, whoAmI(), deps.env ?? process.env);
		} catch {
			audit = null;
		}
		rt = {audit, by: whoAmI(), external: null, target: null, runningStepId: null, cancelRequested: false};
		runtimes.set(deps, rt);
	}
	return rt;
}

export function createRollbackSlice(deps: StoreDeps): StateCreator<CockpitState, [], [], RollbackSlice> {
	const rt = runtimeOf(deps);
	const {session} = deps;
	return (set, get) => {
		const checklist = session.checklist;
		const initialProcedures = checklistProcedures(checklist, session.getState().rollbackChoice);
		const env = () => ({...(deps.env ?? process.env), ...get().session.shell.vars});
		const extra = () => ((get().checklist.settings.dangerous as string[] | undefined) ?? []).filter(p => typeof p === 'string');
		const patch = (p: Partial<RollbackView>) => set({rollback: {...get().rollback, ...p}});
		const say = (message: string | null) => patch({message});
		const audit = (type: Parameters<AuditLog['write']>[0], fields: Parameters<AuditLog['write']>[1]) => {
			if (deps.session.readOnly || !rt.audit) return;
			rt.audit.write(type, fields).catch(error => get().report(error, 'write the audit log'));
		};
		/** The running rollback's step or end, as an event of the main session. */
		const record = (event: (rollbackId: string) => RecordEvent) => {
			const run = get().rollback.run;
			if (!run || run.dry || session.readOnly) return Promise.resolve();
			return session.apply(event(run.id)).catch(error => say(`could not record the rollback: ${(error as Error).message}`));
		};
		const buildPlan = (procedures: RollbackProcedure[], chosen: number) => {
			const procedure = procedures[chosen];
			if (!procedure) return {plan: [] as PlanStep[], fields: [] as string[], required: [] as string[]};
			const plan = planOf(procedure, env(), extra());
			const assigned = new Set(procedure.steps.flatMap(s => s.blocks.filter(b => b.executor === 'shell').flatMap(b => assignedIn(b.code))));
			const {placeholders, unsetVars} = fieldsOf(plan, assigned);
			return {plan, fields: [...placeholders, ...unsetVars], required: placeholders};
		};
		const setRun = (p: Partial<RollbackRunView>) => {
			const run = get().rollback.run;
			if (run) patch({run: {...run, ...p}});
		};
		const setStep = (index: number, p: Partial<RollbackStepView>) => {
			const run = get().rollback.run;
			if (!run) return;
			const steps = run.steps.map((s, i) => (i === index ? {...s, ...p} : s));
			patch({run: {...run, steps}});
		};
		const procedureOfRun = (): RollbackProcedure | undefined => {
			const run = get().rollback.run;
			return get().rollback.procedures.find(p => p.key === run?.procedureKey);
		};

		const finish = (outcome: RollbackRunView['outcome']) => {
			const endedAt = new Date().toISOString();
			setRun({outcome, endedAt});
			patch({phase: 'finished'});
			rt.runningStepId = null;
			const run = get().rollback.run!;
			void record(rollbackId => ({kind: 'rollback-ended', at: endedAt, rollbackId, outcome}));
			const text = outcome === 'done' ? 'rollback finished' : outcome === 'aborted' ? 'rollback aborted' : 'rollback failed';
			get().showFlash(text, outcome === 'done' ? 'info' : 'error');
		};

		/** Runs the steps from `index` on, one after another, until one fails or waits. */
		const runFrom = async (index: number): Promise<void> => {
			const procedure = procedureOfRun();
			const run = get().rollback.run;
			if (!procedure || !run || run.outcome !== 'running') return;
			if (index >= procedure.steps.length) {
				finish('done');
				return;
			}
			const step = procedure.steps[index]!;
			setRun({index});
			const manual = step.blocks.every(b => b.executor === null);
			if (manual) {
				setStep(index, {status: 'pending'});
				patch({phase: 'manual'});
				return;
			}
			patch({phase: 'running'});
			const startedAt = new Date().toISOString();
			setStep(index, {status: 'running', startedAt, exitCode: null, error: undefined});
			rt.runningStepId = step.id;
			rt.cancelRequested = false;
			let result: {status: StepStatus; exitCode: number | null};
			let error: string | undefined;
			const target = rt.target ?? session;
			const values = get().rollback.values;
			const vars = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
			try {
				// The panel showed every command and `y` confirmed them: dangerous ones included.
				result = await target.runStep(step.id, {confirmed: true, ...(Object.keys(vars).length > 0 ? {vars} : {})});
			} catch (e) {
				error = e instanceof Error ? e.message : String(e);
				result = {status: 'failed', exitCode: null};
			}
			const endedAt = new Date().toISOString();
			rt.runningStepId = null;
			if (get().rollback.run?.id !== run.id) return;
			setStep(index, {status: result.status, exitCode: result.exitCode, endedAt, ...(error ? {error} : {})});
			void record(rollbackId => ({kind: 'rollback-step', rollbackId, index, step: {id: step.id, status: result.status, exitCode: result.exitCode, startedAt, endedAt}}));
			// A command that runs until cancelled is done when the engineer cancels it: the rollback moves on.
			const endless = step.blocks.some(b => b.endless === true) && rt.cancelRequested && (result.status === 'cancelled' || result.status === 'failed');
			rt.cancelRequested = false;
			if (result.status === 'done' || endless) {
				await runFrom(index + 1);
				return;
			}
			if (result.status === 'running') {
				// Detached because the cockpit is closing: the run goes on; nothing more to drive.
				return;
			}
			patch({phase: 'failed'});
			say(`${step.title}: ${error ?? `${result.status}${result.exitCode !== null ? `, exit ${result.exitCode}` : ''}`} — r retry · s skip · a abort`);
		};

		const start = async () => {
			const view = get().rollback;
			const procedure = view.procedures[view.chosen];
			if (!procedure) return;
			const now = new Date();
			const trigger = activeTrigger(get().session) ?? undefined;
			const dry = get().dryRun;
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
				patch({run: {...run, outcome: 'done', endedAt: run.startedAt}, phase: 'finished', message: `dry run: would run ${procedure.steps.length} step(s) of ${procedure.title}; nothing was run`});
				audit('dry-run', {rollback: true, procedure: procedure.key, commands: view.plan.flatMap(p => p.commands).join('\n')});
				return;
			}
			patch({run, phase: 'running', message: null});
			// Which session runs the steps: the checklist's own, or the runbook's.
			if (procedure.source === 'file') {
				try {
					rt.target = await externalSession(rt, deps);
				} catch (error) {
					patch({phase: 'choose', run: null, message: `cannot open the rollback runbook: ${(error as Error).message}`});
					return;
				}
			} else {
				rt.target = session;
			}
			watchTarget(rt, get, set);
			const rec: RollbackRecord = {
				id: run.id,
				procedure: procedure.source === 'file' ? procedure.file ?? procedure.key : procedure.key,
				by: rt.by,
				startedAt: run.startedAt,
				outcome: 'running',
				steps: [],
				...(trigger ? {trigger} : {}),
			};
			// The record is queued right behind the first step's own state write (a
			// microtask after runFrom hands the step to the engine), so the first
			// command does not wait for an extra fsync; it lands milliseconds later.
			queueMicrotask(() => {
				void session.apply({kind: 'rollback-started', rollback: rec}, {commands: view.plan.flatMap(p => p.commands).join('\n')}).catch(error => say(`could not record the rollback: ${(error as Error).message}`));
			});
			await runFrom(0);
		};

		const busy = () => {
			const phase = get().rollback.phase;
			return phase === 'running' || phase === 'failed' || phase === 'manual';
		};

		const initial = buildPlan(initialProcedures, preselect(initialProcedures, checklist));
		return {
			triggerBanner: bannerText(activeTrigger(session.getState())),
			rollback: {
				procedures: initialProcedures,
				chosen: preselect(initialProcedures, checklist),
				...initial,
				values: {},
				field: 0,
				references: checklist.rollback.references,
				externalError: null,
				externalLoading: externalRunbookPath(checklist, deps.options.rollbackFile) !== null,
				phase: 'choose',
				run: null,
				outputRev: 0,
				message: null,
				pick: {sections: initialProcedures.length === 0 ? pickableSections(checklist) : [], index: 0},
			},

			rollbackPrepare() {
				if (busy()) return;
				const view = get().rollback;
				const chosen = Math.min(view.chosen, Math.max(0, view.procedures.length - 1));
				patch({...buildPlan(view.procedures, chosen), chosen, phase: 'choose', field: 0, message: view.phase === 'finished' ? null : view.message});
			},
			rollbackChoose(delta) {
				const view = get().rollback;
				if (view.phase !== 'choose' || view.procedures.length === 0) return;
				const chosen = Math.max(0, Math.min(view.procedures.length - 1, view.chosen + delta));
				patch({chosen, ...buildPlan(view.procedures, chosen), values: {}, field: 0});
			},
			rollbackConfirm() {
				const view = get().rollback;
				if (view.phase !== 'choose') return;
				if (session.readOnly && !get().dryRun) {
					say('read-only: another cockpit holds this session — roll back from that one');
					return;
				}
				if (!view.procedures[view.chosen]) {
					say('no rollback procedure to run');
					return;
				}
				if (view.fields.length > 0) {
					patch({phase: 'fill', field: 0, message: null});
					return;
				}
				void start();
			},
			rollbackSetValue(value) {
				const view = get().rollback;
				const name = view.fields[view.field];
				if (view.phase !== 'fill' || name === undefined) return;
				patch({values: {...view.values, [name]: value}});
			},
			rollbackNextField() {
				const view = get().rollback;
				if (view.phase !== 'fill') return;
				const name = view.fields[view.field];
				if (name !== undefined && view.required.includes(name) && !view.values[name]) {
					say(`<${name}> needs a value (Esc goes back)`);
					return;
				}
				if (view.field + 1 < view.fields.length) {
					patch({field: view.field + 1, message: null});
					return;
				}
				void start();
			},
			rollbackRespond(choice) {
				const view = get().rollback;
				const run = view.run;
				if (!run || (view.phase !== 'failed' && view.phase !== 'manual')) return;
				const index = run.index;
				const step = run.steps[index];
				if (choice === 'abort') {
					finish('aborted');
					return;
				}
				if (choice === 'skip') {
					setStep(index, {status: 'skipped'});
					const at = new Date().toISOString();
					void record(rollbackId => ({kind: 'rollback-step', rollbackId, index, step: {id: step?.id ?? '', status: 'skipped', exitCode: step?.exitCode ?? null, ...(step?.startedAt ? {startedAt: step.startedAt} : {}), endedAt: at}}));
					say(null);
					void runFrom(index + 1);
					return;
				}
				if (view.phase === 'manual') return;
				say(null);
				void runFrom(index);
			},
			rollbackManualDone() {
				const view = get().rollback;
				const run = view.run;
				if (!run || view.phase !== 'manual') return;
				const index = run.index;
				const step = run.steps[index]!;
				const at = new Date().toISOString();
				setStep(index, {status: 'done', endedAt: at});
				const target = rt.target ?? session;
				target.mark(step.id, 'done', 'done during rollback').catch(error => get().report(error, `mark ${step.id} done`));
				void record(rollbackId => ({kind: 'rollback-step', rollbackId, index, step: {id: step.id, status: 'done', exitCode: null, endedAt: at}}));
				void runFrom(index + 1);
			},
			rollbackCancelStep() {
				const id = rt.runningStepId;
				if (!id || get().rollback.phase !== 'running') return;
				rt.cancelRequested = true;
				(rt.target ?? session).cancel(id).catch(error => say((error as Error).message));
				const endless = procedureOfRun()?.steps.find(s => s.id === id)?.blocks.some(b => b.endless === true);
				say(endless ? 'stopping the command that runs until cancelled — the rollback then moves on' : 'cancelling the rollback step…');
			},
			rollbackPickMove(delta) {
				const view = get().rollback;
				if (view.procedures.length > 0 || view.pick.sections.length === 0) return;
				patch({pick: {...view.pick, index: Math.max(0, Math.min(view.pick.sections.length - 1, view.pick.index + delta))}});
			},
			rollbackPickSection() {
				const view = get().rollback;
				const picked = view.pick.sections[view.pick.index];
				if (view.procedures.length > 0 || !picked || busy()) return;
				const procedure = pickedProcedure(get().checklist, picked.id);
				if (!procedure) return;
				const procedures = [procedure];
				patch({procedures, chosen: 0, ...buildPlan(procedures, 0), values: {}, field: 0, phase: 'choose', message: `"${picked.title}" is the rollback for this session — y starts it`});
				if (!session.readOnly) void session.apply({kind: 'rollback-picked', at: new Date().toISOString(), sectionId: picked.id}).catch(error => say(`could not keep the choice: ${(error as Error).message}`));
			},
			rollbackCancelForward() {
				const ids = get().forwardRunning();
				if (ids.length === 0) {
					say('no forward step is running');
					return;
				}
				for (const id of ids) {
					// Recorded by the session (cancel-requested, in the audit log as `cancel`).
					session.cancel(id).catch(error => say((error as Error).message));
				}
				say(`cancelling ${ids.length} forward step(s)`);
			},
			dismissTrigger() {
				const trigger = activeTrigger(get().session);
				if (!trigger || session.readOnly) return;
				set({triggerBanner: null});
				void session.apply({kind: 'trigger-ticked', at: new Date(deps.now()).toISOString(), triggerAt: trigger.at, message: trigger.message}).catch(error => get().report(error, 'record the trigger as acknowledged'));
			},
			rollbackOutput() {
				const run = get().rollback.run;
				const step = run?.steps[run.index];
				if (!step) return '';
				try {
					return (rt.target ?? session).outputTail(step.id);
				} catch {
					return '';
				}
			},
			forwardRunning() {
				const rollbackIds = rt.target === session || rt.target === null ? new Set(get().rollback.run?.outcome === 'running' ? get().rollback.run!.steps.map(s => s.id) : []) : new Set<string>();
				return Object.entries(get().session.steps)
					.filter(([id, r]) => r.status === 'running' && !rollbackIds.has(id))
					.map(([id]) => id);
			},
		};
	};
}

async function externalSession(rt: Runtime, deps: StoreDeps): Promise<SessionHandle> {
	const ext = rt.external;
	if (!ext?.procedure.file) throw new Error('no rollback runbook loaded');
	if (ext.session) return ext.session;
	ext.opening ??= (async () => {
		const {openSession} = await import('../session/open.js');
		const {loadChecklist} = await import('../checklist/load.js');
		const checklist = await loadChecklist(ext.procedure.file!);
		const stateDir = stateDirOf(deps.session.dir);
		return openSession(ext.procedure.file!, {checklist, ...(stateDir ? {stateDir} : {})});
	})();
	ext.session = await ext.opening;
	return ext.session;
}

/** The state directory of a session dir (<stateDir>/sessions/<id>), so the runbook's session lives beside it. */
function stateDirOf(sessionDir: string): string | undefined {
	const m = /^(.*)[/\\]sessions[/\\][^/\\]+[/\\]?$/.exec(sessionDir);
	return m ? m[1] : undefined;
}

function watchTarget(rt: Runtime, get: () => CockpitState, set: (p: Partial<CockpitState>) => void): void {
	rt.unsubscribeTarget?.();
	const target = rt.target;
	if (!target) return;
	rt.unsubscribeTarget = target.subscribe((event: SessionEvent) => {
		if (event.type !== 'output' && event.type !== 'run-start' && event.type !== 'run-end') return;
		if (event.stepId !== rt.runningStepId && event.type === 'output') return;
		rt.outputTimer ??= setTimeout(() => {
			rt.outputTimer = undefined;
			const view = get().rollback;
			set({rollback: {...view, outputRev: view.outputRev + 1}});
		}, 1000 / OUTPUT_HZ);
	});
}

/** Trigger detection and panel preparation; returns the stop function. */
export function startRollback(store: CockpitStore, deps: StoreDeps): () => void {
	const rt = runtimeOf(deps);
	const stops: Array<() => void> = [];
	let stopped = false;

	// A separate runbook is loaded up front so `R` shows it at once.
	const path = externalRunbookPath(deps.session.checklist, deps.options.rollbackFile);
	if (path) {
		void (async () => {
			try {
				const {loadChecklist} = await import('../checklist/load.js');
				const runbook = await loadChecklist(path);
				if (stopped) return;
				const procedure = runbookProcedure(path, runbook);
				rt.external = {procedure};
				const view = store.getState().rollback;
				const procedures = [procedure, ...view.procedures.filter(p => p.source !== 'file')];
				store.setState({rollback: {...view, procedures, chosen: preselect(procedures, deps.session.checklist), externalLoading: false}});
				store.getState().rollbackPrepare();
			} catch (error) {
				const view = store.getState().rollback;
				store.setState({rollback: {...view, externalLoading: false, externalError: `${path}: ${(error as Error).message}`}});
			}
		})();
	}

	// The panel's plan is recomputed each time it opens (shell state and env move on).
	let lastOverlay = store.getState().overlay;
	stops.push(
		store.subscribe(state => {
			if (state.overlay === lastOverlay) return;
			const opened = state.overlay === 'rollback';
			lastOverlay = state.overlay;
			if (opened) state.rollbackPrepare();
		}),
	);

	// The banner follows the session's trigger records (also in a read-only follower).
	stops.push(
		store.subscribe((state, prev) => {
			if (state.session === prev.session) return;
			const banner = bannerText(activeTrigger(state.session));
			if (banner !== state.triggerBanner) store.setState({triggerBanner: banner});
		}),
	);

	stops.push(watchTriggers(store, deps, rt));
	return () => {
		stopped = true;
		for (const stop of stops) stop();
		rt.unsubscribeTarget?.();
		if (rt.outputTimer) clearTimeout(rt.outputTimer);
		const ext = rt.external?.session;
		if (ext) void ext.close().catch(() => undefined);
	};
}

function isHighRisk(checklist: Checklist, step: Step): boolean {
	const byId = new Map(checklist.sections.map(s => [s.id, s]));
	for (let id = step.section; id !== null; ) {
		const section = byId.get(id);
		if (!section) return false;
		const risk = section.meta.risk;
		if (risk !== undefined) return /^\s*(high|critical|very high|severe)\b/i.test(String(risk));
		id = section.parent;
	}
	return false;
}

function inRollbackSection(checklist: Checklist, step: Step, role: 'procedure' | 'trigger'): boolean {
	const byId = new Map(checklist.sections.map(s => [s.id, s]));
	for (let id = step.section; id !== null; ) {
		const section = byId.get(id);
		if (!section) return false;
		if (section.rollback === role) return true;
		id = section.parent;
	}
	return false;
}

/** Raises triggers: a tile crossing crit, a NEW firing alert, a failed step in a high-risk section. */
function watchTriggers(store: CockpitStore, deps: StoreDeps, rt: Runtime): () => void {
	const {session} = deps;
	const checklist = session.checklist;
	const raise = (trigger: TriggerRecord) => {
		if (session.readOnly) return;
		store.setState({triggerBanner: bannerText(trigger)});
		const report = store.getState().report;
		void session.apply({kind: 'trigger-fired', trigger}).catch(error => report(error, 'record the trigger'));
	};

	// The metrics slice reports each crit crossing (fresh values only) and each NEW alert once.
	const unsubscribeStore = subscribeCrossings(store, (c: MetricsCrossing) => {
		const at = new Date(deps.now()).toISOString();
		if (c.kind === 'threshold') raise({at, kind: 'threshold', message: c.message.replace(/\s+/g, ' ').trim(), ...(c.value !== null && Number.isFinite(c.value) ? {value: c.value} : {})});
		else raise({at, kind: 'alert', message: `new firing alert: ${c.crossed}`});
	});

	const previous = new Map<string, StepStatus>();
	for (const [id, r] of Object.entries(session.getState().steps)) previous.set(id, r.status);
	const unsubscribeSession = session.subscribe(event => {
		if (event.type === 'run-end' && event.status === 'failed') {
			const step = checklist.steps.find(s => s.id === event.stepId);
			if (!step || !isHighRisk(checklist, step) || inRollbackSection(checklist, step, 'procedure')) return;
			if (store.getState().rollback.run?.outcome === 'running' && store.getState().rollback.run?.steps.some(s => s.id === step.id)) return;
			raise({at: new Date(deps.now()).toISOString(), kind: 'step-failed', message: `high-risk step failed: ${step.title}${event.exitCode !== null ? ` (exit ${event.exitCode})` : ''}`, ...(event.exitCode !== null ? {value: event.exitCode} : {})});
		}
		if (event.type === 'state') {
			// Items of a trigger list ticked (Space) as they are checked: into the audit log.
			for (const [id, r] of Object.entries(event.state.steps)) {
				const before = previous.get(id);
				previous.set(id, r.status);
				if (before === r.status || r.status !== 'done' || session.readOnly) continue;
				const step = checklist.steps.find(s => s.id === id);
				if (step && inRollbackSection(checklist, step, 'trigger') && rt.audit) rt.audit.write('trigger-tick', {stepId: id, title: step.title}).catch(error => store.getState().report(error, 'write the audit log'));
			}
		}
	});
	return () => {
		unsubscribeStore();
		unsubscribeSession();
	};
}
