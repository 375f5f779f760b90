// The view model of one tile: everything the UI prints, as plain strings and
// states, so the Ink component stays dumb and this stays testable.
import {seriesLabel} from './combine.js';
import {formatAge, formatDelta, formatValue, sparkline} from './format.js';
import type {TileSnapshot} from './poller.js';
import {crosses, limitOf, parseThreshold} from './thresholds.js';
import type {TileUnit} from './types.js';

export type TileState = 'ok' | 'warn' | 'crit' | 'unknown';

/** Status is never colour alone: every state has its own glyph. */
export const STATE_GLYPH: Record<TileState, string> = {ok: '✓', warn: '▲', crit: '✖', unknown: '·'};
/** An old value (its source fails, or an answer is overdue) says nothing about now: never ✓. */
export const STALE_GLYPH = '◷';

export interface TileMeta {
	id: string;
	title: string;
	unit: TileUnit;
	kind: 'prometheus' | 'scrape' | 'host' | 'alerts' | 'targets';
	intervalMs: number;
	warn?: number | string;
	crit?: number | string;
}

export interface TileView {
	id: string;
	title: string;
	state: TileState;
	glyph: string;
	/** `1.20%`, `no data`, `—`. */
	valueText: string;
	/** Value vs baseline, e.g. `+0.40%`; empty without a baseline. */
	deltaText: string;
	spark: string;
	/** `stale 35s` while the source fails and the last value is shown. */
	staleText: string;
	/** Age of the data when it is older than expected (`12s`), otherwise empty. */
	ageText: string;
	/** Error for the operator: Prometheus's error text, `timed out after 4s`, ... */
	errorText: string;
	/** Render the value dimmed (stale or no fresh value). */
	dim: boolean;
	/** Extra lines: top-N series, NEW alerts, down targets. */
	lines: string[];
	/** The limit crossed, as text: `> 5%`. */
	crossed: string;
	/** Alerts tile: firing alerts not firing at the baseline. */
	newAlerts: string[];
}

export interface BaselineInfo {
	value: number | null;
	at: string;
}

export interface ViewContext {
	now: number;
	baseline?: BaselineInfo;
	/** Alert keys firing at the baseline (alerts tile). */
	baselineAlerts?: ReadonlySet<string>;
	sparkWidth?: number;
}

/** The verdict for a value; `crossed` is the limit in the tile's unit (`> 5.00%`, `> 2x baseline (240ms)`). */
export function tileState(meta: Pick<TileMeta, 'warn' | 'crit' | 'unit'>, value: number | null, baseline: number | null | undefined): {state: TileState; crossed: string} {
	if (value === null || Number.isNaN(value)) return {state: 'unknown', crossed: ''};
	const crit = parseThreshold(meta.crit);
	const warn = parseThreshold(meta.warn);
	if (crit && crosses(value, crit, baseline)) return {state: 'crit', crossed: limitText(meta, 'crit', baseline)};
	if (warn && crosses(value, warn, baseline)) return {state: 'warn', crossed: limitText(meta, 'warn', baseline)};
	return {state: 'ok', crossed: ''};
}

/** Formats a threshold limit in the tile's unit (`> 5.00%`, `> 2x baseline (240ms)`). */
export function limitText(meta: Pick<TileMeta, 'warn' | 'crit' | 'unit'>, which: 'warn' | 'crit', baseline: number | null | undefined): string {
	const t = parseThreshold(meta[which]);
	if (!t) return '';
	const limit = limitOf(t, baseline);
	if (t.relative) return `${t.op} ${t.value}x baseline${limit === null ? '' : ` (${formatValue(limit, meta.unit)})`}`;
	return `${t.op} ${formatValue(t.value, meta.unit)}`;
}

export function newAlertNames(snapshot: TileSnapshot, baselineAlerts: ReadonlySet<string> | undefined): string[] {
	// Without a baseline nothing is NEW: flagging every alert at start would raise false triggers.
	if (!snapshot.alerts || !baselineAlerts) return [];
	return snapshot.alerts.filter(a => !baselineAlerts.has(a.key)).map(a => a.name);
}

export function tileView(meta: TileMeta, snap: TileSnapshot | undefined, ctx: ViewContext): TileView {
	const glyphOf = (s: TileState): string => STATE_GLYPH[s];
	const base: TileView = {id: meta.id, title: meta.title, state: 'unknown', glyph: glyphOf('unknown'), valueText: '…', deltaText: '', spark: '', staleText: '', ageText: '', errorText: '', dim: true, lines: [], crossed: '', newAlerts: []};
	if (!snap || (snap.checkedAt === null && snap.updatedAt === null)) return {...base, spark: sparkline(snap?.history ?? [], ctx.sparkWidth ?? 12)};

	const view: TileView = {...base, spark: sparkline(snap.history, ctx.sparkWidth ?? 12), dim: false};
	const age = snap.updatedAt === null ? null : ctx.now - snap.updatedAt;

	if (meta.kind === 'alerts') {
		const firing = snap.alerts ?? [];
		view.newAlerts = newAlertNames(snap, ctx.baselineAlerts);
		view.valueText = snap.value === null ? '—' : `${firing.length} firing`;
		view.state = snap.value === null ? 'unknown' : view.newAlerts.length > 0 ? 'crit' : firing.length > 0 ? 'warn' : 'ok';
		view.lines = firing.map(a => `${ctx.baselineAlerts && !ctx.baselineAlerts.has(a.key) ? 'NEW ' : ''}${a.name}`);
		if (view.newAlerts.length > 0) view.crossed = `${view.newAlerts.length} new`;
	} else if (meta.kind === 'targets') {
		view.valueText = snap.value === null ? '—' : `${snap.value} down`;
		view.state = snap.value === null ? 'unknown' : snap.value > 0 ? 'warn' : 'ok';
		const custom = tileState(meta, snap.value, ctx.baseline?.value);
		if (custom.state === 'crit' || (custom.state === 'warn' && view.state === 'ok')) {
			view.state = custom.state;
			view.crossed = custom.crossed;
		}
		view.lines = (snap.down ?? []).map(t => `${t.job} ${t.instance}`.trim());
	} else {
		view.valueText = formatValue(snap.value, meta.unit);
		const {state, crossed} = tileState(meta, snap.value, ctx.baseline?.value);
		view.state = state;
		view.crossed = crossed;
		const b = ctx.baseline?.value;
		if (snap.value !== null && b !== null && b !== undefined && Number.isFinite(b) && Number.isFinite(snap.value)) {
			// No change says nothing; the delta appears once there is one.
			if (snap.value !== b) view.deltaText = formatDelta(snap.value - b, meta.unit);
		}
		if (snap.series && snap.series.length > 1) {
			view.lines = snap.series.map(s => `${seriesLabel(s, snap.series ?? [])} ${formatValue(s.value, meta.unit)}`);
		}
	}
	view.glyph = glyphOf(view.state);

	if (snap.error) {
		if (snap.error.kind === 'no-data') {
			view.valueText = 'no data';
			view.dim = true;
		} else if (snap.stale && age !== null) {
			view.staleText = `stale ${formatAge(age)}`;
			view.glyph = STALE_GLYPH;
			view.errorText = snap.error.message;
			view.dim = true;
		} else {
			view.valueText = snap.value === null ? (snap.error.kind === 'query' ? 'error' : 'down') : view.valueText;
			view.errorText = snap.error.message;
			view.dim = true;
		}
	}
	// Older than the interval allows without an error yet (a poll is hanging): say how old.
	if (!view.staleText && age !== null && age > meta.intervalMs * 2 + 1000 && !snap.error) {
		view.ageText = formatAge(age);
		view.glyph = STALE_GLYPH;
	}
	return view;
}
