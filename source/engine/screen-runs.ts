// Turns a terminal buffer (@xterm/headless) into lines of styled runs: the
// text with its colours, bold, underline, inverse, dim and italic, so the UI
// can draw a run's screen as Ink <Text> pieces. Pure: it only reads the
// buffer through the small interface below (tests feed a real headless
// terminal). Trailing blank rows below the last text and the cursor are cut,
// so a short output does not show a screenful of empty lines.

export interface StyledRun {
	text: string;
	/** A colour Ink understands: a name for the 16 ANSI colours, `ansi256(n)`, or `#rrggbb`. */
	fg?: string;
	bg?: string;
	bold?: boolean;
	dim?: boolean;
	italic?: boolean;
	underline?: boolean;
	inverse?: boolean;
}

export type StyledLine = StyledRun[];

export interface ScreenLines {
	lines: StyledLine[];
	/** Where the cursor is, as an index into lines (undefined when it is below them). */
	cursor?: {line: number; col: number};
}

/** The parts of @xterm/headless's IBufferCell / IBufferLine / IBuffer used here. */
export interface CellLike {
	getChars(): string;
	getWidth(): number;
	getFgColorMode(): number;
	getBgColorMode(): number;
	getFgColor(): number;
	getBgColor(): number;
	isFgRGB(): boolean;
	isBgRGB(): boolean;
	isFgPalette(): boolean;
	isBgPalette(): boolean;
	isBold(): number;
	isDim(): number;
	isItalic(): number;
	isUnderline(): number;
	isInverse(): number;
}

export interface LineLike {
	readonly length: number;
	getCell(x: number, cell?: CellLike): CellLike | undefined;
	translateToString(trimRight?: boolean): string;
}

export interface BufferLike {
	readonly length: number;
	readonly baseY: number;
	readonly cursorX: number;
	readonly cursorY: number;
	getLine(y: number): LineLike | undefined;
	getNullCell(): CellLike;
}

const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'gray', 'redBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright', 'cyanBright', 'whiteBright'];

function colour(rgb: boolean, palette: boolean, value: number): string | undefined {
	if (palette) return value < 16 ? NAMES[value] : `ansi256(${value})`;
	if (rgb) return '#' + value.toString(16).padStart(6, '0');
	return undefined;
}

function sameStyle(a: StyledRun, b: StyledRun): boolean {
	return a.fg === b.fg && a.bg === b.bg && a.bold === b.bold && a.dim === b.dim && a.italic === b.italic && a.underline === b.underline && a.inverse === b.inverse;
}

function styleOf(cell: CellLike): StyledRun {
	const run: StyledRun = {text: ''};
	const fg = colour(cell.isFgRGB(), cell.isFgPalette(), cell.getFgColor());
	const bg = colour(cell.isBgRGB(), cell.isBgPalette(), cell.getBgColor());
	if (fg) run.fg = fg;
	if (bg) run.bg = bg;
	if (cell.isBold()) run.bold = true;
	if (cell.isDim()) run.dim = true;
	if (cell.isItalic()) run.italic = true;
	if (cell.isUnderline()) run.underline = true;
	if (cell.isInverse()) run.inverse = true;
	return run;
}

/** One buffer line as styled runs; trailing unstyled blanks are dropped. */
export function lineRuns(line: LineLike, cell: CellLike): StyledLine {
	const runs: StyledLine = [];
	for (let x = 0; x < line.length; x++) {
		const c = line.getCell(x, cell);
		if (!c) break;
		const width = c.getWidth();
		if (width === 0) continue; // the right half of a wide character
		const chars = c.getChars() || ' ';
		const style = styleOf(c);
		const last = runs.at(-1);
		if (last && sameStyle(last, style)) last.text += chars;
		else runs.push({...style, text: chars});
	}
	// Blank cells at the end of a line only matter when they carry a background or inverse.
	while (runs.length > 0) {
		const last = runs.at(-1)!;
		if (last.bg || last.inverse) break;
		const trimmed = last.text.replace(/ +$/, '');
		if (trimmed) {
			last.text = trimmed;
			break;
		}
		runs.pop();
	}
	return runs;
}

/** The buffer's lines (scrollback, then the screen) down to the last text or the cursor. */
export function screenLines(buffer: BufferLike, from = 0): ScreenLines {
	const cell = buffer.getNullCell();
	const cursorLine = buffer.baseY + buffer.cursorY;
	let last = buffer.cursorX > 0 ? cursorLine : -1;
	for (let y = buffer.length - 1; y > last; y--) {
		const line = buffer.getLine(y);
		if (line && line.translateToString(true) !== '') {
			last = y;
			break;
		}
	}
	const lines: StyledLine[] = [];
	for (let y = Math.max(0, from); y <= last; y++) {
		const line = buffer.getLine(y);
		lines.push(line ? lineRuns(line, cell) : []);
	}
	const cursor = cursorLine <= last && cursorLine >= from ? {line: cursorLine - from, col: buffer.cursorX} : undefined;
	return {lines, ...(cursor ? {cursor} : {})};
}

/** Plain text of a styled line (tests, widths). */
export function plainOf(line: StyledLine): string {
	return line.map(r => r.text).join('');
}
