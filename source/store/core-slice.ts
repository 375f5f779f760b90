// Navigation, selection, overlays and the run/mark/cancel actions: the state
// the cockpit shows and thin actions over it. The run flow itself (preflight →
// fill → confirm → run) is workflows/run-flow.ts; the pure parts live in
// selectors.ts and find.ts. Output events are coalesced (workflows/throttle.ts,
// never more than OUTPUT_HZ store updates a second) so a step flooding output
// cannot starve key handling. (Over 400 lines: the ~45 actions share one
// closure over the session and each other; splitting them would only spread
// that closure over files.)
import type {StateCreator} from 'zustand/vanilla';
import type {Checklist, Section, Step} from '../checklist/model.js';
import type {StepStatus} from '../engine/types.js';
import type {SessionEvent, SessionState, StepRecord} from '../session/types.js';
import {isDiskFull} from '../session/write-errors.js';
import {setFill} from '../workflows/fill-form.js';
import type {PendingRun, RunResult} from '../workflows/run-flow.js';
import {Throttle} from '../workflows/throttle.js';
import {createErrorSink, describeFailure} from './error-sink.js';
import type {CockpitState, CockpitStore, StoreDeps} from './index.js';
import {findMatches, nextMatch} from './find.js';
import {inSection, isRunnable, sectionKey, stepsBySection, statusOf} from './selectors.js';

export type Pane = 'sections' | 'steps' | 'detail';
export const PANES: Pane[] = ['sections', 'steps', 'detail'];

/** Built-in overlays; other parts add their own names ('rollback', 'flags'). */
export type Overlay = 'help' | 'find' | 'preflight' | 'confirm-cancel' | 'confirm-quit' | 'confirm-rerun' | 'confirm-unclaimed' | 'rollback' | 'flags' | (string & {});

/** The detail pane's scroll at the top of the document (clamped by the pane). */
export const SCROLL_TOP = Number.MAX_SAFE_INTEGER;

export interface Flash {
	text: string;
	level: 'info' | 'warn' | 'error';
	/** Bumped per message so the UI can restart its fade timer. */
	seq: number;
	/** The step the message is about: it clears when the selection moves or that step's run ends. */
	about?: string;
}

/** A finished step waiting for "run again? y". */
export interface PendingRerun {
	stepId: string;
	interactive: boolean;
	/** (confirm-unclaimed) the user already said "run again" too. */
	rerun?: boolean;
}

export type {PendingRun} from '../workflows/run-flow.js';

export interface CoreSlice {
	checklist: Checklist;
	session: SessionState;
	/** Follows the session live: another process may take it over at any time. */
	readOnly: boolean;
	/** Why ('followed', 'taken over by user@host (pid N)', 'the disk is full'); null while writing. */
	readOnlyReason: string | null;
	/** The session state could not be saved ('the disk is full', ...) until the next write succeeds. */
	writeProblem: string | null;
	/** Team mode: when the link to Redis went down (ms epoch); null while up or without a team. */
	teamLinkDownSince: number | null;
	dryRun: boolean;
	notices: string[];
	selectedStepId: string | null;
	/** The section the sections pane points at (the selected step's, or one without steps). */
	selectedSectionKey: string;
	pane: Pane;
	overlay: Overlay | null;
	flash: Flash | null;
	/** Changes (at most OUTPUT_HZ times a second) when the selected step's output grew. */
	outputRev: number;
	/**
	 * Visual lines scrolled back from the end of the detail pane's document
	 * (code, expectations, output). 0 follows the end; SCROLL_TOP shows the top.
	 */
	outputScroll: number;
	/**
	 * Written by the detail pane while it renders (not a reactive field: never
	 * replaced, nobody subscribes): the largest useful outputScroll, so keys clamp.
	 */
	viewport: {detailMax: number};
	findQuery: string;
	findIndex: number;
	/** The find overlay was just opened with the last query: the first typed key replaces it. */
	findFresh: boolean;
	pendingRun: PendingRun | null;
	pendingRerun: PendingRerun | null;
	/** Team mode, link down: a step waiting for "it cannot be claimed — run it on your own? y". */
	pendingUnclaimed: PendingRerun | null;
	/** `?` inside an overlay: that overlay shows its keys. */
	overlayKeys: boolean;
	/** Set when the user confirmed quitting; the app unmounts on it. */
	quitting: boolean;

	select(stepId: string): void;
	selectSection(key: string): void;
	/** Moves within the focused pane: steps/sections by delta, the detail pane scrolls. */
	move(delta: number): void;
	moveEdge(edge: 'first' | 'last'): void;
	page(direction: 1 | -1, pageSize: number): void;
	nextPending(): void;
	cyclePane(direction: 1 | -1): void;
	focusPane(pane: Pane): void;
	openOverlay(overlay: Overlay): void;
	closeOverlay(): void;
	showFlash(text: string, level?: Flash['level'], about?: string): void;
	clearFlash(): void;
	/** The one error sink: flashes the failure and records it in the audit log when it can. */
	report(error: unknown, what?: string): void;

	/** rerun: the user already said "run again" for a done step. */
	requestRun(stepId?: string, options?: {interactive?: boolean; rerun?: boolean; unclaimed?: boolean}): void;
	confirmRerun(): void;
	confirmUnclaimed(): void;
	/** Starts the window clock now (the W key) unless it already started. */
	startWindowNow(): void;
	toggleOverlayKeys(): void;
	/** Opens the find overlay with the last query (the first typed key replaces it). */
	openFind(): void;
	/** Jumps to the next step (after the selected one) matching the last query. */
	findRepeat(): void;
	setPendingValue(value: string): void;
	pendingField(delta: number): void;
	/** Next stage of the preflight overlay: next field, the confirm stage, or the run. */
	confirmPending(): void;
	abandonRun(): void;
	requestCancel(stepId?: string): void;
	confirmCancel(): void;
	toggleDone(stepId?: string): void;
	skip(stepId?: string): void;
	markFailed(stepId?: string): void;
	setFindQuery(query: string): void;
	findMove(delta: number): void;
	findJump(): void;
	scrollOutput(delta: number): void;
	requestQuit(force?: boolean): void;
	confirmQuit(): void;
	openLog(stepId?: string): void;
	/** The in-memory output tail of the step's latest run (ANSI kept). */
	outputTail(stepId: string): string;
}

const OUTPUT_HZ = 10;

function firstPending(checklist: Checklist, state: SessionState): string | null {
	const pending = checklist.steps.find(s => statusOf(state, s) === 'pending');
	return (pending ?? checklist.steps[0])?.id ?? null;
}

function initialSelection(checklist: Checklist, state: SessionState): string | null {
	const saved = state.cursor?.stepId;
	if (saved && checklist.steps.some(s => s.id === saved)) return saved;
	return firstPending(checklist, state);
}

/** Where the detail pane starts for a step: the top of the code, or following the output once it ran. */
function initialScroll(state: SessionState, stepId: string | null): number {
	const record = stepId ? state.steps[stepId] : undefined;
	return record?.runId || record?.status === 'running' ? 0 : SCROLL_TOP;
}

function hhmm(iso: string | undefined): string {
	if (!iso) return '?';
	const d = new Date(iso);
	return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function createCoreSlice(deps: StoreDeps): StateCreator<CockpitState, [], [], CoreSlice> {
	const {session} = deps;
	return (set, get) => {
		const checklist = session.checklist;
		const state0 = session.getState();
		const selected = initialSelection(checklist, state0);
		const selectedStep = checklist.steps.find(s => s.id === selected);
		let flashSeq = 0;

		const step = (id?: string): Step | undefined => {
			const target = id ?? get().selectedStepId ?? undefined;
			return target === undefined ? undefined : get().checklist.steps.find(s => s.id === target);
		};
		const status = (id: string): StepStatus => {
			const target = get().checklist.steps.find(s => s.id === id);
			return target ? statusOf(get().session, target) : 'pending';
		};
		const refuseReadOnly = (): boolean => {
			if (!get().readOnly) return false;
			const reason = get().readOnlyReason;
			const text =
				!reason || reason === 'followed'
					? 'read-only: another cockpit holds this session; run and mark from that one'
					: reason === 'the disk is full'
						? 'read-only: the disk is full; free some space and reopen to run steps'
						: `read-only: ${reason}; run and mark from the cockpit that has it`;
			get().showFlash(text, 'warn');
			return true;
		};
		const sink = createErrorSink(session, text => get().showFlash(text, 'error'));
		const saveCursor = () => {
			if (get().readOnly) return;
			const {selectedStepId, pane} = get();
			try {
				session.setCursor({stepId: selectedStepId ?? undefined, pane});
			} catch {
				// The cursor is a convenience; a failed save must not disturb the user.
			}
		};
		const report = (error: unknown) => sink(error);
		const mark = (stepId: string, to: StepStatus, note?: string) => {
			if (refuseReadOnly()) return;
			session.mark(stepId, to, note).catch(report);
		};
		const flow = deps.workflows.run;
		/** A started run: `!` runs say how they ended (the screen was away); failures go to the sink. */
		const started = (run: Promise<RunResult>) => {
			run.then(result => {
				if (result.status === 'no-terminal') get().showFlash('no terminal to hand over', 'error');
				else if (result.interactive && result.status === 'running') get().showFlash('detached: the program goes on in its step — i types into it', 'info');
				else if (result.interactive) get().showFlash(`exit code ${result.exitCode ?? '—'} (${result.status})`, result.status === 'done' ? 'info' : 'warn');
			}, report);
		};

		return {
			checklist,
			session: state0,
			readOnly: session.readOnly,
			readOnlyReason: session.readOnly ? (session.readOnlyReason ?? 'followed') : null,
			writeProblem: null,
			teamLinkDownSince: session.linkDownSince ?? null,
			dryRun: deps.options.dryRun,
			notices: [...session.notices],
			selectedStepId: selected,
			selectedSectionKey: sectionKey(selectedStep?.section ?? checklist.sections[0]?.id ?? null),
			pane: 'steps',
			overlay: null,
			flash: null,
			outputRev: 0,
			outputScroll: initialScroll(state0, selected),
			viewport: {detailMax: SCROLL_TOP},
			findQuery: '',
			findIndex: 0,
			findFresh: false,
			pendingRun: null,
			pendingRerun: null,
			pendingUnclaimed: null,
			overlayKeys: false,
			quitting: false,

			select(stepId) {
				const target = get().checklist.steps.find(s => s.id === stepId);
				if (!target) return;
				if (get().selectedStepId === stepId) return;
				// Stay on a parent section while moving inside it.
				const keep = inSection(get().checklist, get().selectedSectionKey, stepId);
				set({selectedStepId: stepId, selectedSectionKey: keep ? get().selectedSectionKey : sectionKey(target.section), outputScroll: initialScroll(get().session, stepId)});
				if (get().flash?.about) set({flash: null});
				saveCursor();
			},
			selectSection(key) {
				const steps = stepsBySection(get().checklist).get(key) ?? [];
				const pending = steps.find(s => status(s.id) === 'pending') ?? steps[0];
				if (pending) {
					set({selectedStepId: pending.id, selectedSectionKey: key, outputScroll: initialScroll(get().session, pending.id)});
					if (get().flash?.about) set({flash: null});
					saveCursor();
				} else {
					set({selectedSectionKey: key});
				}
			},
			move(delta) {
				const {pane, checklist: cl} = get();
				if (pane === 'detail') {
					get().scrollOutput(-delta);
					return;
				}
				if (pane === 'sections') {
					const keys = sectionKeys(cl);
					const at = keys.indexOf(get().selectedSectionKey);
					const next = keys[clamp(at + delta, 0, keys.length - 1)];
					if (next !== undefined) get().selectSection(next);
					return;
				}
				const at = cl.steps.findIndex(s => s.id === get().selectedStepId);
				const next = cl.steps[clamp(at + delta, 0, cl.steps.length - 1)];
				if (next) get().select(next.id);
			},
			moveEdge(edge) {
				const {pane, checklist: cl} = get();
				if (pane === 'detail') {
					set({outputScroll: edge === 'first' ? get().viewport.detailMax : 0, outputRev: get().outputRev + 1});
					return;
				}
				if (pane === 'sections') {
					const keys = sectionKeys(cl);
					const key = edge === 'first' ? keys[0] : keys.at(-1);
					if (key !== undefined) get().selectSection(key);
					return;
				}
				const target = edge === 'first' ? cl.steps[0] : cl.steps.at(-1);
				if (target) get().select(target.id);
			},
			page(direction, pageSize) {
				if (get().pane === 'detail') get().scrollOutput(direction * -pageSize);
				else get().move(direction * Math.max(1, pageSize));
			},
			nextPending() {
				const {checklist: cl, selectedStepId} = get();
				const at = cl.steps.findIndex(s => s.id === selectedStepId);
				for (let i = 1; i <= cl.steps.length; i++) {
					const candidate = cl.steps[(at + i) % cl.steps.length];
					if (candidate && status(candidate.id) === 'pending') {
						get().select(candidate.id);
						return;
					}
				}
				get().showFlash('no pending steps left');
			},
			cyclePane(direction) {
				const at = PANES.indexOf(get().pane);
				get().focusPane(PANES[(at + direction + PANES.length) % PANES.length]!);
			},
			focusPane(pane) {
				set({pane});
			},
			openOverlay(overlay) {
				set({overlay, overlayKeys: false});
			},
			closeOverlay() {
				set({overlay: null, pendingRun: null, pendingRerun: null, pendingUnclaimed: null, overlayKeys: false});
			},
			toggleOverlayKeys() {
				set({overlayKeys: !get().overlayKeys});
			},
			showFlash(text, level = 'info', about) {
				set({flash: {text, level, seq: ++flashSeq, ...(about ? {about} : {})}});
			},
			clearFlash() {
				set({flash: null});
			},
			report(error, what) {
				sink(error, what);
			},

			requestRun(stepId, options = {}) {
				const target = step(stepId);
				if (!target) return;
				if (refuseReadOnly()) return;
				const extra = (get().checklist.settings.dangerous as string[] | undefined) ?? [];
				const request = flow.request(target, get().session, {...options, dryRun: get().dryRun, dangerous: extra});
				if (request.kind === 'refused') get().showFlash(request.text, request.level, request.about);
				else if (request.kind === 'ask-rerun') set({pendingRerun: {stepId: target.id, interactive: options.interactive === true}, overlay: 'confirm-rerun', overlayKeys: false});
				else if (request.kind === 'ask-unclaimed') set({pendingUnclaimed: {stepId: target.id, interactive: options.interactive === true, ...(options.rerun ? {rerun: true} : {})}, overlay: 'confirm-unclaimed', overlayKeys: false});
				else if (request.kind === 'preflight') set({pendingRun: request.pending, overlay: 'preflight', overlayKeys: false});
				else started(request.run);
			},
			confirmRerun() {
				const rerun = get().pendingRerun;
				set({overlayKeys: false, overlay: null, pendingRerun: null});
				if (rerun) get().requestRun(rerun.stepId, {interactive: rerun.interactive, rerun: true});
			},
			confirmUnclaimed() {
				const pending = get().pendingUnclaimed;
				set({overlayKeys: false, overlay: null, pendingUnclaimed: null});
				if (pending) get().requestRun(pending.stepId, {interactive: pending.interactive, unclaimed: true, ...(pending.rerun ? {rerun: true} : {})});
			},
			startWindowNow() {
				if (refuseReadOnly()) return;
				const started = get().session.windowStartedAt;
				if (started) {
					get().showFlash(`the window started at ${hhmm(started)}`);
					return;
				}
				const at = new Date(deps.now()).toISOString();
				session.apply({kind: 'window-started', at}).then(() => get().showFlash('window clock started'), report);
			},
			setPendingValue(value) {
				const pending = get().pendingRun;
				if (!pending || pending.fields[pending.field] === undefined) return;
				// "X needs a value" is no longer true once it has one.
				if (get().flash && value) set({flash: null});
				set({pendingRun: setFill(pending, value)});
			},
			pendingField(delta) {
				const pending = get().pendingRun;
				if (!pending || pending.fields.length === 0) return;
				set({pendingRun: {...pending, field: clamp(pending.field + delta, 0, pending.fields.length - 1)}});
			},
			confirmPending() {
				const pending = get().pendingRun;
				if (!pending) return;
				const next = flow.confirm(pending);
				if (next.kind === 'missing') {
					get().showFlash(`${next.name} needs a value (Esc abandons the run)`, 'warn');
					return;
				}
				if (next.kind === 'pending') {
					set({pendingRun: next.pending});
					return;
				}
				set({overlayKeys: false, overlay: null, pendingRun: null});
				if (next.kind === 'dry-run') get().showFlash('dry run: nothing was run');
				else started(next.run);
			},
			abandonRun() {
				if (get().pendingRun) get().showFlash('run abandoned');
				set({overlayKeys: false, overlay: null, pendingRun: null});
			},
			requestCancel(stepId) {
				const target = step(stepId);
				if (!target) return;
				if (refuseReadOnly()) return;
				if (status(target.id) !== 'running') {
					get().showFlash('not running');
					return;
				}
				set({overlayKeys: false, overlay: 'confirm-cancel'});
			},
			confirmCancel() {
				const target = step();
				set({overlayKeys: false, overlay: null});
				if (!target || status(target.id) !== 'running') return;
				session.cancel(target.id).catch(report);
				get().showFlash(`cancelling ${target.title}`);
			},
			toggleDone(stepId) {
				const target = step(stepId);
				if (!target) return;
				if (isRunnable(target)) {
					get().showFlash('this step runs a command: Enter runs it, s skips it', 'warn');
					return;
				}
				const now = status(target.id);
				if (now === 'running') return;
				mark(target.id, now === 'done' ? 'pending' : 'done');
			},
			skip(stepId) {
				const target = step(stepId);
				if (!target) return;
				const now = status(target.id);
				if (now === 'running') {
					get().showFlash('running — x cancels it first', 'warn');
					return;
				}
				mark(target.id, now === 'skipped' ? 'pending' : 'skipped');
			},
			markFailed(stepId) {
				const target = step(stepId);
				if (!target) return;
				if (isRunnable(target)) {
					get().showFlash('this step runs a command: its result sets the status', 'warn');
					return;
				}
				const now = status(target.id);
				mark(target.id, now === 'failed' ? 'pending' : 'failed');
			},
			setFindQuery(query) {
				set({findQuery: query, findIndex: 0, findFresh: false});
			},
			openFind() {
				set({overlayKeys: false, overlay: 'find', findIndex: 0, findFresh: get().findQuery.length > 0});
			},
			findRepeat() {
				const {checklist: cl, findQuery, selectedStepId} = get();
				const next = nextMatch(cl, findQuery, selectedStepId);
				if (next.step) get().select(next.step.id);
				get().showFlash(next.message, next.step ? 'info' : 'warn');
			},
			findMove(delta) {
				const count = findMatches(get().checklist, get().findQuery).length;
				if (count === 0) return;
				set({findIndex: clamp(get().findIndex + delta, 0, count - 1)});
			},
			findJump() {
				const matches = findMatches(get().checklist, get().findQuery);
				const target = matches[get().findIndex] ?? matches[0];
				set({overlayKeys: false, overlay: null});
				if (!target) {
					get().showFlash(`no step matches "${get().findQuery}"`, 'warn');
					return;
				}
				get().select(target.id);
				set({pane: 'steps'});
			},
			scrollOutput(delta) {
				const max = get().viewport.detailMax;
				const from = Math.min(get().outputScroll, max);
				set({outputScroll: Math.max(0, Math.min(max, from + delta))});
			},
			requestQuit(force = false) {
				const running = runningSteps(get().session);
				if (force || running.length > 0) {
					set({overlayKeys: false, overlay: 'confirm-quit'});
					return;
				}
				set({quitting: true});
			},
			confirmQuit() {
				set({overlayKeys: false, overlay: null, quitting: true});
			},
			outputTail(stepId) {
				try {
					return session.outputTail(stepId);
				} catch {
					return '';
				}
			},
			openLog(stepId) {
				const target = step(stepId);
				if (!target) return;
				const record: StepRecord | undefined = get().session.steps[target.id];
				if (!record?.logPath) {
					get().showFlash('no log yet: the step has not run');
					return;
				}
				if (!deps.terminal) {
					get().showFlash(`log: ${record.logPath}`);
					return;
				}
				const logPath = record.logPath;
				const terminalRun = record.terminal !== undefined;
				deps.terminal
					.suspend(
						async () => {
							const {pageFile} = await import('./pager.js');
							// A terminal run's log holds its escapes and redraws: the pager gets the plain text.
							const {writePlainLog} = await import('../engine/plain-log.js');
							await pageFile(terminalRun ? await writePlainLog(logPath) : logPath);
						},
						{prompt: false},
					)
					.catch(report);
			},
		};
	};
}

/** The session's writer/read-only standing, when the store's copy is behind it. */
function leaseOf(deps: StoreDeps, store: CockpitStore): Partial<CoreSlice> {
	const readOnly = deps.session.readOnly;
	if (readOnly === store.getState().readOnly) return {};
	return {readOnly, readOnlyReason: readOnly ? (deps.session.readOnlyReason ?? 'followed') : null};
}

/** Wires session events into the store; output is coalesced to OUTPUT_HZ. */
export function startCore(store: CockpitStore, deps: StoreDeps): () => void {
	const output = new Throttle(OUTPUT_HZ, () => store.setState({outputRev: store.getState().outputRev + 1}));
	const unsubscribe = deps.session.subscribe((event: SessionEvent) => {
		switch (event.type) {
			case 'state':
				store.setState({session: event.state, ...leaseOf(deps, store)});
				break;
			case 'lease-lost':
				store.setState({readOnly: true, readOnlyReason: event.reason, pendingRun: null, overlay: store.getState().overlay === 'preflight' ? null : store.getState().overlay});
				store.getState().showFlash(`read-only: ${event.reason}; this cockpit no longer runs or marks steps`, 'warn');
				break;
			case 'write-failed': {
				const error = Object.assign(new Error(event.message), {code: event.code});
				store.getState().showFlash(describeFailure(error, event.what === 'state' ? 'save the session state' : 'write the audit log'), 'error');
				if (event.what === 'state') store.setState({writeProblem: isDiskFull(error) ? 'the disk is full' : 'a write failed'});
				break;
			}
			case 'write-recovered':
				store.setState({writeProblem: null});
				break;
			case 'team-link':
				store.setState({teamLinkDownSince: event.downSince});
				if (event.downSince === null) store.getState().showFlash('team link back: claims and updates work again', 'info');
				break;
			case 'output':
				if (event.stepId !== store.getState().selectedStepId) return;
				output.poke();
				break;
			case 'run-start': {
				// The selected step starts: follow its output.
				const follow = event.stepId === store.getState().selectedStepId ? {outputScroll: 0} : {};
				store.setState({session: deps.session.getState(), outputRev: store.getState().outputRev + 1, ...follow});
				break;
			}
			case 'run-end': {
				const flash = store.getState().flash;
				store.setState({session: deps.session.getState(), outputRev: store.getState().outputRev + 1, ...(flash?.about === event.stepId ? {flash: null} : {})});
				break;
			}
		}
	});
	// Anything that changed between the store's creation and now.
	if (deps.session.getState() !== store.getState().session) store.setState({session: deps.session.getState()});
	store.setState(leaseOf(deps, store));
	return () => {
		unsubscribe();
		output.stop();
	};
}

export function runningSteps(state: SessionState): string[] {
	return Object.entries(state.steps)
		.filter(([, r]) => r.status === 'running')
		.map(([id]) => id);
}

export function sectionKeys(checklist: Checklist): string[] {
	const keys = checklist.sections.map((s: Section) => s.id);
	if (checklist.steps.some(s => s.section === null)) keys.unshift(sectionKey(null));
	return keys;
}

export {findMatches} from './find.js';

function clamp(n: number, lo: number, hi: number): number {
	return Math.max(lo, Math.min(hi, n));
}
