// Plain-text tables for executor output. The same text goes to the run log,
// the live output pane and headless `run` stdout, so it must read well
// without colour and survive being cut at any terminal width.
import stringWidth from 'string-width';

export type Align = 'left' | 'right';

export interface TableColumn {
	name: string;
	align?: Align;
}

export interface TableOptions {
	/** Longest cell shown, in terminal columns; longer cells end in `…`. */
	maxCellWidth?: number;
}

export const DEFAULT_MAX_CELL_WIDTH = 120;

/** Control characters would break the table's lines; show them escaped. */
export function printable(text: string): string {
	return text.replace(/[\u0000-\u001f\u007f]/g, ch => {
		if (ch === '\n') return '\\n';
		if (ch === '\r') return '\\r';
		if (ch === '\t') return '\\t';
		return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
	});
}

/** Cuts `text` to at most `width` terminal columns, marking the cut with `…`. */
export function truncateCell(text: string, width: number): {text: string; cut: boolean} {
	if (stringWidth(text) <= width) return {text, cut: false};
	let out = '';
	let used = 0;
	for (const ch of text) {
		const w = stringWidth(ch);
		if (used + w > width - 1) break;
		out += ch;
		used += w;
	}
	return {text: out + '…', cut: true};
}

function pad(text: string, width: number, align: Align): string {
	const gap = Math.max(0, width - stringWidth(text));
	return align === 'right' ? ' '.repeat(gap) + text : text + ' '.repeat(gap);
}

export interface RenderedTable {
	text: string;
	/** How many cells were cut to maxCellWidth. */
	cutCells: number;
}

/**
 * psql-style aligned table:
 *
 *  id | name
 * ----+-------
 *   1 | alpha
 */
export function renderTable(columns: TableColumn[], rows: string[][], options: TableOptions = {}): RenderedTable {
	const maxCell = options.maxCellWidth ?? DEFAULT_MAX_CELL_WIDTH;
	let cutCells = 0;
	const cells = rows.map(row =>
		columns.map((_, i) => {
			const {text, cut} = truncateCell(printable(row[i] ?? ''), maxCell);
			if (cut) cutCells++;
			return text;
		}),
	);
	const headers = columns.map(c => truncateCell(printable(c.name), maxCell).text);
	const widths = columns.map((_, i) => Math.max(stringWidth(headers[i] ?? ''), ...cells.map(r => stringWidth(r[i] ?? ''))));
	const line = (parts: string[]) => (' ' + parts.join(' | ')).trimEnd();
	const out: string[] = [];
	out.push(line(headers.map((h, i) => pad(h, widths[i] ?? 0, 'left'))));
	out.push(widths.map(w => '-'.repeat(w + 2)).join('+'));
	for (const row of cells) out.push(line(row.map((cell, i) => pad(cell, widths[i] ?? 0, columns[i]?.align ?? 'left'))));
	return {text: out.join('\n') + '\n', cutCells};
}

export function plural(n: number, word: string, many = word + 's'): string {
	return `${n} ${n === 1 ? word : many}`;
}

/** "12.3 ms" / "1.24 s" */
export function formatDuration(ms: number): string {
	if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
	return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
