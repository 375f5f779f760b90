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
	wide: boolean;
	sections: {width: number; height: number};
	steps: {width: number; height: number};
	detail: {width: number; height: number};
}

export function computeRegions(columns: number, rows: number, options: {tiles: boolean; banner: boolean}): Regions {
	// One column spare: writing the last column leaves some terminals in a
	// pending-wrap state that eats the next erase.
	const width = Math.max(20, columns - 1);
	const frameHeight = Math.max(3, rows - 1);
	const banner = options.banner && frameHeight >= 8 ? 1 : 0;
	const tiles = options.tiles ? (rows >= 40 ? 5 : rows >= 30 ? 4 : rows >= 20 ? 3 : 0) : 0;
	const body = Math.max(1, frameHeight - 2 - tiles - banner); // header + hint bar
	const wide = columns >= WIDE_MIN_COLUMNS;
	if (wide) {
		const sectionsW = clamp(Math.floor(width * 0.22), 18, 34);
		const stepsW = clamp(Math.floor(width * 0.36), 30, 64);
		// Two one-column separators between the three panes.
		const detailW = Math.max(10, width - sectionsW - stepsW - 2);
		return {
			width,
			frameHeight,
			tiles,
			banner,
			body,
			wide,
			sections: {width: sectionsW, height: body},
			steps: {width: stepsW, height: body},
			detail: {width: detailW, height: body},
		};
	}
	// Stacked: steps (or sections, when focused) on top, the detail below.
	const top = clamp(Math.floor(body * 0.4), Math.min(4, body), Math.max(1, body - 3));
	return {
		width,
		frameHeight,
		tiles,
		banner,
		body,
		wide,
		sections: {width, height: top},
		steps: {width, height: top},
		detail: {width, height: Math.max(0, body - top)},
	};
}

function clamp(n: number, lo: number, hi: number): number {
	return Math.max(lo, Math.min(hi, n));
}
