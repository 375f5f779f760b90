// The feature-flag panel's state: what the flag watcher reports, the
// selection, and a toggle waiting for its confirmation. Toggling is two
// steps on purpose: request (shows exactly what will be written), confirm.
import {dirname} from 'node:path';
import type {StateCreator} from 'zustand/vanilla';
import {flagsConfig} from '../flags/config.js';
import type {Flag, FlagSourceStatus, FlagTogglePlan} from '../flags/types.js';
import {whoAmI} from '../session/identity.js';
import type {CockpitState, CockpitStore, StoreDeps} from './index.js';

export interface FlagsView {
	/** false: the checklist has no `flags:` setting. */
	configured: boolean;
	items: Flag[];
	sources: FlagSourceStatus[];
	/** Index into items. */
	selected: number;
	/** A toggle shown for confirmation. */
	pending: FlagTogglePlan | null;
	/** A confirmed toggle being written. */
	writing: boolean;
	message: {text: string; level: 'info' | 'warn' | 'error'} | null;
}

export interface FlagsSlice {
	flags: FlagsView;
	flagMove(delta: number): void;
	/** Enter/Space: prepare the toggle of the selected flag (nothing is written yet). */
	flagRequestToggle(): void;
	/** `y` in the confirmation: write it, audit it. */
	flagConfirmToggle(): Promise<void>;
	flagCancelToggle(): void;
	/** The clock flag times are measured against (the store's, so tests can fake it). */
	flagsNow(): number;
}

const EMPTY: FlagsView = {configured: false, items: [], sources: [], selected: 0, pending: null, writing: false, message: null};

export function createFlagsSlice(deps: StoreDeps): StateCreator<CockpitState, [], [], FlagsSlice> {
	return (set, get) => {
		const update = (patch: Partial<FlagsView>) => set({flags: {...get().flags, ...patch}});
		return {
			flags: {...EMPTY, configured: flagsConfig(deps.session.checklist.settings, dirname(deps.session.checklist.file ?? deps.options.file)) !== null},
			flagMove(delta) {
				const view = get().flags;
				if (view.pending || view.items.length === 0) return;
				const selected = Math.max(0, Math.min(view.items.length - 1, view.selected + delta));
				update({selected, message: null});
			},
			flagRequestToggle() {
				const view = get().flags;
				const flag = view.items[view.selected];
				if (!flag || view.pending || view.writing) return;
				// Loaded by startFlags after the first frame.
				const watcher = deps.workflows.flags.watcher;
				if (!watcher) return;
				const plan = watcher.planToggle(flag.id);
				if ('error' in plan) {
					update({message: {text: plan.error, level: 'warn'}});
					return;
				}
				update({pending: plan, message: null});
			},
			async flagConfirmToggle() {
				const view = get().flags;
				const plan = view.pending;
				const watcher = deps.workflows.flags.watcher;
				if (!plan || !watcher || view.writing) return;
				if (get().dryRun) {
					update({pending: null, message: {text: `dry run: would write ${plan.description}`, level: 'info'}});
					return;
				}
				if (deps.session.readOnly) {
					update({pending: null, message: {text: 'this cockpit follows another one (read-only): toggle from the writer', level: 'warn'}});
					return;
				}
				update({writing: true});
				try {
					await watcher.toggle(plan, {by: whoAmI(), sessionDir: deps.session.dir});
					update({pending: null, writing: false, message: {text: `${plan.key}: ${plan.from} → ${plan.to} written (audit log)`, level: 'info'}});
				} catch (error) {
					update({pending: null, writing: false, message: {text: String((error as Error).message ?? error), level: 'error'}});
				}
			},
			flagCancelToggle() {
				if (get().flags.writing) return;
				update({pending: null, message: null});
			},
			flagsNow: () => deps.now(),
		};
	};
}

export function startFlags(store: CockpitStore, deps: StoreDeps): () => void {
	const checklist = deps.session.checklist;
	const config = flagsConfig(checklist.settings, dirname(checklist.file ?? deps.options.file));
	if (!config) return () => {};
	// The watcher (and ioredis behind it) loads after the first frame: it is
	// not needed to draw the cockpit and costs ~40 ms of start-up.
	let stopped = false;
	let stop = () => {};
	store.setState({flags: {...store.getState().flags, configured: true}});
	void import('../flags/watcher.js').then(({FlagWatcher}) => {
		if (stopped) return;
		// The real environment wins over carried shell variables (which may be stored masked).
		const env = {...deps.session.getState().shell?.vars, ...(deps.env ?? process.env)};
		const watcher = new FlagWatcher({config, env, settings: checklist.settings, baseDir: dirname(checklist.file ?? deps.options.file), now: deps.now});
		deps.workflows.flags.watcher = watcher;
		const unsubscribe = watcher.subscribe(snapshot => {
			const view = store.getState().flags;
			// Keep the selection on the same flag when the list changes around it.
			const selectedId = view.items[view.selected]?.id;
			const index = selectedId ? snapshot.flags.findIndex(f => f.id === selectedId) : -1;
			const selected = index >= 0 ? index : Math.min(view.selected, Math.max(0, snapshot.flags.length - 1));
			store.setState({flags: {...view, configured: true, items: snapshot.flags, sources: snapshot.sources, selected}});
		});
		store.setState({flags: {...store.getState().flags, configured: true, sources: watcher.snapshot().sources}});
		watcher.start();
		stop = () => {
			unsubscribe();
			deps.workflows.flags.watcher = null;
			void watcher.stop();
		};
	});
	return () => {
		stopped = true;
		stop();
	};
}
