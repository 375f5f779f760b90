import {ReadError, type Reading, type SeriesValue} from './types.js';

/** Parses a tile's `combine` option: 'sum' (default), 'topN' / 'top N' / 'top'. */
export function parseCombine(text: string | number | undefined): 'sum' | number {
	return combineOption(text) ?? 'sum';
}

/** null when the option is not understood (the caller warns). */
export function combineOption(text: string | number | undefined): 'sum' | number | null {
	if (text === undefined || text === null || text === '') return 'sum';
	const t = String(text).trim().toLowerCase();
	if (t === 'sum') return 'sum';
	const m = /^top\s*(\d+|n)?$/.exec(t);
	if (m) return Math.max(1, Math.min(20, m[1] === undefined || m[1] === 'n' ? 3 : Number(m[1])));
	return null;
}

/**
 * Several series → one tile value. Sum skips NaN series (a NaN ratio from an
 * idle instance would otherwise hide every other instance); top N keeps the
 * N largest and shows the largest as the value, so thresholds see the worst.
 */
export function combineSeries(series: SeriesValue[], how: 'sum' | number, at?: number): Reading {
	if (series.length === 0) throw new ReadError('no-data', 'no data');
	const real = series.filter(s => !Number.isNaN(s.value));
	if (how === 'sum') {
		if (real.length === 0) return {value: Number.NaN, at};
		return {value: real.reduce((a, s) => a + s.value, 0), at};
	}
	const top = [...real].sort((a, b) => b.value - a.value).slice(0, how);
	const first = top[0];
	if (!first) return {value: Number.NaN, at, series: []};
	return {value: first.value, series: top, at};
}

/** A short label for one series of a top-N tile: the labels that differ between series. */
export function seriesLabel(s: SeriesValue, all: SeriesValue[]): string {
	const keys = Object.keys(s.labels).filter(k => k !== '__name__' && all.some(o => o.labels[k] !== s.labels[k]));
	const use = keys.length > 0 ? keys : Object.keys(s.labels).filter(k => k !== '__name__');
	return use.map(k => s.labels[k]).join(',') || '{}';
}
