// Runs one sql block: refuse unconfirmed writes before connecting, run reads
// in a READ ONLY transaction, stop at the first error, cancel for real.
import {connect as netConnect} from 'node:net';
import type pg from 'pg';
import type {Block} from '../../checklist/model.js';
import {createMasker} from '../../safety/mask.js';
import type {ExecContext, ExecResult} from '../types.js';
import {formatDuration, plural, renderTable, DEFAULT_MAX_CELL_WIDTH, type TableColumn} from '../table-format.js';
import {classifyStatement, fileLine, type StatementClass} from './classify.js';
import {connectError, resolveSqlTarget, type PoolCache, type SqlTarget} from './connection.js';
import {formatValue, isNumericType, renderSqlError, sqlErrorInfo, typeName, type SqlErrorInfo} from './format.js';
import {CancelledWhileWaiting, Deadline, unlessAborted} from './deadline.js';
import {abortReason, commentDirective, humanMs, resolveTimeout} from './options.js';
import {runStatement} from './query.js';
import {splitSql, stripPsqlSession, type SqlStatement} from './split.js';

export const MAX_ROWS = 50;
export const MAX_COLUMNS = 40;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
/** How long a cancelled statement may take to end before its connection is closed (as for shell runs). */
export const CANCEL_GRACE_MS = 2000;

export interface SqlStatementData {
	/** 1-based line of the statement in the block. */
	line: number;
	text: string;
	kind: StatementClass['kind'];
	command?: string | null;
	rowCount?: number | null;
	durationMs?: number;
	columns?: Array<{name: string; type: string; numeric: boolean}>;
	/** Formatted cells of the first MAX_ROWS rows ('NULL' for null). */
	rows?: string[][];
	rowsNotShown?: number;
	columnsNotShown?: number;
	skipped?: string;
	error?: SqlErrorInfo;
}

export interface SqlResultData {
	kind: 'sql';
	/** Masked connection label. */
	target?: string;
	mode: 'read-only' | 'read-write';
	statementTimeoutMs: number;
	statements: SqlStatementData[];
}

function firstLine(text: string, max = 100): string {
	const line = text.split('\n').find(l => l.trim()) ?? '';
	const more = text.includes('\n') ? ' …' : '';
	return line.length > max ? line.slice(0, max - 1) + '…' : line + more;
}

function failure(ctx: ExecContext, message: string, data?: SqlResultData): ExecResult {
	ctx.write(`deploycockpit: ${message}\n`);
	return {exitCode: 1, error: message, data};
}

/**
 * A cancel request on its own connection: the server stops the running
 * statement; no authentication needed (the backend's secret key is the proof).
 */
function sendCancelRequest(host: string, port: number, processID: number, secretKey: number, timeoutMs: number): Promise<void> {
	return new Promise((resolve, reject) => {
		const socket = netConnect({host, port});
		const timer = setTimeout(() => {
			socket.destroy();
			reject(new Error('cancel request timed out'));
		}, timeoutMs);
		socket.on('connect', () => {
			const packet = Buffer.alloc(16);
			packet.writeInt32BE(16, 0);
			packet.writeInt32BE(80877102, 4);
			packet.writeInt32BE(processID, 8);
			packet.writeInt32BE(secretKey, 12);
			socket.end(packet);
		});
		socket.on('close', () => {
			clearTimeout(timer);
			resolve();
		});
		socket.on('error', err => {
			clearTimeout(timer);
			reject(err);
		});
	});
}

interface ClientInternals {
	processID?: number;
	secretKey?: number;
	host?: string;
	port?: number;
}

async function cancelBackend(pool: pg.Pool, client: pg.PoolClient, target: SqlTarget, fallback: () => boolean): Promise<void> {
	const internals = client as unknown as ClientInternals;
	const host = internals.host && !internals.host.startsWith('/') ? internals.host : target.host;
	const port = internals.port ?? target.port;
	if (internals.processID !== undefined && internals.secretKey !== undefined) {
		try {
			await sendCancelRequest(host, port, internals.processID, internals.secretKey, Math.min(target.connectTimeoutMs, CANCEL_GRACE_MS));
			return;
		} catch (error) {
			// Fall back to asking from a second connection, unless the connection is gone already.
			if (!fallback()) throw error;
		}
	}
	if (internals.processID !== undefined && fallback()) {
		const other = await pool.connect();
		try {
			await other.query('SELECT pg_cancel_backend($1)', [internals.processID]);
		} finally {
			other.release();
		}
	}
}

function renderRows(outcome: Awaited<ReturnType<typeof runStatement>>): {text: string; columns: SqlStatementData['columns']; rows: string[][]; columnsNotShown: number} {
	const fields = outcome.fields.slice(0, MAX_COLUMNS);
	const columnsNotShown = outcome.fields.length - fields.length;
	const columns = fields.map(f => ({name: f.name, type: typeName(f.dataTypeID), numeric: isNumericType(f.dataTypeID)}));
	const rows = outcome.rows.map(row => fields.map((f, i) => formatValue(row[i] ?? null, f.dataTypeID)));
	const tableColumns: TableColumn[] = columns.map(c => ({name: c.name, align: c.numeric ? 'right' : 'left'}));
	const table = renderTable(tableColumns, rows, {maxCellWidth: DEFAULT_MAX_CELL_WIDTH});
	const notes: string[] = [];
	if (outcome.rowsDropped > 0) notes.push(`first ${MAX_ROWS} shown, ${plural(outcome.rowsDropped, 'row')} not shown`);
	if (columnsNotShown > 0) notes.push(`${plural(columnsNotShown, 'column')} not shown`);
	if (table.cutCells > 0) notes.push(`${plural(table.cutCells, 'cell')} cut at ${DEFAULT_MAX_CELL_WIDTH} chars`);
	return {text: table.text + (notes.length ? `[${notes.join('; ')}]\n` : ''), columns, rows, columnsNotShown};
}

function commandLabel(statement: SqlStatement, command: string | null): string {
	const words = statement.words.filter(w => w !== '(' && w !== ')');
	if (command && ['CREATE', 'ALTER', 'DROP', 'COMMENT', 'GRANT', 'REVOKE', 'REFRESH'].includes(command) && words[1]) {
		const second = words[1] === 'OR' || words[1] === 'UNIQUE' || words[1] === 'MATERIALIZED' ? `${words[1]} ${words[2] ?? ''}` : words[1];
		return `${command} ${second}`.trim();
	}
	return command ?? words[0] ?? 'statement';
}

export async function runSqlBlock(block: Block, ctx: ExecContext, pools: PoolCache): Promise<ExecResult> {
	const mask = createMasker(ctx.env);
	const write = (text: string) => ctx.write(mask(text));
	const code = stripPsqlSession(block.code);
	const toFileLine = (line: number) => fileLine(block, line);

	const split = splitSql(code);
	if (split.unterminated) return failure(ctx, `sql block ends inside ${split.unterminated}; nothing was run`);
	if (split.metaCommands.length > 0) {
		const first = split.metaCommands[0]!;
		return failure(ctx, `psql meta-commands are not SQL (${first.text} at checklist line ${toFileLine(first.line)}); nothing was run`);
	}
	const classes = split.statements.map(classifyStatement);
	const statementTimeout = resolveTimeout({block: commentDirective(code, '--', 'timeout'), env: ctx.env, settings: ctx.settings}, 'DEPLOYCOCKPIT_SQL_TIMEOUT', 'sqlTimeout', DEFAULT_STATEMENT_TIMEOUT_MS);
	const writes = split.statements.map((s, i) => ({statement: s, cls: classes[i]!})).filter(x => x.cls.kind === 'write');
	const mode: SqlResultData['mode'] = writes.length > 0 ? 'read-write' : 'read-only';
	const data: SqlResultData = {kind: 'sql', mode, statementTimeoutMs: statementTimeout.ms, statements: []};

	if (split.statements.length === 0) {
		write('(no SQL statements in this block)\n');
		return {exitCode: 0, data};
	}
	const copy = split.statements.find(s => s.words[0] === 'COPY' && (s.words.includes('STDIN') || s.words.includes('STDOUT')));
	if (copy) return failure(ctx, `COPY ... FROM STDIN / TO STDOUT needs psql (checklist line ${toFileLine(copy.line)}); nothing was run`, data);

	if (writes.length > 0 && !ctx.confirmed) {
		write('refused: this block writes to the database and was not confirmed; nothing was run.\n');
		for (const {statement, cls} of writes) {
			write(`  line ${toFileLine(statement.line)}: ${firstLine(statement.text)}  [${cls.dangerous ? `DANGEROUS: ${cls.dangerous}` : cls.reason ?? 'write'}]\n`);
		}
		write('Confirm the step to run it (headless: run --yes).\n');
		return {exitCode: 1, error: 'sql write not confirmed', data};
	}

	const resolved = resolveSqlTarget(code, ctx.env, ctx.settings);
	if (!resolved.ok) return failure(ctx, resolved.error, data);
	const target = resolved.target;
	data.target = target.label;
	if (ctx.signal.aborted) return {exitCode: null, error: abortReason(ctx), data};

	const pool = pools.get(target);
	let client: pg.PoolClient;
	try {
		// A cancel while the connect hangs ends the step now; a connection that comes later is thrown away.
		client = await unlessAborted(pool.connect(), ctx.signal, late => late.release(true));
	} catch (error) {
		if (error instanceof CancelledWhileWaiting) return {exitCode: null, error: abortReason(ctx), data};
		return failure(ctx, connectError(target, error), data);
	}
	// Cancelled while connecting: the abort listener below would never fire.
	if (ctx.signal.aborted) {
		client.release();
		return {exitCode: null, error: abortReason(ctx), data};
	}

	let cancelled = false;
	let broken = false;
	let finished = false;
	// Ending the socket fails the pending query here and stops the statement when the server notices.
	const destroy = () => {
		broken = true;
		(client as unknown as {connection?: {stream?: {destroy(): void}}}).connection?.stream?.destroy();
	};
	const deadline = new Deadline(() => {
		if (cancelled) write(`no answer to the cancel; closing the connection\n`);
		destroy();
	});
	const margin = target.connectTimeoutMs;
	const statementDeadline = statementTimeout.ms > 0 ? statementTimeout.ms + margin : 0;
	const noAnswer = (ms: number, statement: boolean) =>
		`no answer from PostgreSQL at ${target.host}:${target.port} within ${humanMs(ms)}${statement ? ` (statement_timeout ${humanMs(statementTimeout.ms)} + ${humanMs(margin)})` : ''}; connection closed`;
	const onAbort = () => {
		cancelled = true;
		write('\ncancelling: sending a cancel request to the server…\n');
		// A server that does not answer the cancel either: the connection goes after the grace.
		deadline.arm(CANCEL_GRACE_MS);
		cancelBackend(pool, client, target, () => !finished && !deadline.expired).catch(err => {
			if (finished || deadline.expired) return;
			write(`cancel request failed (${String((err as Error).message ?? err)}); closing the connection\n`);
			destroy();
		});
	};
	const onNotice = (notice: {severity?: string; message?: string}) => write(`${notice.severity ?? 'NOTICE'}:  ${notice.message ?? ''}\n`);
	const onClientError = () => {
		broken = true;
	};
	client.on('notice', onNotice);
	client.on('error', onClientError);
	ctx.signal.addEventListener('abort', onAbort, {once: true});

	const multiple = split.statements.length > 1;
	let failed: SqlErrorInfo | undefined;
	write(`-- ${target.label} (${target.from}), ${mode === 'read-only' ? 'READ ONLY transaction' : 'read-write (confirmed)'}, statement_timeout ${statementTimeout.ms ? humanMs(statementTimeout.ms) : 'off'}\n`);
	try {
		deadline.arm(margin);
		if (mode === 'read-only') {
			// One round trip. The SELECT takes the snapshot, so a later `SET transaction_read_only = off` is refused by the server.
			await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${statementTimeout.ms}; SELECT 1`);
		} else {
			await client.query(`SET statement_timeout = ${statementTimeout.ms}`);
		}
		deadline.clear();
		for (let i = 0; i < split.statements.length; i++) {
			const statement = split.statements[i]!;
			const cls = classes[i]!;
			const entry: SqlStatementData = {line: statement.line, text: statement.text, kind: cls.kind};
			data.statements.push(entry);
			if (cancelled) {
				entry.skipped = 'cancelled';
				continue;
			}
			if (failed) {
				entry.skipped = 'an earlier statement failed';
				continue;
			}
			if (mode === 'read-only' && cls.kind === 'transaction') {
				entry.skipped = 'the block already runs in one READ ONLY transaction';
				write(`> ${firstLine(statement.text)}\n(skipped: the block already runs in one READ ONLY transaction)\n`);
				continue;
			}
			if (multiple) write(`\n> ${firstLine(statement.text)}\n`);
			if (cls.dangerous) write(`(dangerous: ${cls.dangerous}; confirmed)\n`);
			const started = performance.now();
			try {
				if (!cancelled) deadline.arm(statementDeadline);
				const outcome = await runStatement(client, statement.text, MAX_ROWS);
				if (!cancelled) deadline.clear();
				const ms = performance.now() - started;
				entry.command = outcome.command;
				entry.rowCount = outcome.rowCount;
				entry.durationMs = Math.round(ms * 10) / 10;
				if (outcome.fields.length > 0) {
					const rendered = renderRows(outcome);
					entry.columns = rendered.columns;
					entry.rows = rendered.rows;
					if (outcome.rowsDropped) entry.rowsNotShown = outcome.rowsDropped;
					if (rendered.columnsNotShown) entry.columnsNotShown = rendered.columnsNotShown;
					write(rendered.text);
					const total = outcome.rows.length + outcome.rowsDropped;
					write(`(${plural(total, 'row')}, ${formatDuration(ms)})\n`);
				} else {
					const label = commandLabel(statement, outcome.command);
					const affected = outcome.rowCount !== null && ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'SELECT', 'MOVE', 'FETCH'].includes(outcome.command ?? '') ? `: ${plural(outcome.rowCount, 'row')} affected` : '';
					write(`${label}${affected} (${formatDuration(ms)})\n`);
				}
			} catch (error) {
				const ms = performance.now() - started;
				entry.durationMs = Math.round(ms * 10) / 10;
				const info = sqlErrorInfo(error, statement, code, toFileLine);
				if (deadline.expired && !cancelled) info.message = noAnswer(deadline.expiredAfterMs!, true);
				entry.error = info;
				if (cancelled && deadline.expired) {
					write(`cancelled after ${formatDuration(ms)} (connection closed)\n`);
				} else if (deadline.expired) {
					failed = info;
					write(`deploycockpit: ${info.message}\n`);
				} else if (cancelled && info.code === '57014') {
					write(`cancelled after ${formatDuration(ms)} (the server stopped the statement)\n`);
				} else {
					failed = info;
					write(renderSqlError(info, code));
					if (info.code === '57014' && /statement timeout/.test(info.message)) {
						write(`(statement_timeout ${humanMs(statementTimeout.ms)} from ${statementTimeout.from}; raise it with a \`-- timeout: 10m\` comment, frontmatter sqlTimeout or DEPLOYCOCKPIT_SQL_TIMEOUT)\n`);
					}
				}
				if (cancelled) continue;
			}
		}
	} catch (error) {
		// BEGIN / SET failed: the connection itself is unusable.
		broken = true;
		failed = sqlErrorInfo(error, {text: '', offset: 0}, code, toFileLine);
		if (deadline.expired) {
			failed.message = noAnswer(deadline.expiredAfterMs!, false);
			write(`deploycockpit: ${failed.message}\n`);
		} else {
			write(renderSqlError(failed, code));
		}
	} finally {
		ctx.signal.removeEventListener('abort', onAbort);
		if (!broken) {
			deadline.arm(margin);
			try {
				const status = (client as unknown as {getTransactionStatus?(): string | null}).getTransactionStatus?.();
				if (mode === 'read-only') {
					await client.query('ROLLBACK');
				} else {
					if (status && status !== 'I') {
						await client.query('ROLLBACK');
						write(failed || cancelled ? '(open transaction rolled back)\n' : 'warning: the block left a transaction open (BEGIN without COMMIT); it was rolled back\n');
					}
					// Each block starts clean, as the read-only ones do after their ROLLBACK:
					// SET, temp tables and prepared statements do not leak into the next block.
					await client.query('DISCARD ALL');
				}
			} catch {
				broken = true;
			}
		}
		deadline.clear();
		finished = true;
		client.off('notice', onNotice);
		client.off('error', onClientError);
		// A connection in an unknown state is thrown away, not reused.
		client.release(broken ? true : undefined);
	}

	if (cancelled) return {exitCode: null, signal: 'SIGINT', error: abortReason(ctx), data};
	if (failed) return {exitCode: 1, error: mask(`sql error: ${failed.message}`), data};
	return {exitCode: 0, data};
}
