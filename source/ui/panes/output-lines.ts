// Turns a raw output tail into the lines the output pane shows. Only SGR
// (colour) sequences survive: cursor movement, screen clears, OSC titles
// and other controls from a step's output must never reach the terminal.
import wrapAnsi from 'wrap-ansi';

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

/** Keeps text and colour; drops other escape sequences and control characters. */
export function sanitizeLine(line: string, keepColour: boolean): string {
	// A carriage return (progress bars) overwrites the line: keep what follows the last one.
	const cr = line.lastIndexOf('\r');
	if (cr >= 0) line = line.slice(cr + 1);
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
					out += sgr[0];
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
		const wrapped = clean.length <= width && !clean.includes('\x1b') ? [clean] : wrapAnsi(clean, width, {hard: true, trim: false}).split('\n');
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
