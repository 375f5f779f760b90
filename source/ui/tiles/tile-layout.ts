// How tiles share the tiles row. Pure, so the tests can check every size.
//  - tall: one tile per column, 3+ lines each (title / value / sparkline /
//    extra lines), when every tile gets at least TALL_MIN columns;
//  - compact: one line per tile in a grid of `height` lines, at least
//    COMPACT_MIN columns per cell; tiles that do not fit are summed up in a
//    last `+N more` cell, and crit/warn tiles are placed first then.
import type {TileState} from '../../metrics/tile.js';

export const GAP = 1;
export const TALL_MIN = 16;
export const TALL_MAX = 36;
export const COMPACT_MIN = 25;

export interface TileLayout {
	mode: 'tall' | 'compact';
	/** Tile ids in display order, row by row for compact. */
	cells: Array<{id: string; row: number; col: number; width: number}>;
	/** Tiles that did not fit. */
	hidden: string[];
	/** Where the `+N more` cell goes (compact), if any. */
	more: {row: number; col: number; width: number} | null;
	cellWidth: number;
}

const RANK: Record<TileState, number> = {crit: 0, warn: 1, unknown: 2, ok: 3};

export function layoutTiles(tiles: ReadonlyArray<{id: string; state: TileState}>, width: number, height: number): TileLayout {
	const n = tiles.length;
	if (n === 0 || height <= 0 || width <= 0) return {mode: 'compact', cells: [], hidden: tiles.map(t => t.id), more: null, cellWidth: 0};
	if (height >= 3) {
		const w = Math.floor((width - (n - 1) * GAP) / n);
		if (w >= TALL_MIN) {
			const cellWidth = Math.min(TALL_MAX, w);
			return {mode: 'tall', cells: tiles.map((t, i) => ({id: t.id, row: 0, col: i, width: cellWidth})), hidden: [], more: null, cellWidth};
		}
	}
	const cols = Math.max(1, Math.floor((width + GAP) / (COMPACT_MIN + GAP)));
	const cellWidth = Math.floor((width - (cols - 1) * GAP) / cols);
	const capacity = cols * height;
	let shown = tiles;
	let hidden: string[] = [];
	if (n > capacity) {
		// The most alarming tiles must be the visible ones.
		const ranked = tiles.map((t, i) => ({t, i})).sort((a, b) => RANK[a.t.state] - RANK[b.t.state] || a.i - b.i);
		const keep = new Set(ranked.slice(0, capacity - 1).map(x => x.t.id));
		shown = tiles.filter(t => keep.has(t.id));
		hidden = tiles.filter(t => !keep.has(t.id)).map(t => t.id);
	}
	const cells = shown.map((t, i) => ({id: t.id, row: Math.floor(i / cols), col: i % cols, width: cellWidth}));
	const more = hidden.length > 0 ? {row: Math.floor(shown.length / cols), col: shown.length % cols, width: cellWidth} : null;
	return {mode: 'compact', cells, hidden, more, cellWidth};
}
