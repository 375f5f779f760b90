// Navigation, selection, overlays and the run/mark/cancel flow: everything
// the cockpit does with the session handle. (Over 400 lines: the actions
// share one closure over the session and each other; the pure parts live in
// selectors.ts and find.ts.) Output events are coalesced here
// (never more than OUTPUT_HZ store updates a second) so a step flooding
// output cannot starve key handling.
import type {StateCreator} from 'zustand/vanilla';
import type {Checklist, Section, Step} from '../checklist/model.js';
import type {StepStatus} from '../engine/types.js';
import {redisWrites} from '../engine/redis/classify.js';
import {sqlWrites} from '../engine/sql/classify.js';
import {preflight, type Preflight} from '../safety/analyze.js';
import type {SessionEvent, SessionState, StepRecord} from '../session/types.js';
import {isDiskFull} from '../session/write-errors.js';
import {createErrorSink, describeFailure} from './error-sink.js';
import type {CockpitState, CockpitStore, StoreDeps} from './index.js';
import {findMatches, nextMatch} from './find.js';
import {inSection, isRunnable, sectionKey, stepsBySection, statusOf} from './selectors.js';

export type Pane = 'sections' | 'steps' | 'detail';
export const PANES: Pane[] = ['sections', 'steps', 'detail'];

/** Built-in overlays; other parts add their own names ('rollback', 'flags'). */
export type Overlay = 'help' | 'find' | 'preflight' | 'confirm-cancel' | 'confirm-quit' | 'confirm-rerun' | 'rollback' | 'flags' | (string & {});

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
}

export interface PendingRun {
	stepId: string;
	preflight: Preflight;
	/** Names to fill: placeholders first, then unset variables. */
	fields: string[];
	values: Record<string, string>;
	/** Index into fields of the field being edited; fields.length = the confirm stage. */
	field: number;
	interactive: boolean;
	dryRun: boolean;
}

export interface CoreSlice {
	checklist: Checklist;
	session: SessionState;
	/** Follows the session live: another process may take it over at any time. */
	readOnly: boolean;
	/** Why ('followed', 'taken over by user@host (pid N)', 'the disk is full'); null while writing. */
	readOnlyReason: string | null;
	/** The session state could not be saved ('the disk is full', ...) until the next write succeeds. */
	writeProblem: string | null;
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
	requestRun(stepId?: string, options?: {interactive?: boolean; rerun?: boolean}): void;
	confirmRerun(): void;
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

/** Fields the user must fill before the run starts. */
function fieldsOf(pf: Preflight): string[] {
	return [...new Set([...pf.placeholders, ...pf.unsetVars])];
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
		const startRun = (pending: {stepId: string; values: Record<string, string>; interactive: boolean; confirmed: boolean}) => {
			const vars = Object.keys(pending.values).length > 0 ? pending.values : undefined;
			const go = () => session.runStep(pending.stepId, {confirmed: pending.confirmed, vars, interactive: pending.interactive || undefined});
			if (pending.interactive) {
				if (!deps.terminal) {
					get().showFlash('no terminal to hand over', 'error');
					return;
				}
				deps.terminal.suspend(go).then(
					result => get().showFlash(`exit code ${result.exitCode ?? '—'} (${result.status})`, result.status === 'done' ? 'info' : 'warn'),
					report,
				);
				return;
			}
			go().catch(report);
		};

		return {
			checklist,
			session: state0,
			readOnly: session.readOnly,
			readOnlyReason: session.readOnly ? (session.readOnlyReason ?? 'followed') : null,
			writeProblem: null,
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
				set({overlay: null, pendingRun: null, pendingRerun: null, overlayKeys: false});
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
				if (!isRunnable(target)) {
					get().showFlash('manual step: Space marks it done, f marks it failed');
					return;
				}
				if (status(target.id) === 'running') {
					get().showFlash('already running — x cancels it', 'info', target.id);
					return;
				}
				// A finished step is not run again by a stray Enter (a migration twice is an incident).
				if (status(target.id) === 'done' && !options.rerun) {
					set({pendingRerun: {stepId: target.id, interactive: options.interactive === true}, overlay: 'confirm-rerun', overlayKeys: false});
					return;
				}
				const env: Record<string, string | undefined> = {...(deps.env ?? process.env), ...get().session.shell.vars};
				// Carried in memory only (secrets): set, though state.json does not hold them.
				for (const name of deps.session.carriedNames?.() ?? []) env[name] ??= '';
				const extra = (get().checklist.settings.dangerous as string[] | undefined) ?? [];
				const pf = withWrites(target, preflight(target, env, extra, {cwd: get().session.shell.cwd}));
				const fields = fieldsOf(pf);
				const interactive = options.interactive === true;
				const dryRun = get().dryRun;
				if (pf.dangerous.length === 0 && fields.length === 0 && !dryRun) {
					startRun({stepId: target.id, values: {}, interactive, confirmed: false});
					return;
				}
				set({
					pendingRun: {stepId: target.id, preflight: pf, fields, values: {}, field: 0, interactive, dryRun},
					overlay: 'preflight',
					overlayKeys: false,
				});
			},
			confirmRerun() {
				const rerun = get().pendingRerun;
				set({overlayKeys: false, overlay: null, pendingRerun: null});
				if (rerun) get().requestRun(rerun.stepId, {interactive: rerun.interactive, rerun: true});
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
				if (!pending) return;
				const name = pending.fields[pending.field];
				if (name === undefined) return;
				// "X needs a value" is no longer true once it has one.
				if (get().flash && value) set({flash: null});
				set({pendingRun: {...pending, values: {...pending.values, [name]: value}}});
			},
			pendingField(delta) {
				const pending = get().pendingRun;
				if (!pending || pending.fields.length === 0) return;
				set({pendingRun: {...pending, field: clamp(pending.field + delta, 0, pending.fields.length - 1)}});
			},
			confirmPending() {
				const pending = get().pendingRun;
				if (!pending) return;
				if (pending.field < pending.fields.length) {
					const name = pending.fields[pending.field]!;
					if (!pending.values[name]) {
						get().showFlash(`${name} needs a value (Esc abandons the run)`, 'warn');
						return;
					}
					const nextField = pending.fields.findIndex((f, i) => i > pending.field && !pending.values[f]);
					const unfilled = nextField >= 0 ? nextField : pending.fields.findIndex(f => !pending.values[f]);
					if (unfilled >= 0) {
						set({pendingRun: {...pending, field: unfilled}});
						return;
					}
					// All filled: a dangerous command still needs its explicit key.
					if (pending.preflight.dangerous.length > 0 || pending.dryRun) {
						set({pendingRun: {...pending, field: pending.fields.length}});
						return;
					}
				}
				if (pending.dryRun) {
					get().showFlash('dry run: nothing was run');
					set({overlayKeys: false, overlay: null, pendingRun: null});
					return;
				}
				set({overlayKeys: false, overlay: null, pendingRun: null});
				startRun({stepId: pending.stepId, values: pending.values, interactive: pending.interactive, confirmed: pending.preflight.dangerous.length > 0});
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
				deps.terminal
					.suspend(
						async () => {
							const {pageFile} = await import('./pager.js');
							await pageFile(logPath);
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
	let dirty = false;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const flushOutput = () => {
		timer = undefined;
		if (!dirty) return;
		dirty = false;
		store.setState({outputRev: store.getState().outputRev + 1});
	};
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
			case 'output':
				if (event.stepId !== store.getState().selectedStepId) return;
				dirty = true;
				timer ??= setTimeout(flushOutput, 1000 / OUTPUT_HZ);
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
		if (timer) clearTimeout(timer);
	};
}

/**
 * sql/redis writes need the same explicit confirmation as dangerous commands
 * (the executors refuse them unless the run is confirmed), and so does shell
 * code guessed from an unlabeled fence: the whole code is shown before `y`.
 */
function withWrites(step: Step, pf: Preflight): Preflight {
	const extra: Preflight['dangerous'] = [];
	for (const block of step.blocks) {
		if (block.executor === 'sql') extra.push(...sqlWrites(block));
		else if (block.executor === 'redis') extra.push(...redisWrites(block));
		if (block.guessed) extra.push({command: block.code, reason: 'guessed shell (unlabeled block): check the code', line: block.line + 1});
	}
	const seen = new Set(pf.dangerous.map(d => `${d.line}\0${d.command}`));
	const added = extra.filter(d => !seen.has(`${d.line}\0${d.command}`));
	return added.length === 0 ? pf : {...pf, dangerous: [...pf.dangerous, ...added]};
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
