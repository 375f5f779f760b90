// Where a shell block's lines sit in the checklist, so that bash's line
// numbers (errors, $LINENO, the errexit report) name checklist lines. The
// runner pads each script with blank lines up to its first line; a console
// block runs only its `$ ` commands, so its script is laid out with the
// prompts' lines in place and blank lines where the sample output was.
import type {Block} from '../checklist/model.js';

export interface PositionedScript {
	/** The script to run (same commands, console output lines blanked). */
	code: string;
	/** Checklist line of the script's first line. */
	line: number;
}

/** Index (in the raw text) of each line consoleCommands keeps, in order. */
function consoleLineIndexes(raw: string): number[] {
	const kept: number[] = [];
	let continuing = false;
	raw.split('\n').forEach((text, i) => {
		if (continuing || /^\s*\$( |$)/.test(text)) kept.push(i);
		continuing = (continuing || /^\s*\$( |$)/.test(text)) && /\\$/.test(text);
	});
	return kept;
}

/**
 * `code` is the block's code after placeholders were filled. When the
 * layout cannot be matched (a filled value spans lines) the code runs as it
 * is and line numbers count from the block's first line.
 */
export function positionScript(block: Block, code: string): PositionedScript {
	const line = block.inline ? block.line : block.line + 1;
	if (block.raw === undefined || block.inline) return {code, line};
	const commands = code.split('\n');
	const indexes = consoleLineIndexes(block.raw);
	if (indexes.length !== commands.length || indexes.length === 0) return {code, line};
	const rows = new Array<string>(indexes.at(-1)! + 1).fill('');
	indexes.forEach((at, k) => {
		rows[at] = commands[k]!;
	});
	return {code: rows.join('\n'), line};
}
