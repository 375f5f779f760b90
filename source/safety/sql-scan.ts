// Statement-aware SQL checks: splits on `;` outside strings, comments and
// dollar-quoted bodies, then looks at each statement's keywords at paren
// depth 0, so a WHERE inside a subquery does not count for the outer DELETE.
//
// Quoting is read two ways, and what either reading finds is flagged: as
// MySQL reads it (a backslash escapes the next character in any '' string,
// backticks quote) and as PostgreSQL and psql read it (a backslash is a
// character except in E'' strings, a backtick quotes nothing; the engine's
// own splitter, engine/sql/split.ts, sends statements that way). Read only
// the first way, `SELECT 'a\'; DROP TABLE t; --'` was one harmless SELECT,
// and PostgreSQL ran the DROP without asking.

export interface SqlStatement {
	/** The statement as written (trimmed, comments before it dropped). */
	text: string;
	/** Offset of the statement's first character in the scanned text. */
	start: number;
	/** Upper-cased keywords/identifiers with their paren depth; literals and comments dropped. */
	tokens: SqlToken[];
	/** Bodies of dollar-quoted strings ($$ ... $$): code that DO blocks run. */
	bodies: string[];
}

/** A keyword/identifier (upper-cased), or a string literal (word `'`, its text kept for EXECUTE). */
export interface SqlToken {
	word: string;
	depth: number;
	text?: string;
}

/** How quotes are read: `mysql` (backslash escapes in every '' string, backticks quote) or `postgres`. */
export type SqlQuoting = 'mysql' | 'postgres';

export function splitSql(sql: string, quoting: SqlQuoting = 'mysql'): SqlStatement[] {
	const statements: SqlStatement[] = [];
	let current: SqlStatement | null = null;
	let depth = 0;
	let i = 0;
	const begin = (at: number): SqlStatement => {
		if (!current) current = {text: '', start: at, tokens: [], bodies: []};
		return current;
	};
	const finish = (end: number) => {
		if (current) {
			current.text = sql.slice(current.start, end).trim();
			if (current.tokens.length > 0) statements.push(current);
		}
		current = null;
		depth = 0;
	};
	while (i < sql.length) {
		const c = sql[i]!;
		if (c === '-' && sql[i + 1] === '-') {
			const nl = sql.indexOf('\n', i);
			i = nl === -1 ? sql.length : nl;
			continue;
		}
		if (c === '/' && sql[i + 1] === '*') {
			const close = sql.indexOf('*/', i + 2);
			i = close === -1 ? sql.length : close + 2;
			continue;
		}
		if (c === ';') {
			finish(i);
			i++;
			continue;
		}
		if (/\s/.test(c)) {
			i++;
			continue;
		}
		const st = begin(i);
		if (c === "'" || c === '"' || (c === '`' && quoting === 'mysql')) {
			// Doubled quote chars escape themselves; backslash escapes (E'', mysql) too.
			const escapes = c === "'" && (quoting === 'mysql' || /(^|[^\w$])[eE]$/.test(sql.slice(Math.max(0, i - 2), i)));
			let j = i + 1;
			while (j < sql.length) {
				if (sql[j] === '\\' && escapes) j += 2;
				else if (sql[j] === c && sql[j + 1] === c) j += 2;
				else if (sql[j] === c) break;
				else j++;
			}
			if (c !== "'") st.tokens.push({word: sql.slice(i + 1, j).toUpperCase(), depth});
			else st.tokens.push({word: "'", depth, text: sql.slice(i + 1, j).replace(/''/g, "'")});
			i = j + 1;
			continue;
		}
		if (c === '$') {
			const m = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i, i + 64));
			if (m) {
				const close = sql.indexOf(m[0], i + m[0].length);
				const end = close === -1 ? sql.length : close;
				st.bodies.push(sql.slice(i + m[0].length, end));
				st.tokens.push({word: '$BODY$', depth});
				i = close === -1 ? sql.length : close + m[0].length;
				continue;
			}
		}
		if (c === '(') {
			depth++;
			i++;
			continue;
		}
		if (c === ')') {
			depth = Math.max(0, depth - 1);
			i++;
			continue;
		}
		const m = /^[A-Za-z_][\w$.]*/.exec(sql.slice(i, i + 256));
		if (m) {
			st.tokens.push({word: m[0].toUpperCase(), depth});
			i += m[0].length;
			continue;
		}
		const num = /^[0-9][\w.]*/.exec(sql.slice(i, i + 64));
		if (num) {
			st.tokens.push({word: num[0], depth});
			i += num[0].length;
			continue;
		}
		st.tokens.push({word: c, depth});
		i++;
	}
	finish(sql.length);
	return statements;
}

const ALTER_DROP_HARMLESS = new Set(['DEFAULT', 'NOT', 'CONSTRAINT', 'IDENTITY', 'EXPRESSION', 'NULL']);

/** Keywords after which a PL/pgSQL body starts a statement without a `;`. */
const CONTROL = new Set(['BEGIN', 'THEN', 'ELSE', 'LOOP', 'DECLARE']);

/**
 * Why a statement is dangerous, or null. `inBody`: the statement is part of a
 * DO block or function body, where statements follow THEN / LOOP / BEGIN and
 * EXECUTE runs dynamic SQL.
 */
export function sqlDanger(st: SqlStatement, inBody = false): string | null {
	const top = st.tokens.filter(t => t.depth === 0).map(t => t.word);
	let k = 0;
	while (top.length > k + 1 && CONTROL.has(top[k]!)) k++;
	const found = verbDanger(top, k);
	if (found || !inBody) return found;
	for (let i = k; i < top.length - 1; i++) {
		if (!CONTROL.has(top[i]!)) continue;
		const inner = verbDanger(top, i + 1);
		if (inner) return inner;
	}
	return executeDanger(st.tokens);
}

/** `EXECUTE 'DROP TABLE ' || t` / `EXECUTE format('DELETE FROM %I', t)`: the SQL text is analysed; a variable is not analysable. */
function executeDanger(tokens: SqlToken[]): string | null {
	for (let i = 0; i < tokens.length; i++) {
		if (tokens[i]!.word !== 'EXECUTE') continue;
		let j = i + 1;
		if (tokens[j]?.word === 'FORMAT') j++;
		const parts: string[] = [];
		for (; j < tokens.length && tokens[j]!.word !== 'USING' && tokens[j]!.word !== 'INTO'; j++) if (tokens[j]!.text !== undefined) parts.push(tokens[j]!.text!);
		if (parts.length === 0) return 'EXECUTE of dynamic SQL that cannot be analysed — check it by eye';
		const inner = analyzeSql(parts.join(' x '))[0];
		if (inner) return `EXECUTE ${inner.reason}`;
	}
	return null;
}

function verbDanger(top: string[], at: number): string | null {
	let k = at;
	if (top[k] === 'WITH') {
		k = top.findIndex((w, i) => i > at && (w === 'SELECT' || w === 'INSERT' || w === 'UPDATE' || w === 'DELETE' || w === 'MERGE'));
		if (k < 0) return null;
	}
	const verb = top[k];
	const rest = top.slice(k + 1);
	switch (verb) {
		case 'DROP': {
			const kind = rest[0] === 'MATERIALIZED' || rest[0] === 'FOREIGN' ? `${rest[0]} ${rest[1] ?? ''}`.trim() : rest[0];
			return kind && kind !== "'" ? `DROP ${kind}` : 'DROP';
		}
		case 'TRUNCATE':
			return 'TRUNCATE';
		case 'DELETE':
			return whereProblem(rest, 'DELETE');
		case 'UPDATE':
			return whereProblem(rest, 'UPDATE');
		case 'ALTER': {
			for (let j = 0; j < rest.length; j++) {
				if (rest[j] !== 'DROP') continue;
				const what = rest[j + 1];
				if (what === 'COLUMN' || what === 'PARTITION') return `ALTER ... DROP ${what}`;
				if (what && !ALTER_DROP_HARMLESS.has(what) && /^[A-Z_"]/.test(what) && rest[0] === 'TABLE') return 'ALTER ... DROP COLUMN';
			}
			return null;
		}
		default:
			return null;
	}
}

function whereProblem(rest: string[], verb: 'DELETE' | 'UPDATE'): string | null {
	const at = rest.indexOf('WHERE');
	if (at < 0) return `${verb} without WHERE`;
	const cond = rest.slice(at + 1);
	// WHERE true / WHERE 1=1 touch every row just the same.
	const joined = cond.join(' ');
	if (/^(TRUE|1 = 1|1)(\s|$)/.test(joined) && !/\bAND\b/.test(joined)) return `${verb} with an always-true WHERE`;
	return null;
}

export interface SqlFinding {
	command: string;
	reason: string;
	/** Offset in the scanned text. */
	start: number;
}

export function analyzeSql(sql: string, inBody = false): SqlFinding[] {
	const findings = analyzeAs(sql, inBody, 'mysql');
	// Both readings split alike unless a backslash or a backtick is in the text.
	if (!sql.includes('\\') && !sql.includes('`')) return findings;
	const seen = new Set(findings.map(f => `${f.reason}\0${f.command}`));
	for (const finding of analyzeAs(sql, inBody, 'postgres')) {
		if (!seen.has(`${finding.reason}\0${finding.command}`)) findings.push(finding);
	}
	return findings.sort((a, b) => a.start - b.start);
}

function analyzeAs(sql: string, inBody: boolean, quoting: SqlQuoting): SqlFinding[] {
	const findings: SqlFinding[] = [];
	for (const st of splitSql(sql, quoting)) {
		const reason = sqlDanger(st, inBody);
		if (reason) findings.push({command: st.text, reason, start: st.start});
		else if (st.tokens[0]?.word === 'DO' || st.tokens.some(t => t.word === 'FUNCTION' || t.word === 'PROCEDURE')) {
			for (const body of st.bodies) {
				const inner = analyzeSql(body, true)[0];
				if (inner) {
					findings.push({command: st.text, reason: inner.reason, start: st.start});
					break;
				}
			}
		}
	}
	return findings;
}
