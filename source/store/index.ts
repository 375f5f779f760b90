// The cockpit store: the only place where the engine, metrics, rollback and
// flags parts meet the UI. Engines write into it; Ink components only read it
// (via source/ui/use-cockpit.ts) and call its actions.
import {createStore, type StoreApi} from 'zustand/vanilla';
import type {SessionHandle} from '../session/types.js';
import {createWorkflows, type Workflows} from '../workflows/index.js';
import type {TerminalControl} from '../workflows/run-flow.js';
import {createCoreSlice, startCore, type CoreSlice} from './core-slice.js';
import {createMetricsSlice, startMetrics, type MetricsSlice} from './metrics-slice.js';
import {createRollbackSlice, startRollback, type RollbackSlice} from './rollback-slice.js';
import {createFlagsSlice, startFlags, type FlagsSlice} from './flags-slice.js';
import {createTerminalSlice, startTerminal, type TerminalSlice} from './terminal-slice.js';
import type {OpenOptions, UserConfig} from './options.js';

export type {OpenOptions, UserConfig} from './options.js';
export type {TerminalControl} from '../workflows/run-flow.js';

export type CockpitState = CoreSlice & MetricsSlice & RollbackSlice & FlagsSlice & TerminalSlice;
export type CockpitStore = StoreApi<CockpitState>;

export interface StoreDeps {
	session: SessionHandle;
	options: OpenOptions;
	config: UserConfig;
	now(): number;
	/** Environment used by preflight (defaults to process.env). */
	env?: Record<string, string | undefined>;
	terminal?: TerminalControl;
	/** The run flow, rollback runner and trigger watcher (workflows/), built once by cockpitDeps. */
	workflows: Workflows;
}

/** The store's dependencies with the workflows built: the one place they are made (open.ts, tests). */
export function cockpitDeps(base: Omit<StoreDeps, 'workflows'>): StoreDeps {
	return {
		...base,
		workflows: createWorkflows({
			session: base.session,
			now: base.now,
			...(base.env ? {env: base.env} : {}),
			...(base.terminal ? {terminal: base.terminal} : {}),
			...(base.options.prometheus ? {runEnv: {PROMETHEUS_URL: base.options.prometheus}} : {}),
		}),
	};
}

export function createCockpitStore(deps: StoreDeps): CockpitStore {
	return createStore<CockpitState>()((set, get, api) => {
		// Slices are built in order, and a slice may read what the earlier ones
		// built (zustand's get() is undefined until the initializer returns).
		let partial = {} as CockpitState;
		const initGet = () => get() ?? partial;
		for (const make of [createCoreSlice, createMetricsSlice, createRollbackSlice, createFlagsSlice, createTerminalSlice]) {
			partial = {...partial, ...make(deps)(set, initGet, api)};
		}
		return partial;
	});
}

/** Starts every slice's background work; the returned function stops all of it. */
export function startEngines(store: CockpitStore, deps: StoreDeps): () => void {
	const stops = [
		startCore(store, deps),
		startMetrics(store, deps),
		startRollback(store, deps),
		startFlags(store, deps),
		startTerminal(store, deps),
	];
	return () => {
		for (const stop of stops.reverse()) {
			try {
				stop();
			} catch {
				// One slice failing to stop must not keep the others running.
			}
		}
	};
}
