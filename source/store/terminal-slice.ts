// The run's terminal in the detail pane: a headless screen per visible run
// (fed from the session's output events, replayed from the kept tail when a
// run comes into view or after a restart), the pane's size as the PTY's size,
// and the `interact` mode in which every key goes to the running program
// until the leave chord. Screens live in this slice's closure only (at most
// MAX_SCREENS, the least recently shown go first).
import type {StateCreator} from 'zustand/vanilla';
import type {RunScreen} from '../engine/run-screen.js';
import type {SessionEvent} from '../session/types.js';
import type {CockpitState, CockpitStore, StoreDeps} from './index.js';

const MAX_SCREENS = 4;
/** Redraws of a screen at most this often (gemini-cli's figure). */
export const SCREEN_REDRAW_MS = 70;
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

export interface TerminalSlice {
	/** The step whose program gets every key, or null. */
	interacting: string | null;
	/** Bumped (throttled) when a visible screen changed. */
	screenRev: number;
	/** The detail pane's output area: the size every PTY run starts with and is resized to. */
	paneSize: {cols: number; rows: number};
	/** The selected step's screen when its latest run is a terminal run. */
	screenOf(stepId: string): RunScreen | undefined;
	/** `i`: the selected running step's terminal takes the keys. */
	interact(): void;
	leaveInteract(): void;
	/** Raw terminal input for the focused program (a paste arrives wrapped in the paste marks). */
	typeIntoStep(data: string): void;
	setPaneSize(cols: number, rows: number): void;
	/** Output of a run: into its screen when one is on view. */
	feedScreen(stepId: string, runId: string, chunk: string): void;
	/** Loads the headless terminal (~45 ms of imports, kept off the first frame). */
	loadScreens(): Promise<void>;
	disposeScreens(): void;
}

export function createTerminalSlice(deps: StoreDeps): StateCreator<CockpitState, [], [], TerminalSlice> {
	return (set, get) => {
		const screens = new Map<string, RunScreen>();
		let paneBefore: CockpitState['pane'] = 'steps';
		let Screen: typeof RunScreen | undefined;
		let loading: Promise<void> | undefined;
		let redrawTimer: ReturnType<typeof setTimeout> | undefined;
		let lastRedraw = 0;
		// At most one redraw per SCREEN_REDRAW_MS, the first at once: a typed key's echo is not held back.
		const redraw = () => {
			if (redrawTimer) return;
			const wait = Math.max(0, lastRedraw + SCREEN_REDRAW_MS - Date.now());
			redrawTimer = setTimeout(() => {
				redrawTimer = undefined;
				lastRedraw = Date.now();
				set({screenRev: get().screenRev + 1});
			}, wait);
		};
		return {
			interacting: null,
			screenRev: 0,
			paneSize: {cols: 80, rows: 24},
			screenOf(stepId) {
				const record = get().session.steps[stepId];
				if (!record?.terminal || !record.runId) return undefined;
				let screen = screens.get(stepId);
				if (screen && screen.runId !== record.runId) {
					screen.dispose();
					screens.delete(stepId);
					screen = undefined;
				}
				if (!screen) {
					// Until the headless terminal is loaded the pane shows the plain tail.
					if (!Screen) {
						void get().loadScreens();
						return undefined;
					}
					const {cols, rows} = record.status === 'running' ? get().paneSize : record.terminal;
					screen = new Screen(record.runId, cols, rows);
					screen.write(deps.session.screenTail?.(stepId) ?? deps.session.outputTail(stepId), redraw);
					screens.set(stepId, screen);
					while (screens.size > MAX_SCREENS) {
						const [oldest, old] = screens.entries().next().value!;
						if (oldest === stepId) break;
						old.dispose();
						screens.delete(oldest);
					}
				} else {
					// Most recently shown last.
					screens.delete(stepId);
					screens.set(stepId, screen);
				}
				return screen;
			},
			interact() {
				const s = get();
				const stepId = s.selectedStepId;
				const record = stepId ? s.session.steps[stepId] : undefined;
				if (s.readOnly) return s.showFlash(`read-only: ${s.readOnlyReason ?? 'another cockpit holds this session'}`, 'warn');
				if (!stepId || record?.status !== 'running') return s.showFlash('nothing to type into: the selected step is not running', 'warn');
				if (!record.terminal) return s.showFlash('this run has no terminal (started without one): it cannot take input', 'warn');
				paneBefore = s.pane;
				// The hint bar must say "typing into …" unmistakably: an older flash would stand in its place.
				s.clearFlash();
				set({interacting: stepId, pane: 'detail', outputScroll: 0});
			},
			leaveInteract() {
				// The keys go back to the pane they came from.
				if (get().interacting) set({interacting: null, pane: paneBefore});
			},
			typeIntoStep(data) {
				const stepId = get().interacting;
				if (!stepId || !data) return;
				// A program that did not ask for bracketed paste gets the pasted text alone.
				const screen = screens.get(stepId);
				if (data.includes(PASTE_START) && !screen?.bracketedPaste) data = data.split(PASTE_START).join('').split(PASTE_END).join('');
				deps.session.sendInput(stepId, data).then(
					sent => {
						if (!sent && get().interacting === stepId) {
							get().leaveInteract();
							get().showFlash('the program is gone: keys are back with the cockpit', 'warn');
						}
					},
					() => undefined,
				);
			},
			setPaneSize(cols, rows) {
				const size = get().paneSize;
				if (cols < 2 || rows < 1) return;
				// Shell runs started from the cockpit from now on get a PTY of this size.
				deps.session.setTerminalSize({cols, rows});
				if (size.cols === cols && size.rows === rows) return;
				set({paneSize: {cols, rows}});
				for (const [stepId, record] of Object.entries(get().session.steps)) {
					if (record.status !== 'running' || !record.terminal) continue;
					screens.get(stepId)?.resize(cols, rows);
					deps.session.resizeRun(stepId, cols, rows).catch(() => undefined);
				}
				redraw();
			},
			loadScreens() {
				loading ??= import('../engine/run-screen.js').then(
					module => {
						Screen = module.RunScreen;
						redraw();
					},
					() => undefined,
				);
				return loading;
			},
			feedScreen(stepId, runId, chunk) {
				const screen = screens.get(stepId);
				if (screen && screen.runId === runId) screen.write(chunk, redraw);
			},
			disposeScreens() {
				for (const screen of screens.values()) screen.dispose();
				screens.clear();
				if (redrawTimer) clearTimeout(redrawTimer);
			},
		};
	};
}

/** Feeds output into the screens on view; a run's end gives the keys back. */
export function startTerminal(store: CockpitStore, deps: StoreDeps): () => void {
	// Loaded soon after the first frame, before a run needs it.
	const preload = setTimeout(() => void store.getState().loadScreens(), 200);
	preload.unref?.();
	const unsubscribe = deps.session.subscribe((event: SessionEvent) => {
		if (event.type === 'output') store.getState().feedScreen(event.stepId, event.runId, event.chunk);
		else if (event.type === 'run-end' && store.getState().interacting === event.stepId) store.getState().leaveInteract();
	});
	return () => {
		clearTimeout(preload);
		unsubscribe();
		store.getState().disposeScreens();
	};
}
