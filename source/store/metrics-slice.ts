// Live metric tiles in the store. Pollers run outside React (source/metrics);
// their updates arrive here in batches (one store write per batch, a batch
// being the answers of one polling tick), together with each tile's computed
// state, which is what the rollback part watches for crit crossings.
import type {StateCreator} from 'zustand/vanilla';
import type {Step} from '../checklist/model.js';
import {captureBaseline, latestValues} from '../metrics/baseline.js';
import {MetricsMonitor} from '../metrics/monitor.js';
import type {Clock, TileSnapshot} from '../metrics/poller.js';
import {blockTiles, resolveTiles, type MetricsUserConfig} from '../metrics/sources.js';
import {tileView, type TileMeta, type TileState} from '../metrics/tile.js';
import type {ResolvedTile} from '../metrics/types.js';
import type {RecordEvent} from '../session/events.js';
import type {SessionState} from '../session/types.js';
import type {CockpitState, CockpitStore, StoreDeps} from './index.js';

export type {TileMeta, TileState} from '../metrics/tile.js';
export type {TileSnapshot} from '../metrics/poller.js';

/** What a tile is, for the UI (no functions, no sources). */
export interface TileInfo extends TileMeta {
	origin: ResolvedTile['origin'];
	expr: string;
	stepId?: string;
}

/** Each tile's current verdict: what the rollback part reads to raise triggers. */
export interface TileStateInfo {
	id: string;
	title: string;
	state: TileState;
	/** The tile's number (null: no data / error). For the alerts tile: firing count. */
	value: number | null;
	/** Formatted value, e.g. `6.20%`. */
	valueText: string;
	/** The limit crossed, e.g. `> 0.05` or `> 2x baseline`; '' when ok. */
	crossed: string;
	/** false when the value is stale (source failing): never raise a trigger on it. */
	fresh: boolean;
	/** Alerts tile: firing alerts that were not firing at the baseline. */
	newAlerts: string[];
	/** ms (clock time) of the reading. */
	at: number | null;
}

export interface MetricsSlice {
	/** The tiles shown: configured/host tiles, then the selected step's promql tiles. */
	tiles: TileInfo[];
	/** Latest poller snapshot per tile id. */
	tileSnaps: Record<string, TileSnapshot>;
	/** Verdict per tile id (see TileStateInfo). */
	tileStates: Record<string, TileStateInfo>;
	/** Prometheus base URL in use (no credentials), or null. */
	prometheusUrl: string | null;
	/** Recapture every tile's baseline (key `b`). */
	recaptureBaseline(): void;
	/** Same as recaptureBaseline. */
	captureBaseline(): void;
}

export function createMetricsSlice(_deps: StoreDeps): StateCreator<CockpitState, [], [], MetricsSlice> {
	return () => ({
		tiles: [],
		tileSnaps: {},
		tileStates: {},
		prometheusUrl: null,
		// Replaced by startMetrics once the pollers exist.
		recaptureBaseline: () => {},
		captureBaseline: () => {},
	});
}

function infoOf(t: ResolvedTile): TileInfo {
	return {id: t.id, title: t.title, unit: t.unit, kind: t.kind, intervalMs: t.intervalMs, warn: t.warn, crit: t.crit, origin: t.origin, expr: t.expr, stepId: t.stepId};
}

export function stateInfo(tile: TileInfo, snap: TileSnapshot | undefined, session: Pick<SessionState, 'baseline' | 'baselineAlerts'>): TileStateInfo {
	const baselineAlerts = session.baselineAlerts ? new Set(session.baselineAlerts) : undefined;
	const view = tileView(tile, snap, {now: snap?.updatedAt ?? 0, baseline: session.baseline?.[tile.id], baselineAlerts});
	return {
		id: tile.id,
		title: tile.title,
		state: view.state,
		value: snap?.value ?? null,
		valueText: view.valueText,
		crossed: view.crossed,
		fresh: !!snap && !snap.stale && snap.error === null,
		newAlerts: view.newAlerts,
		at: snap?.updatedAt ?? null,
	};
}

/** promql tiles of the selected step, or of the selected section's steps when the step has none. */
export function selectedBlockSteps(state: Pick<CockpitState, 'checklist' | 'selectedStepId' | 'selectedSectionKey'>): Step[] {
	const hasPromql = (s: Step) => s.blocks.some(b => b.executor === 'promql');
	const step = state.checklist.steps.find(s => s.id === state.selectedStepId);
	if (step && hasPromql(step)) return [step];
	const section = step?.section ?? state.checklist.sections.find(s => s.id === state.selectedSectionKey)?.id ?? null;
	if (section === null) return [];
	return state.checklist.steps.filter(s => s.section === section && hasPromql(s)).slice(0, 4);
}

export interface MetricsCrossing {
	kind: 'threshold' | 'alert';
	tileId: string;
	title: string;
	value: number | null;
	valueText: string;
	/** `> 5%`-style limit, or the NEW alert names. */
	crossed: string;
	/** Human text for a banner: `error rate 6.20% > 0.05`, `NEW alert HighErrors`. */
	message: string;
	at: number;
}

/**
 * Calls `listener` when a tile enters crit on a fresh value, or when an alert
 * becomes NEW (firing, not firing at the baseline). Each crossing is reported
 * once until the tile leaves crit (or the alert stops firing). For the
 * rollback triggers.
 */
export function subscribeCrossings(store: CockpitStore, listener: (crossing: MetricsCrossing) => void): () => void {
	const inCrit = new Set<string>();
	const alertsSeen = new Set<string>();
	const check = (states: Record<string, TileStateInfo>) => {
		for (const s of Object.values(states)) {
			if (s.state === 'crit' && s.fresh && s.newAlerts.length === 0) {
				if (!inCrit.has(s.id)) {
					inCrit.add(s.id);
					listener({kind: 'threshold', tileId: s.id, title: s.title, value: s.value, valueText: s.valueText, crossed: s.crossed, message: `${s.title} ${s.valueText} ${s.crossed}`, at: s.at ?? Date.now()});
				}
			} else if (s.state !== 'crit' && s.fresh) {
				inCrit.delete(s.id);
			}
			if (s.newAlerts.length > 0 || (s.fresh && s.newAlerts.length === 0)) {
				const current = new Set(s.newAlerts.map(n => `${s.id}\u0000${n}`));
				for (const key of [...alertsSeen]) if (key.startsWith(`${s.id}\u0000`) && !current.has(key)) alertsSeen.delete(key);
				for (const name of s.newAlerts) {
					const key = `${s.id}\u0000${name}`;
					if (alertsSeen.has(key)) continue;
					alertsSeen.add(key);
					listener({kind: 'alert', tileId: s.id, title: s.title, value: s.value, valueText: s.valueText, crossed: name, message: `NEW alert ${name}`, at: s.at ?? Date.now()});
				}
			}
		}
	};
	check(store.getState().tileStates);
	return store.subscribe((state, prev) => {
		if (state.tileStates !== prev.tileStates) check(state.tileStates);
	});
}

/** How often the latest values are written into the session file. */
const LATEST_EVERY_MS = 15_000;

export interface StartMetricsOptions {
	clock?: Clock;
	flushMs?: number;
	/** Replaces resolveTiles (tests, bench). */
	tiles?: ResolvedTile[];
}

export function startMetrics(store: CockpitStore, deps: StoreDeps, options: StartMetricsOptions = {}): () => void {
	const env = deps.env ?? process.env;
	const userConfig = deps.config as MetricsUserConfig;
	// The flag reaches promql steps through the session's run environment (commands/open.ts), not process.env.
	const resolved = options.tiles
		? {tiles: options.tiles, warnings: [] as string[], prometheus: undefined, client: undefined}
		: resolveTiles({checklist: store.getState().checklist, userConfig, prometheusFlag: deps.options.prometheus, env});
	const globalTiles = resolved.tiles;
	const canWrite = () => !deps.session.readOnly;
	let stopped = false;
	let latestTimer: ReturnType<typeof setTimeout> | undefined;
	let latestDirty = false;
	let pendingBaseline = false;

	const persist = (event: RecordEvent) => {
		if (!canWrite() || stopped) return;
		deps.session.apply(event).catch(error => store.getState().report(error, 'save the tile values'));
	};

	const flushLatest = () => {
		latestTimer = undefined;
		if (!latestDirty) return;
		latestDirty = false;
		const latest = latestValues(store.getState().tileSnaps);
		persist({kind: 'latest-values', latest});
	};

	/** First fresh value of a tile without a baseline becomes its baseline (session start, or a tile that appeared later). */
	const fillBaseline = (changed: Record<string, TileSnapshot>) => {
		const session = store.getState().session;
		const missing = Object.keys(changed).filter(id => !session.baseline?.[id]);
		const needAlerts = session.baselineAlerts === undefined && Object.values(changed).some(s => s.alerts && !s.stale && s.error === null);
		if (missing.length === 0 && !needAlerts) return;
		const cap = captureBaseline(changed, new Date(deps.now()), missing);
		const alertCap = captureBaseline(changed, new Date(deps.now())).alerts;
		if (Object.keys(cap.baseline).length === 0 && !(needAlerts && alertCap)) return;
		persist({kind: 'baseline-taken', baseline: cap.baseline, ...(needAlerts && alertCap ? {alerts: alertCap} : {})});
		// Read-only followers and the session write landing later: use it right away for the verdicts.
		if (!canWrite()) return;
		const optimistic = {...session, baseline: {...cap.baseline, ...session.baseline}, baselineAlerts: session.baselineAlerts ?? (needAlerts ? alertCap : undefined)};
		store.setState({session: optimistic});
	};

	/** Verdicts for `ids` (all shown tiles when null) from the given snapshots. */
	const verdicts = (snaps: Record<string, TileSnapshot>, ids: string[] | null, session = store.getState().session): Record<string, TileStateInfo> => {
		const s = store.getState();
		const next: Record<string, TileStateInfo> = ids === null ? {} : {...s.tileStates};
		for (const tile of s.tiles) {
			if (ids !== null && !ids.includes(tile.id)) continue;
			next[tile.id] = stateInfo(tile, snaps[tile.id], session);
		}
		return next;
	};

	const monitor = new MetricsMonitor({
		clock: options.clock,
		flushMs: options.flushMs,
		onChange: changed => {
			if (stopped) return;
			fillBaseline(changed);
			const tileSnaps = {...store.getState().tileSnaps, ...changed};
			// One store write per batch: snapshots and verdicts together.
			store.setState({tileSnaps, tileStates: verdicts(tileSnaps, Object.keys(changed))});
			if (pendingBaseline) {
				pendingBaseline = false;
				recapture();
			}
			latestDirty = true;
			latestTimer ??= setTimeout(flushLatest, LATEST_EVERY_MS);
			latestTimer.unref?.();
		},
	});

	const showTiles = () => {
		const s = store.getState();
		const steps = selectedBlockSteps(s);
		const extra = steps.flatMap(step => blockTiles(step, resolved.client));
		const all = [...globalTiles, ...extra];
		const same = all.length === s.tiles.length && all.every((t, i) => s.tiles[i]?.id === t.id && s.tiles[i]?.expr === t.expr);
		monitor.setTiles(all);
		if (same) return;
		const ids = new Set(all.map(t => t.id));
		const tileSnaps: Record<string, TileSnapshot> = {};
		for (const [id, snap] of Object.entries(s.tileSnaps)) if (ids.has(id)) tileSnaps[id] = snap;
		for (const t of all) {
			const live = monitor.snapshot(t.id);
			if (live && !tileSnaps[t.id]) tileSnaps[t.id] = live;
		}
		store.setState({tiles: all.map(infoOf), tileSnaps});
		store.setState({tileStates: verdicts(tileSnaps, null)});
	};

	const recapture = () => {
		const s = store.getState();
		const ids = s.tiles.map(t => t.id);
		const cap = captureBaseline(s.tileSnaps, new Date(deps.now()), ids);
		if (Object.keys(cap.baseline).length === 0 && !cap.alerts) {
			// Nothing read yet: take it as soon as the first values arrive.
			pendingBaseline = true;
			return;
		}
		persist({kind: 'baseline-taken', baseline: cap.baseline, ...(cap.alerts ? {alerts: cap.alerts} : {}), recaptured: true});
		const session = {...s.session, baseline: {...s.session.baseline, ...cap.baseline}, baselineAlerts: cap.alerts ?? s.session.baselineAlerts};
		store.setState({session, tileStates: verdicts(s.tileSnaps, null, session)});
		const stale = s.tiles.length - Object.keys(cap.baseline).length;
		s.showFlash(`baseline captured for ${Object.keys(cap.baseline).length} tile${Object.keys(cap.baseline).length === 1 ? '' : 's'}${stale > 0 ? ` (${stale} without a fresh value kept their old baseline)` : ''}`, 'info');
	};

	store.setState({
		prometheusUrl: resolved.prometheus ?? null,
		recaptureBaseline: recapture,
		captureBaseline: recapture,
		...(resolved.warnings.length > 0 ? {notices: [...store.getState().notices, ...resolved.warnings]} : {}),
	});
	showTiles();

	// The selected step's promql blocks come and go with the selection.
	const unsubscribe = store.subscribe((state, prev) => {
		if (stopped) return;
		if (state.selectedStepId !== prev.selectedStepId || state.selectedSectionKey !== prev.selectedSectionKey) showTiles();
		else if (state.session.baseline !== prev.session.baseline || state.session.baselineAlerts !== prev.session.baselineAlerts) {
			// A baseline written by another cockpit (we follow) or by us: verdicts change.
			store.setState({tileStates: verdicts(state.tileSnaps, null, state.session)});
		}
	});

	return () => {
		if (stopped) return;
		unsubscribe();
		monitor.stop();
		if (latestTimer) clearTimeout(latestTimer);
		latestTimer = undefined;
		// Last values into the session so `status --json` shows where things ended.
		if (latestDirty) {
			latestDirty = false;
			const latest = latestValues(store.getState().tileSnaps);
			if (canWrite()) deps.session.apply({kind: 'latest-values', latest}).catch(error => store.getState().report(error, 'save the tile values'));
		}
		stopped = true;
	};
}
