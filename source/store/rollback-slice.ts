// One-key rollback and rollback triggers, as the cockpit shows them: `R`
// opens the panel (overlay 'rollback') from anywhere, `y` starts the chosen
// procedure. The panel's state and thin actions live here; running the
// procedure is workflows/rollback-runner.ts and raising triggers
// workflows/trigger-watcher.ts (both built where the cockpit is assembled and
// given in StoreDeps.workflows). Every rollback and trigger is an event of the
// session (state.rollbacks, state.triggers, the audit log).
import type {StateCreator} from 'zustand/vanilla';
import {activeTrigger, type RollbackView} from '../workflows/rollback-runner.js';
import {checklistProcedures, externalRunbookPath, pickableSections, pickedProcedure, preselect, runbookProcedure} from '../workflows/rollback-plan.js';
import {bannerText} from '../workflows/trigger-watcher.js';
import type {CockpitState, CockpitStore, StoreDeps} from './index.js';
import {subscribeCrossings} from './metrics-slice.js';
import {nextFill, setFill} from '../workflows/fill-form.js';

export type {PlanStep, RollbackProcedure} from '../workflows/rollback-plan.js';
export type {RollbackPhase, RollbackRunView, RollbackStepView, RollbackView} from '../workflows/rollback-runner.js';
export {activeTrigger} from '../workflows/rollback-runner.js';
export {bannerText} from '../workflows/trigger-watcher.js';

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

export function createRollbackSlice(deps: StoreDeps): StateCreator<CockpitState, [], [], RollbackSlice> {
	const {session} = deps;
	const runner = deps.workflows.rollback;
	return (set, get) => {
		const checklist = session.checklist;
		const initialProcedures = checklistProcedures(checklist, session.getState().rollbackChoice);
		const extra = () => ((get().checklist.settings.dangerous as string[] | undefined) ?? []).filter(p => typeof p === 'string');
		const patch = (p: Partial<RollbackView>) => set({rollback: {...get().rollback, ...p}});
		const say = (message: string | null) => patch({message});
		const buildPlan = (procedures: RollbackView['procedures'], chosen: number) => runner.buildPlan(procedures, chosen, extra());
		const busy = () => runner.busy();
		runner.attach({
			view: () => get().rollback,
			patch,
			session: () => get().session,
			dryRun: () => get().dryRun,
			flash: (text, level) => get().showFlash(text, level),
			report: (error, what) => get().report(error, what),
		});

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
				void runner.start();
			},
			rollbackSetValue(value) {
				const view = get().rollback;
				const name = view.fields[view.field];
				if (view.phase !== 'fill' || name === undefined) return;
				patch(setFill(view, value));
			},
			rollbackNextField() {
				const view = get().rollback;
				if (view.phase !== 'fill') return;
				const next = nextFill(view);
				if (next.kind === 'missing') say(`<${next.name}> needs a value (Esc goes back)`);
				else if (next.kind === 'field') patch({field: next.field, message: null});
				else void runner.start();
			},
			rollbackRespond(choice) {
				runner.respond(choice);
			},
			rollbackManualDone() {
				runner.manualDone();
			},
			rollbackCancelStep() {
				runner.cancelStep();
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
				if (!session.readOnly) void session.apply({kind: 'rollback-picked', at: new Date(deps.now()).toISOString(), sectionId: picked.id}).catch(error => say(`could not keep the choice: ${(error as Error).message}`));
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
				return runner.outputTail();
			},
			forwardRunning() {
				return runner.forwardRunning();
			},
		};
	};
}

/** The runbook loaded up front, the panel prepared as it opens, the banner, the trigger watcher; returns the stop function. */
export function startRollback(store: CockpitStore, deps: StoreDeps): () => void {
	const runner = deps.workflows.rollback;
	const stops: Array<() => void> = [];
	let stopped = false;

	// A rollback still running (detached) or waiting for a decision when the cockpit reopens: shown again.
	const resume = () => {
		if (stopped) return;
		void runner.resume().then(
			resumed => {
				if (resumed && !stopped) store.getState().openOverlay('rollback');
			},
			error => store.getState().report(error, 'show the running rollback'),
		);
	};

	// A separate runbook is loaded up front so `R` shows it at once.
	const path = externalRunbookPath(deps.session.checklist, deps.options.rollbackFile);
	if (!path) resume();
	if (path) {
		void (async () => {
			try {
				const {loadChecklist} = await import('../checklist/load.js');
				const runbook = await loadChecklist(path);
				if (stopped) return;
				const procedure = runbookProcedure(path, runbook);
				runner.setExternal(procedure);
				const view = store.getState().rollback;
				const procedures = [procedure, ...view.procedures.filter(p => p.source !== 'file')];
				store.setState({rollback: {...view, procedures, chosen: preselect(procedures, deps.session.checklist), externalLoading: false}});
				store.getState().rollbackPrepare();
			} catch (error) {
				const view = store.getState().rollback;
				store.setState({rollback: {...view, externalLoading: false, externalError: `${path}: ${(error as Error).message}`}});
			}
			resume();
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

	stops.push(
		deps.workflows.triggers.start({
			crossings: listener => subscribeCrossings(store, listener),
			isRollbackStep: stepId => runner.isRollbackStep(stepId),
			banner: trigger => store.setState({triggerBanner: bannerText(trigger)}),
			report: (error, what) => store.getState().report(error, what),
		}),
	);
	return () => {
		stopped = true;
		for (const stop of stops) stop();
		runner.stop();
	};
}
