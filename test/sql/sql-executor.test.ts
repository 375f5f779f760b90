// The sql executor against a real PostgreSQL started for this file.
import {createServer, type Server} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createSqlExecutor} from '../../source/engine/sql/executor.js';
import type {SqlResultData} from '../../source/engine/sql/run.js';
import type {BlockExecutor} from '../../source/engine/types.js';
import {freePort, PASSWORD, PASSWORD_USER, pgAvailability, startPostgres, type PgServer} from '../helpers/postgres.js';
import {makeContext, sqlBlock} from './context.js';

const pgCheck = pgAvailability();

describe.skipIf(!pgCheck.available)('sql executor against PostgreSQL', () => {
	let server: PgServer;
	let executor: BlockExecutor;

	beforeAll(async () => {
		server = await startPostgres();
		executor = createSqlExecutor();
		await server.query(`
			CREATE TABLE releases (id int PRIMARY KEY, name text, size bigint, price numeric(10,2), shipped timestamptz, planned timestamp, meta jsonb, live boolean);
			INSERT INTO releases VALUES
				(1, 'alpha', 9007199254740993, 12.50, '2024-05-01 12:00:00+00', '2024-05-01 14:30:00', '{"zone": "eu", "n": 1}', true),
				(2, 'beta;gamma', NULL, 0.99, NULL, NULL, NULL, false),
				(10, NULL, 3, 100.00, '2024-06-02 08:15:30.25+02', '2024-06-02 08:00:00', '[1, 2]', NULL);
			CREATE TABLE audit_rows (id serial PRIMARY KEY, note text);
			CREATE SEQUENCE ticket_seq;
		`);
	});

	afterAll(async () => {
		await executor?.close?.();
		await server?.stop();
	});

	const run = async (code: string, options: {confirmed?: boolean; settings?: Record<string, unknown>; env?: Record<string, string>} = {}) => {
		const t = makeContext({env: {DATABASE_URL: server.url, ...options.env}, settings: options.settings, confirmed: options.confirmed});
		const result = await executor.run(sqlBlock(code), t.ctx);
		return {result, output: t.output(), data: result.data as SqlResultData};
	};

	it('renders a result table with types respected: numbers right-aligned, NULL, ISO dates, compact json', async () => {
		const {result, output, data} = await run('SELECT id, name, size, price, shipped, planned, meta, live FROM releases ORDER BY id;');
		expect(result.exitCode).toBe(0);
		const lines = output.split('\n');
		const header = lines.find(l => l.includes('name') && l.includes('shipped'))!;
		expect(header).toMatch(/^ id \| name\s+\| size\s+\| price\s+\| shipped\s+\| planned\s+\| meta\s+\| live$/);
		const rowOf = (id: string) => lines.find(l => new RegExp(`^\\s+${id} \\|`).test(l))!;
		// int8 beyond 2^53 keeps every digit; numbers are right-aligned in their column.
		expect(rowOf('1')).toContain('9007199254740993');
		expect(rowOf('10')).toMatch(/^ 10 \| NULL\s+\|\s+3 \|/);
		expect(rowOf('1')).toContain('2024-05-01T12:00:00Z');
		expect(rowOf('1')).toContain('2024-05-01T14:30:00 ');
		expect(rowOf('10')).toContain('2024-06-02T06:15:30.25Z');
		expect(rowOf('1')).toContain('{"n":1,"zone":"eu"}');
		expect(rowOf('1')).toMatch(/\| true$/);
		expect(rowOf('2')).toMatch(/beta;gamma .*\| NULL .*\| false$/);
		expect(output).toMatch(/\(3 rows, [\d.]+ m?s\)/);
		expect(data.mode).toBe('read-only');
		expect(data.statements[0]!.columns!.map(c => c.type)).toEqual(['int4', 'text', 'int8', 'numeric', 'timestamptz', 'timestamp', 'jsonb', 'bool']);
		expect(data.statements[0]!.rows![1]![2]).toBe('NULL');
		expect(data.statements[0]!.rowCount).toBe(3);
	});

	it('runs each statement of a multi-statement block with its own table, count and timing', async () => {
		const code = [
			'-- how many; (a comment with a semicolon)',
			"SELECT count(*) AS n FROM releases WHERE name <> 'x;y';",
			'/* block comment; */ SELECT $tag$semi;colon$tag$ AS quoted;',
			'SELECT name FROM releases WHERE id = 1',
		].join('\n');
		const {result, output, data} = await run(code);
		expect(result.exitCode).toBe(0);
		expect(data.statements).toHaveLength(3);
		expect(data.statements.map(s => s.line)).toEqual([2, 3, 4]);
		expect(data.statements[0]!.rows).toEqual([['2']]);
		expect(data.statements[1]!.rows).toEqual([['semi;colon']]);
		expect(data.statements[2]!.rows).toEqual([['alpha']]);
		expect(output.match(/\(1 row, [\d.]+ m?s\)/g)).toHaveLength(3);
		expect(output).toContain("> SELECT count(*) AS n FROM releases WHERE name <> 'x;y'");
	});

	it('truncates long and wide results and says how much was cut', async () => {
		const {result, output, data} = await run("SELECT x, repeat('w', 300) AS wide FROM generate_series(1, 2000) x;");
		expect(result.exitCode).toBe(0);
		expect(data.statements[0]!.rows).toHaveLength(50);
		expect(data.statements[0]!.rowsNotShown).toBe(1950);
		expect(output).toContain('first 50 shown, 1950 rows not shown');
		expect(output).toContain('50 cells cut at 120 chars');
		expect(output).toContain('(2000 rows,');
		expect(output).not.toContain('w'.repeat(121));
	});

	it('refuses a write without confirmation and runs nothing', async () => {
		const {result, output} = await run("SELECT 1;\nINSERT INTO audit_rows (note) VALUES ('refused');");
		expect(result.exitCode).toBe(1);
		expect(result.error).toMatch(/not confirmed/);
		expect(output).toMatch(/refused: this block writes/);
		expect(output).toMatch(/line 12: INSERT INTO audit_rows/);
		expect(output).toMatch(/--yes/);
		const rows = await server.query("SELECT count(*)::int AS n FROM audit_rows WHERE note = 'refused'");
		expect(rows.rows[0]!.n).toBe(0);
	});

	it('runs a confirmed write and reports affected rows', async () => {
		const {result, output, data} = await run("INSERT INTO audit_rows (note) VALUES ('one'), ('two');\nUPDATE audit_rows SET note = note || '!' WHERE note = 'one';", {confirmed: true});
		expect(result.exitCode).toBe(0);
		expect(data.mode).toBe('read-write');
		expect(output).toMatch(/INSERT: 2 rows affected/);
		expect(output).toMatch(/UPDATE: 1 row affected/);
		const rows = await server.query<{note: string}>('SELECT note FROM audit_rows ORDER BY id');
		expect(rows.rows.map(r => r.note)).toEqual(['one!', 'two']);
	});

	it('treats DELETE without WHERE, DROP and TRUNCATE as dangerous: refused unconfirmed, marked when confirmed', async () => {
		const refused = await run('DELETE FROM audit_rows;\nDROP TABLE IF EXISTS nothing_here;\nTRUNCATE audit_rows;');
		expect(refused.result.exitCode).toBe(1);
		expect(refused.output).toContain('[DANGEROUS: DELETE without WHERE]');
		expect(refused.output).toContain('[DANGEROUS: DROP]');
		expect(refused.output).toContain('[DANGEROUS: TRUNCATE]');
		expect((await server.query('SELECT count(*)::int AS n FROM audit_rows')).rows[0]!.n).toBe(2);

		const confirmed = await run('DELETE FROM audit_rows;', {confirmed: true});
		expect(confirmed.result.exitCode).toBe(0);
		expect(confirmed.output).toContain('(dangerous: DELETE without WHERE; confirmed)');
		expect(confirmed.output).toMatch(/DELETE: 2 rows affected/);
		expect((await server.query('SELECT count(*)::int AS n FROM audit_rows')).rows[0]!.n).toBe(0);
	});

	it('lets the server enforce READ ONLY for reads that write behind a SELECT', async () => {
		const {result, output} = await run("SELECT nextval('ticket_seq');");
		expect(result.exitCode).toBe(1);
		expect(output).toMatch(/cannot execute nextval\(\) in a read-only transaction/);
	});

	it('skips transaction control in a read-only block and rolls back a write block left open', async () => {
		const read = await run('BEGIN;\nSELECT 1 AS one;\nCOMMIT;');
		expect(read.result.exitCode).toBe(0);
		expect(read.data.statements.map(s => s.skipped ?? 'ran')).toEqual([
			'the block already runs in one READ ONLY transaction',
			'ran',
			'the block already runs in one READ ONLY transaction',
		]);
		const open = await run("BEGIN;\nINSERT INTO audit_rows (note) VALUES ('left open');", {confirmed: true});
		expect(open.output).toMatch(/left a transaction open .* rolled back/);
		expect((await server.query("SELECT count(*)::int AS n FROM audit_rows WHERE note = 'left open'")).rows[0]!.n).toBe(0);
		// A write block's session settings do not leak into the next block on the pooled connection.
		const withPath = await run("SET search_path = pg_catalog, public;\nINSERT INTO audit_rows (note) VALUES ('path');", {confirmed: true});
		expect(withPath.result.exitCode).toBe(0);
		expect((await run('SHOW search_path;')).data.statements[0]!.rows).toEqual([['"$user", public']]);
		const committed = await run("BEGIN;\nINSERT INTO audit_rows (note) VALUES ('kept');\nCOMMIT;", {confirmed: true});
		expect(committed.result.exitCode).toBe(0);
		expect((await server.query("SELECT count(*)::int AS n FROM audit_rows WHERE note = 'kept'")).rows[0]!.n).toBe(1);
	});

	it('shows message, detail, hint and the position as line:column of the block', async () => {
		const missing = await run('SELECT 1;\nSELECT *\n  FROM no_such_table;');
		expect(missing.result.exitCode).toBe(1);
		expect(missing.output).toContain('ERROR:  relation "no_such_table" does not exist (42P01)');
		expect(missing.output).toContain('at line 3, column 8 of the block (checklist line 13):');
		expect(missing.output).toContain('    FROM no_such_table;\n         ^');
		expect(missing.data.statements[1]!.error).toMatchObject({blockLine: 3, blockColumn: 8, fileLine: 13, code: '42P01'});

		await run("INSERT INTO audit_rows (id, note) VALUES (900, 'dup');", {confirmed: true});
		const duplicate = await run("INSERT INTO audit_rows (id, note) VALUES (900, 'dup');", {confirmed: true});
		expect(duplicate.output).toContain('DETAIL:  Key (id)=(900) already exists.');

		const hint = await run('SELECT no_such_function(1);');
		expect(hint.output).toMatch(/HINT: {2}No function matches the given name and argument types/);
	});

	it('runs statements that refuse a transaction block (VACUUM, CREATE INDEX CONCURRENTLY) when confirmed', async () => {
		const {result, output} = await run('VACUUM releases;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS releases_name ON releases (name);', {confirmed: true});
		expect(output).not.toContain('ERROR');
		expect(result.exitCode).toBe(0);
		expect(output).toContain('CREATE INDEX');
		expect((await server.query("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'releases_name'")).rows[0]!.n).toBe(1);
	});

	it('shows server notices (RAISE NOTICE) in the output', async () => {
		const {result, output} = await run("DO $$ BEGIN RAISE NOTICE 'checked % rows', 3; END $$;", {confirmed: true});
		expect(result.exitCode).toBe(0);
		expect(output).toContain('NOTICE:  checked 3 rows');
	});

	it('stops at the first failing statement', async () => {
		const {result, data} = await run('SELECT 1;\nSELECT 1/0;\nSELECT 3;');
		expect(result.exitCode).toBe(1);
		expect(data.statements.map(s => s.skipped ?? (s.error ? 'error' : 'ok'))).toEqual(['ok', 'error', 'an earlier statement failed']);
	});

	it('applies a statement timeout (frontmatter sqlTimeout, env override, block comment)', async () => {
		const fromSettings = await run('SELECT pg_sleep(5);', {settings: {sqlTimeout: '300ms'}});
		expect(fromSettings.result.exitCode).toBe(1);
		expect(fromSettings.output).toContain('canceling statement due to statement timeout');
		expect(fromSettings.output).toContain('statement_timeout 300 ms from frontmatter sqlTimeout');

		const fromEnv = await run('SELECT pg_sleep(5);', {settings: {sqlTimeout: '1m'}, env: {DEPLOYCOCKPIT_SQL_TIMEOUT: '200ms'}});
		expect(fromEnv.output).toContain('statement_timeout 200 ms from DEPLOYCOCKPIT_SQL_TIMEOUT');

		const fromComment = await run('-- timeout: 250ms\nSELECT pg_sleep(5);', {env: {DEPLOYCOCKPIT_SQL_TIMEOUT: '1m'}});
		expect(fromComment.output).toContain('statement_timeout 250 ms from timeout comment');

		// A block's timeout does not leak into the next block on the pooled connection.
		await run('-- timeout: 250ms\nSELECT 1;\nINSERT INTO audit_rows (note) VALUES (\'t\');', {confirmed: true});
		const after = await run('SHOW statement_timeout;');
		expect(after.data.statements[0]!.rows).toEqual([['30s']]);
	});

	it('cancels SELECT pg_sleep(30) with a real cancel request: the backend stops the query', async () => {
		const t = makeContext({env: {DATABASE_URL: server.url}});
		const running = executor.run(sqlBlock('SELECT pg_sleep(30);'), t.ctx);
		const active = async () =>
			(await server.query("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(30)%' AND application_name = 'deploycockpit'")).rows;
		for (let i = 0; i < 200 && (await active()).length === 0; i++) await new Promise(r => setTimeout(r, 25));
		expect(await active()).toHaveLength(1);
		t.abort();
		const result = await running;
		expect(result.exitCode).toBeNull();
		expect(result.error).toBe('cancelled');
		expect(t.output()).toContain('cancelled after');
		expect(await active()).toHaveLength(0);
		// The pooled connection is clean and usable afterwards.
		expect((await run('SELECT 42 AS answer;')).data.statements[0]!.rows).toEqual([['42']]);
	});

	it('reuses one connection per target within a session and closes it on close()', async () => {
		const own = createSqlExecutor();
		const pidOf = async () => {
			const t = makeContext({env: {DATABASE_URL: server.url}});
			const result = await own.run(sqlBlock('SELECT pg_backend_pid() AS pid;'), t.ctx);
			return (result.data as SqlResultData).statements[0]!.rows![0]![0];
		};
		const first = await pidOf();
		expect(await pidOf()).toBe(first);
		const alive = async () => (await server.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [Number(first)])).rows[0]!.n;
		expect(await alive()).toBe(1);
		await own.close?.();
		for (let i = 0; i < 100 && (await alive()) > 0; i++) await new Promise(r => setTimeout(r, 20));
		expect(await alive()).toBe(0);
	});

	it('resolves the connection: `-- db:` comment, frontmatter db, DATABASE_URL, PG* variables', async () => {
		const whoami = async (code: string, env: Record<string, string>, settings: Record<string, unknown> = {}) => {
			const t = makeContext({env, settings});
			const result = await executor.run(sqlBlock(code), t.ctx);
			return {user: (result.data as SqlResultData | undefined)?.statements[0]?.rows?.[0]?.[0], output: t.output(), result};
		};
		const pwUrl = server.passwordUrl;
		expect((await whoami('-- db: REPORTING_DB\nSELECT current_user;', {REPORTING_DB: pwUrl, DATABASE_URL: server.url})).user).toBe(PASSWORD_USER);
		expect((await whoami('SELECT current_user;', {MAIN_DB: pwUrl, DATABASE_URL: server.url}, {db: 'MAIN_DB'})).user).toBe(PASSWORD_USER);
		expect((await whoami('SELECT current_user;', {DATABASE_URL: server.url})).user).toBe('postgres');
		expect((await whoami('SELECT current_user;', {PGHOST: '127.0.0.1', PGPORT: String(server.port), PGUSER: PASSWORD_USER, PGPASSWORD: PASSWORD, PGDATABASE: 'postgres'})).user).toBe(PASSWORD_USER);

		const unset = await whoami('-- db: NOT_SET_ANYWHERE\nSELECT 1;', {DATABASE_URL: server.url});
		expect(unset.result.exitCode).toBe(1);
		expect(unset.output).toContain('environment variable NOT_SET_ANYWHERE is not set');
		const nothing = await whoami('SELECT 1;', {});
		expect(nothing.output).toMatch(/no database configured: add a `-- db: ENV_VAR` comment/);
	});

	it('never shows the password: connection label masked, authentication errors masked', async () => {
		const ok = makeContext({env: {APP_DB: server.passwordUrl}});
		await executor.run(sqlBlock('-- db: APP_DB\nSELECT 1;'), ok.ctx);
		expect(ok.output()).toContain(`postgres://${PASSWORD_USER}:****@127.0.0.1:${server.port}/postgres`);
		expect(ok.output()).not.toContain(PASSWORD);

		const wrongPassword = 'Wrong-Secret-Value-42';
		const bad = makeContext({env: {APP_DB: `postgres://${PASSWORD_USER}:${wrongPassword}@127.0.0.1:${server.port}/postgres`}});
		const result = await executor.run(sqlBlock('-- db: APP_DB\nSELECT 1;'), bad.ctx);
		expect(result.exitCode).toBe(1);
		expect(bad.output()).toContain(`password authentication failed for user "${PASSWORD_USER}"`);
		expect(bad.output() + String(result.error)).not.toContain(wrongPassword);
	});

	it('runs inline `SELECT ...;` steps the same way', async () => {
		const t = makeContext({env: {DATABASE_URL: server.url}});
		const result = await executor.run({lang: 'sql', executor: 'sql', line: 7, code: 'SELECT count(*) AS n FROM releases;', inline: true}, t.ctx);
		expect(result.exitCode).toBe(0);
		expect(t.output()).toMatch(/ n\n-+\n 3\n\(1 row, /);
	});

	it('refuses psql meta-commands and unterminated quotes before connecting', async () => {
		const meta = await run('\\d releases\nSELECT 1;');
		expect(meta.result.exitCode).toBe(1);
		expect(meta.output).toContain('psql meta-commands are not SQL (\\d releases at checklist line 11)');
		const open = await run("SELECT 'unterminated;");
		expect(open.output).toContain('sql block ends inside a quoted string');
	});
});

describe('sql executor without a server', () => {
	it('fails within the connect timeout with one clear line when nothing listens', async () => {
		const port = await freePort();
		const executor = createSqlExecutor();
		const t = makeContext({env: {DATABASE_URL: `postgres://app:S3cretPw@127.0.0.1:${port}/app`}});
		const result = await executor.run(sqlBlock('SELECT 1;'), t.ctx);
		await executor.close?.();
		expect(result.exitCode).toBe(1);
		expect(t.output()).toBe(`deploycockpit: cannot connect to PostgreSQL at 127.0.0.1:${port} (DATABASE_URL): connection refused\n`);
		expect(t.output()).not.toContain('S3cretPw');
	});

	it('fails with a connect-timeout line when the server accepts but never answers', async () => {
		const silent: Server = createServer(() => {});
		await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
		const port = (silent.address() as {port: number}).port;
		const executor = createSqlExecutor();
		const t = makeContext({env: {DATABASE_URL: `postgres://app@127.0.0.1:${port}/app`, DEPLOYCOCKPIT_CONNECT_TIMEOUT: '300ms'}});
		const result = await executor.run(sqlBlock('SELECT 1;'), t.ctx);
		await executor.close?.();
		silent.close();
		expect(result.exitCode).toBe(1);
		expect(t.output()).toBe(`deploycockpit: cannot connect to PostgreSQL at 127.0.0.1:${port} (DATABASE_URL): no answer within 300 ms (connect timeout)\n`);
	});
});
