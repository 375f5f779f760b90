// Wrapping for text the operator must read whole (code, confirmations,
// titles): lines are cut into pieces of the available width and every piece
// after the first starts with a continuation mark, so a wrapped line never
// looks like two commands. Nothing is ever cut with "…".
import stringWidth from 'string-width';

export const CONTINUATION = '↪ ';
const CONT_WIDTH = 2;

function charWidth(ch: string): number {
	const cp = ch.codePointAt(0)!;
	if (cp >= 0x20 && cp < 0x7f) return 1;
	if (ch === '\t') return 4;
	return stringWidth(ch);
}

/** Splits a plain line into pieces: the first `width` wide, the others `width - 2` (after the mark). */
export function wrapPieces(line: string, width: number): string[] {
	const w = Math.max(1, width);
	const contW = Math.max(1, w - CONT_WIDTH);
	const text = line.replace(/\t/g, '    ');
	if (text.length <= w && stringWidth(text) <= w) return [text];
	const out: string[] = [];
	let current = '';
	let used = 0;
	for (const ch of text) {
		const cw = charWidth(ch);
		const limit = out.length === 0 ? w : contW;
		if (used + cw > limit && used > 0) {
			out.push(current);
			current = '';
			used = 0;
		}
		current += ch;
		used += cw;
	}
	out.push(current);
	return out;
}

/** Wrapped rows of a plain line, with the continuation mark on every row after the first. */
export function wrapLine(line: string, width: number): string[] {
	return wrapPieces(line, width).map((piece, k) => (k === 0 ? piece : CONTINUATION + piece));
}

/** Wraps a multi-line text; each row carries whether it continues the previous line. */
export function wrapText(text: string, width: number): Array<{text: string; continued: boolean}> {
	const rows: Array<{text: string; continued: boolean}> = [];
	for (const line of text.split('\n')) wrapPieces(line, width).forEach((piece, k) => rows.push({text: piece, continued: k > 0}));
	return rows;
}

/** Token pieces of one wrapped row (keeps highlighting across the cut). */
export function wrapTokens<T extends {text: string}>(tokens: T[], width: number): T[][] {
	const line = tokens.map(t => t.text).join('');
	const pieces = wrapPieces(line, width);
	if (pieces.length === 1) return [tokens.map(t => ({...t, text: t.text.replace(/\t/g, '    ')}))];
	const rows: T[][] = [];
	let ti = 0;
	let offset = 0; // chars consumed of tokens[ti] (after tab expansion)
	const expanded = tokens.map(t => ({...t, text: t.text.replace(/\t/g, '    ')}));
	for (const piece of pieces) {
		let need = piece.length;
		const row: T[] = [];
		while (need > 0 && ti < expanded.length) {
			const tok = expanded[ti]!;
			const take = Math.min(need, tok.text.length - offset);
			row.push({...tok, text: tok.text.slice(offset, offset + take)});
			need -= take;
			offset += take;
			if (offset >= tok.text.length) {
				ti++;
				offset = 0;
			}
		}
		rows.push(row);
	}
	return rows;
}

/** Word wrap for titles: breaks at spaces, a word longer than the width is cut hard. */
export function wordWrap(text: string, width: number): string[] {
	const w = Math.max(1, width);
	if (stringWidth(text) <= w) return [text];
	const lines: string[] = [];
	let current = '';
	for (const word of text.split(/(\s+)/)) {
		if (word === '') continue;
		if (stringWidth(current + word) <= w) {
			current += word;
			continue;
		}
		if (/^\s+$/.test(word)) {
			lines.push(current);
			current = '';
			continue;
		}
		if (current.trim()) lines.push(current.trimEnd());
		current = '';
		for (const piece of wrapPieces(word, w)) {
			if (stringWidth(piece) >= w) lines.push(piece);
			else current = piece;
		}
	}
	if (current.trim() || lines.length === 0) lines.push(current.trimEnd());
	return lines;
}
