// Splits a SQL block into statements the way psql would: semicolons inside
// quotes, dollar quotes, quoted identifiers and comments do not end a statement.

export interface SqlStatement {
	/** The statement as sent to the server (no trailing semicolon). */
	text: string;
	/** Offset of `text` in the block's code. */
	offset: number;
	/** 1-based line and column of the statement's first character within the block. */
	line: number;
	column: number;
	/** Words of the statement outside strings and comments, upper-cased (for classification). */
	words: string[];
}

export interface SplitResult {
	statements: SqlStatement[];
	/** Lines that are psql meta-commands (`\d`, `\x`): not SQL, not run. */
	metaCommands: Array<{line: number; text: string}>;
	/** Set when a quote or comment is still open at the end of the block. */
	unterminated?: string;
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): {line: number; column: number} {
	let line = 1;
	let lastBreak = -1;
	for (let i = 0; i < offset && i < text.length; i++) {
		if (text[i] === '\n') {
			line++;
			lastBreak = i;
		}
	}
	return {line, column: offset - lastBreak};
}

const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

export function splitSql(code: string): SplitResult {
	const statements: SqlStatement[] = [];
	const metaCommands: SplitResult['metaCommands'] = [];
	let words: string[] = [];
	let word = '';
	let hasCode = false;
	let firstCode = -1;
	let unterminated: string | undefined;
	let atLineStart = true;

	const endWord = () => {
		if (word) words.push(word.toUpperCase());
		word = '';
	};
	const markCode = (i: number) => {
		if (!hasCode) {
			hasCode = true;
			firstCode = i;
		}
	};
	const finish = (end: number) => {
		endWord();
		if (hasCode) {
			// Leading comments stay out of the text so error positions start at the code.
			const text = code.slice(firstCode, end).trimEnd();
			const {line, column} = lineColumn(code, firstCode);
			statements.push({text, offset: firstCode, line, column, words});
		}
		words = [];
		hasCode = false;
		firstCode = -1;
	};

	let i = 0;
	while (i < code.length) {
		const ch = code[i]!;
		const next = code[i + 1];

		if (atLineStart && ch === '\\' && !hasCode) {
			const eol = code.indexOf('\n', i);
			const end = eol === -1 ? code.length : eol;
			metaCommands.push({line: lineColumn(code, i).line, text: code.slice(i, end).trim()});
			i = end;
			continue;
		}
		if (ch === '\n') atLineStart = true;
		else if (ch !== ' ' && ch !== '\t' && ch !== '\r') atLineStart = false;

		if (ch === '-' && next === '-') {
			endWord();
			const eol = code.indexOf('\n', i);
			i = eol === -1 ? code.length : eol;
			continue;
		}
		if (ch === '/' && next === '*') {
			endWord();
			let depth = 1;
			let j = i + 2;
			while (j < code.length && depth > 0) {
				if (code[j] === '/' && code[j + 1] === '*') {
					depth++;
					j += 2;
				} else if (code[j] === '*' && code[j + 1] === '/') {
					depth--;
					j += 2;
				} else j++;
			}
			if (depth > 0) unterminated = 'a /* comment';
			i = j;
			continue;
		}
		if (ch === "'" || ch === '"') {
			markCode(i);
			// E'...' strings allow backslash escapes; standard strings and identifiers only a doubled quote.
			const escapes = ch === "'" && /^[eE]$/.test(word);
			endWord();
			const end = quotedEnd(code, i, ch, escapes);
			if (end < 0) unterminated = ch === "'" ? 'a quoted string' : 'a quoted identifier';
			i = end < 0 ? code.length : end;
			continue;
		}
		if (ch === '$' && !/[A-Za-z0-9_]/.test(code[i - 1] ?? '')) {
			const match = DOLLAR_TAG.exec(code.slice(i, i + 64));
			if (match) {
				markCode(i);
				endWord();
				const tag = match[0];
				const close = code.indexOf(tag, i + tag.length);
				if (close === -1) {
					unterminated = `a ${tag} dollar-quoted string`;
					i = code.length;
				} else i = close + tag.length;
				continue;
			}
		}
		if (ch === ';') {
			finish(i);
			i++;
			continue;
		}
		if (/[A-Za-z0-9_\u0080-\uffff]/.test(ch)) {
			markCode(i);
			word += ch;
		} else {
			endWord();
			if (!/\s/.test(ch)) {
				markCode(i);
				if (ch === '(' || ch === ')') words.push(ch);
			}
		}
		i++;
	}
	finish(code.length);
	return {statements, metaCommands, unterminated};
}

// `app=> SELECT 1;`, `app=# ...`, continuation `app-> ...`: a session pasted from psql.
const PSQL_PROMPT = /^([A-Za-z_][\w$-]*[=\-(^'"*][#>] ?)/;

/**
 * A block pasted from a psql session (first line prompted): keeps only the
 * prompted lines, prompts and output blanked out in place so line and column
 * numbers still point into the block as written.
 */
export function stripPsqlSession(code: string): string {
	const lines = code.split('\n');
	const first = lines.find(l => l.trim() !== '');
	if (!first || !PSQL_PROMPT.test(first.trimStart())) return code;
	return lines
		.map(line => {
			const indent = line.length - line.trimStart().length;
			const match = PSQL_PROMPT.exec(line.trimStart());
			if (!match) return '';
			return ' '.repeat(indent + match[1]!.length) + line.trimStart().slice(match[1]!.length);
		})
		.join('\n');
}

/** Index just past the closing quote of the quoted run opening at `start` (a doubled quote stays inside), or -1 when it never closes. */
function quotedEnd(code: string, start: number, quote: string, escapes: boolean): number {
	let j = start + 1;
	while (j < code.length) {
		if (escapes && code[j] === '\\') {
			j += 2;
			continue;
		}
		if (code[j] === quote) {
			if (code[j + 1] === quote) {
				j += 2;
				continue;
			}
			return j + 1;
		}
		j++;
	}
	return -1;
}
