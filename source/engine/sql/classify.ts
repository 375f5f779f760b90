// Decides which statements write (and so need a confirmation) and which are
// dangerous. Being wrong towards "write" only costs a confirmation; a write
// wrongly taken for a read is still stopped by the server, because reads run
// in a READ ONLY transaction. So unknown statements count as writes.
import type {Block} from '../../checklist/model.js';
import {splitSql, type SqlStatement} from './split.js';

export type StatementKind = 'read' | 'write' | 'transaction';

export interface StatementClass {
	kind: StatementKind;
	/** Why it counts as a write: the leading keyword or what inside it writes. */
	reason?: string;
	/** Set for DROP, TRUNCATE, DELETE/UPDATE without WHERE. */
	dangerous?: string;
}

const READ_LEADERS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'SHOW', 'EXPLAIN', 'FETCH', 'MOVE', 'DECLARE', 'CLOSE', 'LISTEN', 'UNLISTEN', 'SET', 'RESET', 'SAVEPOINT', 'RELEASE', 'PREPARE', 'DEALLOCATE']);
const TRANSACTION_CONTROL = new Set(['BEGIN', 'START', 'COMMIT', 'END', 'ROLLBACK', 'ABORT']);
const DML = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);
// Functions that change the server's state even inside a READ ONLY transaction.
const ADMIN_FUNCTIONS = new Set([
	'PG_TERMINATE_BACKEND', 'PG_CANCEL_BACKEND', 'PG_RELOAD_CONF', 'PG_ROTATE_LOGFILE', 'PG_SWITCH_WAL', 'PG_PROMOTE',
	'PG_CREATE_PHYSICAL_REPLICATION_SLOT', 'PG_CREATE_LOGICAL_REPLICATION_SLOT', 'PG_DROP_REPLICATION_SLOT',
	'PG_WAL_REPLAY_PAUSE', 'PG_WAL_REPLAY_RESUME', 'PG_ADVISORY_LOCK', 'PG_TRY_ADVISORY_LOCK', 'PG_ADVISORY_XACT_LOCK',
	'DBLINK_EXEC', 'LO_UNLINK', 'LO_IMPORT', 'LO_EXPORT', 'PG_FILE_WRITE', 'PG_FILE_UNLINK', 'PG_FILE_RENAME', 'SET_CONFIG',
]);
const READ_ONLY_SETTINGS = new Set(['DEFAULT_TRANSACTION_READ_ONLY', 'TRANSACTION_READ_ONLY']);

function dmlIn(words: string[]): string | undefined {
	for (let i = 0; i < words.length; i++) {
		const w = words[i]!;
		if (!DML.has(w)) continue;
		// SELECT ... FOR UPDATE / FOR NO KEY UPDATE lock rows, they do not write them.
		if (w === 'UPDATE' && (words[i - 1] === 'FOR' || words[i - 1] === 'KEY')) continue;
		return w;
	}
	return undefined;
}

// `FOR UPDATE`, `ON CONFLICT DO UPDATE`, `ON DELETE CASCADE`, `WHEN MATCHED THEN DELETE`: not a bare DELETE/UPDATE.
const NOT_A_STATEMENT_BEFORE = new Set(['FOR', 'KEY', 'DO', 'ON', 'THEN']);

function missingWhere(words: string[], keyword: 'DELETE' | 'UPDATE'): boolean {
	for (let i = 0; i < words.length; i++) {
		if (words[i] !== keyword) continue;
		if (NOT_A_STATEMENT_BEFORE.has(words[i - 1] ?? '')) continue;
		// The WHERE must belong to this statement, at the same parenthesis depth.
		let depth = 0;
		let found = false;
		for (let j = i + 1; j < words.length; j++) {
			const w = words[j];
			if (w === '(') depth++;
			else if (w === ')') {
				if (depth === 0) break;
				depth--;
			} else if (depth === 0 && w === 'WHERE') {
				found = true;
				break;
			}
		}
		if (!found) return true;
	}
	return false;
}

function dangerOf(words: string[]): string | undefined {
	if (words.includes('DROP')) return 'DROP';
	if (words.includes('TRUNCATE')) return 'TRUNCATE';
	const lead = words.find(w => w !== '(');
	if (lead !== 'DELETE' && lead !== 'UPDATE' && lead !== 'WITH' && lead !== 'EXPLAIN') return undefined;
	if (missingWhere(words, 'DELETE')) return 'DELETE without WHERE';
	if (missingWhere(words, 'UPDATE')) return 'UPDATE without WHERE';
	return undefined;
}

export function classifyStatement(statement: Pick<SqlStatement, 'words'>): StatementClass {
	const words = statement.words.filter(w => w !== '(' && w !== ')');
	const lead = words[0] ?? '';
	if (TRANSACTION_CONTROL.has(lead)) {
		// ROLLBACK TO SAVEPOINT stays inside the transaction: harmless.
		if (lead === 'ROLLBACK' && words.includes('TO')) return {kind: 'read'};
		return {kind: 'transaction'};
	}
	const dangerous = dangerOf(statement.words);
	if (!READ_LEADERS.has(lead)) return {kind: 'write', reason: lead || 'statement', dangerous};
	if (lead === 'SET' || lead === 'RESET') {
		if (words.some(w => READ_ONLY_SETTINGS.has(w)) || (words.includes('READ') && words.includes('WRITE')) || words.includes('CHARACTERISTICS')) {
			return {kind: 'write', reason: 'changes read-only mode'};
		}
		return {kind: 'read'};
	}
	const dml = dmlIn(statement.words);
	if (dml) {
		// EXPLAIN without ANALYZE only plans the statement.
		if (lead === 'EXPLAIN' && !words.includes('ANALYZE') && !words.includes('ANALYSE')) return {kind: 'read'};
		return {kind: 'write', reason: dml, dangerous};
	}
	if (lead === 'SELECT' && words.includes('INTO')) return {kind: 'write', reason: 'SELECT INTO'};
	const admin = words.find(w => ADMIN_FUNCTIONS.has(w));
	if (admin) return {kind: 'write', reason: admin.toLowerCase() + '()'};
	return {kind: 'read'};
}

export interface SqlDanger {
	command: string;
	reason: string;
	/** 1-based line in the checklist file. */
	line: number;
}

/** 1-based checklist line of a block-relative line (fenced code starts the line after the fence). */
export function fileLine(block: Pick<Block, 'line' | 'inline'>, blockLine: number): number {
	return block.inline ? block.line : block.line + blockLine;
}

/** Dangerous statements of a sql block (for the confirmation UI; see safety/analyze.ts). */
export function sqlDangers(block: Pick<Block, 'code' | 'line' | 'inline'>): SqlDanger[] {
	const out: SqlDanger[] = [];
	for (const statement of splitSql(block.code).statements) {
		const {dangerous} = classifyStatement(statement);
		if (dangerous) out.push({command: statement.text, reason: dangerous, line: fileLine(block, statement.line)});
	}
	return out;
}

/**
 * Statements of a sql block that need a confirmation: every write, with the
 * dangerous reason when there is one, else `writes (INSERT)`. For the
 * confirmation UI, so a plain write can be confirmed like a dangerous one.
 */
export function sqlWrites(block: Pick<Block, 'code' | 'line' | 'inline'>): SqlDanger[] {
	const out: SqlDanger[] = [];
	for (const statement of splitSql(block.code).statements) {
		const cls = classifyStatement(statement);
		if (cls.kind === 'write') out.push({command: statement.text, reason: cls.dangerous ?? `writes (${cls.reason ?? 'write'})`, line: fileLine(block, statement.line)});
	}
	return out;
}
