// Turns PostgreSQL's text output into table cells and errors into readable lines.
// Values arrive as the server's text (no JS parsing), so int8 and numeric keep
// every digit and timestamps are not shifted by the cockpit's time zone.
import {lineColumn} from './split.js';

const TYPE_NAMES: Record<number, string> = {
	16: 'bool', 17: 'bytea', 18: 'char', 19: 'name', 20: 'int8', 21: 'int2', 23: 'int4', 25: 'text', 26: 'oid',
	114: 'json', 142: 'xml', 700: 'float4', 701: 'float8', 790: 'money', 869: 'inet', 1042: 'bpchar', 1043: 'varchar',
	1082: 'date', 1083: 'time', 1114: 'timestamp', 1184: 'timestamptz', 1186: 'interval', 1266: 'timetz', 1700: 'numeric',
	2950: 'uuid', 3802: 'jsonb', 28: 'xid', 24: 'regproc', 2205: 'regclass', 1560: 'bit', 1562: 'varbit',
	1000: 'bool[]', 1005: 'int2[]', 1007: 'int4[]', 1016: 'int8[]', 1009: 'text[]', 1015: 'varchar[]',
};
const NUMERIC = new Set([20, 21, 23, 26, 28, 700, 701, 790, 1700]);

export function typeName(oid: number): string {
	return TYPE_NAMES[oid] ?? `oid ${oid}`;
}

export function isNumericType(oid: number): boolean {
	return NUMERIC.has(oid);
}

/** 2024-05-01 12:00:00.5+00 → 2024-05-01T12:00:00.5Z; +05:30 kept, +05 → +05:00. */
function isoTimestamp(text: string, withZone: boolean): string {
	const match = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::\d\d){0,2})?( BC)?$/.exec(text);
	if (!match) return text;
	const [, date, time, zone, bc] = match;
	let out = `${date}T${time}`;
	if (withZone && zone) out += zone === '+00' || zone === '+00:00' ? 'Z' : /^[+-]\d\d$/.test(zone) ? `${zone}:00` : zone;
	return out + (bc ?? '');
}

export function formatValue(value: string | null, oid: number): string {
	if (value === null) return 'NULL';
	switch (oid) {
		case 16:
			return value === 't' ? 'true' : value === 'f' ? 'false' : value;
		case 114:
		case 3802:
			try {
				return JSON.stringify(JSON.parse(value));
			} catch {
				return value;
			}
		case 1114:
			return isoTimestamp(value, false);
		case 1184:
			return isoTimestamp(value, true);
		default:
			return value;
	}
}

export interface SqlErrorInfo {
	message: string;
	severity?: string;
	code?: string;
	detail?: string;
	hint?: string;
	where?: string;
	/** Position of the error in the block (1-based), when Postgres gave one. */
	blockLine?: number;
	blockColumn?: number;
	/** Line in the checklist file. */
	fileLine?: number;
}

interface PgErrorLike {
	message?: string;
	severity?: string;
	code?: string;
	detail?: string;
	hint?: string;
	where?: string;
	position?: string;
}

export function sqlErrorInfo(error: unknown, statement: {text: string; offset: number}, code: string, toFileLine: (blockLine: number) => number): SqlErrorInfo {
	const err = (error ?? {}) as PgErrorLike;
	const info: SqlErrorInfo = {message: String(err.message ?? error)};
	if (err.severity) info.severity = err.severity;
	if (err.code) info.code = err.code;
	if (err.detail) info.detail = err.detail;
	if (err.hint) info.hint = err.hint;
	if (err.where) info.where = err.where;
	const position = Number(err.position);
	if (Number.isInteger(position) && position > 0) {
		const {line, column} = lineColumn(code, statement.offset + Math.min(position - 1, statement.text.length));
		info.blockLine = line;
		info.blockColumn = column;
		info.fileLine = toFileLine(line);
	}
	return info;
}

/** psql-like error text with a caret under the position. */
export function renderSqlError(info: SqlErrorInfo, code: string): string {
	const lines: string[] = [];
	lines.push(`${info.severity ?? 'ERROR'}:  ${info.message}${info.code ? ` (${info.code})` : ''}`);
	if (info.blockLine !== undefined && info.blockColumn !== undefined) {
		const source = code.split('\n')[info.blockLine - 1] ?? '';
		lines.push(`at line ${info.blockLine}, column ${info.blockColumn} of the block${info.fileLine !== undefined ? ` (checklist line ${info.fileLine})` : ''}:`);
		lines.push(`  ${source.replace(/\t/g, ' ')}`);
		lines.push(`  ${' '.repeat(Math.max(0, info.blockColumn - 1))}^`);
	}
	if (info.detail) lines.push(`DETAIL:  ${info.detail}`);
	if (info.hint) lines.push(`HINT:  ${info.hint}`);
	if (info.where) lines.push(`CONTEXT:  ${info.where}`);
	return lines.join('\n') + '\n';
}
