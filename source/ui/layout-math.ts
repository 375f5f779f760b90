// Where everything goes for a terminal size. Pure, so tests can check that
// no frame is ever taller than rows - 1 (a frame as tall as the terminal
// makes Ink 6 clear and repaint everything on every update).

export const WIDE_MIN_COLUMNS = 100;

export interface Regions {
	width: number;
	frameHeight: number;
	tiles: number;
	banner: number;
	body: number;
	/** Rows of the confirmation pop-up at the bottom of the body (0: none). */
	popup: number;
	wide: boolean;
	sections: {width: number; height: number};
	steps: {width: number; height: number};
	detail: {width: number; height: number};
}

export interface LayoutOptions {
	tiles: boolean;
	banner: boolean;
	/** Columns the longest section row wants (title, indent, progress, marks). */
	sectionsNeed?: number;
	/** Columns the longest step row wants (title, indent, glyphs, badge, duration). */
	stepsNeed?: number;
	/** Rows a confirmation pop-up takes from the bottom of the body (the panes keep the rest). */
	popup?: number;
	/** Stacked layout: the detail pane has focus, so it gets the larger share. */
	detailFocused?: boolean;
}

/** Rows the panes keep above a pop-up: the selected step stays in view. */
export const PANES_MIN_WITH_POPUP = 5;

/**
 * Widths go to the words: the sections and steps panes get the columns their
 * longest titles need (up to a limit) before the detail pane does, which keeps
 * at least DETAIL_MIN_SHARE of the width. A stacked layout gives the list most
 * of the rows.
 */
export const DETAIL_MIN_SHARE = 0.25;

export function computeRegions(columns: number, rows: number, options: LayoutOptions): Regions {
	// One column spare: writing the last column leaves some terminals in a
	// pending-wrap state that eats the next erase.
	const width = Math.max(20, columns - 1);
	const frameHeight = Math.max(3, rows - 1);
	const banner = options.banner && frameHeight >= 8 ? 1 : 0;
	const tiles = options.tiles ? (rows >= 40 ? 5 : rows >= 30 ? 4 : rows >= 20 ? 3 : 0) : 0;
	const body = Math.max(1, frameHeight - 2 - tiles - banner); // header + hint bar
	const popup = options.popup ? Math.min(options.popup, Math.max(0, body - PANES_MIN_WITH_POPUP)) : 0;
	const panes = body - popup;
	const wide = columns >= WIDE_MIN_COLUMNS;
	if (wide) {
		const sectionsW = clamp(options.sectionsNeed ?? Math.floor(width * 0.22), 18, Math.max(18, Math.min(40, Math.floor(width * 0.25))));
		const detailMin = Math.max(30, Math.floor(width * DETAIL_MIN_SHARE));
		const stepsMax = Math.max(30, width - sectionsW - 2 - detailMin);
		const stepsW = clamp(options.stepsNeed ?? Math.floor(width * 0.36), 30, stepsMax);
		// Two one-column separators between the three panes.
		const detailW = Math.max(10, width - sectionsW - stepsW - 2);
		return {
			width,
			frameHeight,
			tiles,
			banner,
			body,
			wide,
			popup,
			sections: {width: sectionsW, height: panes},
			steps: {width: stepsW, height: panes},
			detail: {width: detailW, height: panes},
		};
	}
	// Stacked: steps (or sections, when focused) on top, the detail below;
	// the list gets the larger share (at 80×24 that is 11 rows of steps).
	const share = options.detailFocused ? 0.35 : 0.6;
	const top = popup > 0 ? panes : clamp(Math.ceil(panes * share), Math.min(4, panes), Math.max(1, panes - 3));
	return {
		width,
		frameHeight,
		tiles,
		banner,
		body,
		wide,
		popup,
		sections: {width, height: top},
		steps: {width, height: top},
		detail: {width, height: Math.max(0, panes - top)},
	};
}

function clamp(n: number, lo: number, hi: number): number {
	return Math.max(lo, Math.min(hi, n));
}
