// Turns a raw output tail into the lines the output pane shows. Only SGR
// (colour) sequences survive: cursor movement, screen clears, OSC titles
// and other controls from a step's output must never reach the terminal.
import stringWidth from 'string-width';

const SGR = /^\x1b\[[0-9;]*m/;
const ANY_CSI = /^\x1b\[[0-?]*[ -/]*[@-~]/;
const OSC = /^\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/;

function hasControl(line: string): boolean {
	for (let j = 0; j < line.length; j++) {
		const c = line.charCodeAt(j);
		if (c < 0x20 || c === 0x7f) return true;
	}
	return false;
}

/**
 * What a terminal shows for a line holding carriage returns (progress bars):
 * each segment overwrites the start of what was there. A trailing `\r` or a
 * segment that is still arriving therefore never blanks or shortens the line
 * (frames used to alternate blank and partial while a progress line updated).
 */
export function overprint(line: string): string {
	if (!line.includes('\r')) return line;
	const segments = line.split('\r');
	if (line.includes('\x1b')) {
		// With colours, column bookkeeping is not worth it: the last non-empty segment.
		for (let k = segments.length - 1; k >= 0; k--) if (segments[k]) return segments[k]!;
		return '';
	}
	let shown = '';
	for (const seg of segments) {
		const chars = [...seg];
		const old = [...shown];
		shown = chars.length >= old.length ? seg : seg + old.slice(chars.length).join('');
	}
	return shown;
}

/** Keeps text and colour; drops other escape sequences and control characters. */
export function sanitizeLine(line: string, keepColour: boolean): string {
	line = overprint(line);
	if (!hasControl(line)) return line;
	let out = '';
	let visible = 0;
	let i = 0;
	let coloured = false;
	while (i < line.length) {
		const ch = line[i]!;
		if (ch === '\x1b') {
			const rest = line.slice(i, i + 64);
			const sgr = SGR.exec(rest);
			if (sgr) {
				if (keepColour) {
					// `ESC[m` (grep --color) is a reset, but Ink's slicing only knows `ESC[0m`:
					// left as it is, the colour ran on to the end of the line.
					out += sgr[0] === '\x1b[m' ? '\x1b[0m' : sgr[0];
					coloured = true;
				}
				i += sgr[0].length;
				continue;
			}
			const other = ANY_CSI.exec(rest) ?? OSC.exec(line.slice(i));
			i += other ? other[0].length : 1;
			continue;
		}
		if (ch === '\t') {
			const pad = 4 - (visible % 4);
			out += ' '.repeat(pad);
			visible += pad;
			i++;
			continue;
		}
		const code = ch.charCodeAt(0);
		if (code < 0x20 || code === 0x7f) {
			i++;
			continue;
		}
		out += ch;
		visible++;
		i++;
	}
	// Close any colour the line opened so it cannot bleed into the next pane.
	return coloured ? out + '\x1b[0m' : out;
}

/**
 * Cuts a sanitized line (text + SGR only) into pieces of at most `width`
 * columns, re-opening the active colours on each piece. Our own because the
 * wrap-ansi the project has is not the copy Ink loads, and this runs only on
 * the few lines on screen.
 */
export function hardWrap(line: string, width: number): string[] {
	const out: string[] = [];
	let current = '';
	let used = 0;
	let active: string[] = [];
	let i = 0;
	while (i < line.length) {
		if (line.charCodeAt(i) === 0x1b) {
			const sgr = SGR.exec(line.slice(i, i + 32));
			if (sgr) {
				current += sgr[0];
				if (sgr[0] === '\x1b[0m' || sgr[0] === '\x1b[m') active = [];
				else active.push(sgr[0]);
				i += sgr[0].length;
				continue;
			}
		}
		const cp = line.codePointAt(i)!;
		const ch = String.fromCodePoint(cp);
		const w = cp >= 0x20 && cp < 0x7f ? 1 : stringWidth(ch);
		if (used + w > width && used > 0) {
			out.push(active.length > 0 ? current + '\x1b[0m' : current);
			current = active.join('');
			used = 0;
		}
		current += ch;
		used += w;
		i += ch.length;
	}
	out.push(current);
	return out;
}

let countCache: {tail: string; width: number; colour: boolean; count: number} | undefined;

/** Visual lines of the whole tail at `width` (as outputWindow wraps them); the last answer is cached. */
export function countVisual(tail: string, width: number, keepColour: boolean): number {
	if (countCache && countCache.width === width && countCache.colour === keepColour && countCache.tail === tail) return countCache.count;
	const text = tail.endsWith('\n') ? tail.slice(0, -1) : tail;
	let count = 0;
	if (text.length > 0) {
		let begin = 0;
		for (;;) {
			const nl = text.indexOf('\n', begin);
			const raw = text.slice(begin, nl < 0 ? text.length : nl);
			// Plain ASCII wraps into ceil(length / width) rows, as hardWrap would cut it.
			if (!hasControl(raw) && isAscii(raw)) count += Math.max(1, Math.ceil(raw.length / width));
			else {
				const clean = sanitizeLine(raw, keepColour);
				count += clean.length <= width && !clean.includes('\x1b') ? 1 : hardWrap(clean, width).length;
			}
			if (nl < 0) break;
			begin = nl + 1;
		}
	}
	countCache = {tail, width, colour: keepColour, count};
	return count;
}

function isAscii(text: string): boolean {
	for (let j = 0; j < text.length; j++) if (text.charCodeAt(j) > 0x7e) return false;
	return true;
}

export interface OutputView {
	lines: string[];
	/** The offset actually used (clamped to the available lines). */
	scroll: number;
	/** Visual lines (at least) above the window. */
	above: number;
}

/**
 * The `height` visual lines ending `scroll` lines before the end of `tail`,
 * wrapped to `width`. Works backwards from the end so a large tail costs only
 * what is shown (plus the scroll-back).
 */
export function outputWindow(tail: string, width: number, height: number, scroll: number, keepColour: boolean): OutputView {
	if (height <= 0 || width <= 0) return {lines: [], scroll: 0, above: 0};
	const text = tail.endsWith('\n') ? tail.slice(0, -1) : tail;
	if (text.length === 0) return {lines: [], scroll: 0, above: 0};
	const want = Math.max(0, scroll);
	const need = height + want;
	const visual: string[] = [];
	let end = text.length;
	let exhausted = false;
	while (visual.length < need) {
		const start = text.lastIndexOf('\n', end - 1);
		const raw = text.slice(start + 1, end);
		const clean = sanitizeLine(raw, keepColour);
		const wrapped = clean.length <= width && !clean.includes('\x1b') ? [clean] : hardWrap(clean, width);
		for (let k = wrapped.length - 1; k >= 0; k--) visual.push(wrapped[k]!);
		if (start < 0) {
			exhausted = true;
			break;
		}
		end = start;
	}
	visual.reverse();
	const used = exhausted ? Math.min(want, Math.max(0, visual.length - height)) : want;
	const endIdx = visual.length - used;
	const startIdx = Math.max(0, endIdx - height);
	return {lines: visual.slice(startIdx, endIdx), scroll: used, above: startIdx + (exhausted ? 0 : 1)};
}
