import {describe, expect, it} from 'vitest';
import {classifyStatement, sqlDangers, sqlWrites} from '../../source/engine/sql/classify.js';
import {redisWrites} from '../../source/engine/redis/classify.js';
import {splitSql, stripPsqlSession} from '../../source/engine/sql/split.js';
import {renderTable} from '../../source/engine/table-format.js';

describe('splitSql', () => {
	it('splits on semicolons outside quotes, dollar quotes, identifiers and comments', () => {
		const code = [
			"SELECT 'a;b', \"odd;name\" FROM t; -- trailing; comment",
			'/* outer /* nested; */ still comment; */',
			"SELECT E'it\\'s;fine';",
			'CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;',
			'SELECT $$x;y$$, $1::text',
		].join('\n');
		const {statements, unterminated} = splitSql(code);
		expect(unterminated).toBeUndefined();
		expect(statements.map(s => s.text)).toEqual([
			"SELECT 'a;b', \"odd;name\" FROM t",
			"SELECT E'it\\'s;fine'",
			'CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql',
			'SELECT $$x;y$$, $1::text',
		]);
		expect(statements.map(s => [s.line, s.column])).toEqual([[1, 1], [3, 1], [4, 1], [5, 1]]);
	});

	it('drops comment-only statements and leading comments, keeps offsets for error positions', () => {
		const {statements} = splitSql('-- only a comment;\n;\n  /* c */ SELECT 1;');
		expect(statements).toHaveLength(1);
		expect(statements[0]).toMatchObject({text: 'SELECT 1', line: 3, column: 11});
	});

	it('runs only the prompted lines of a pasted psql session, positions kept', () => {
		const pasted = ['app=> SELECT count(*)', 'app-> FROM t;', ' count', '-------', '     3', '(1 row)', '', 'app=# SELECT 2;'].join('\n');
		const stripped = stripPsqlSession(pasted);
		expect(splitSql(stripped).statements.map(s => [s.text.replace(/\s+/g, ' '), s.line, s.column])).toEqual([
			['SELECT count(*) FROM t', 1, 7],
			['SELECT 2', 8, 7],
		]);
		expect(stripPsqlSession('SELECT 1;\nx=> y')).toBe('SELECT 1;\nx=> y');
	});

	it('reports unterminated quotes and psql meta-commands', () => {
		expect(splitSql("SELECT 'open").unterminated).toBe('a quoted string');
		expect(splitSql('SELECT $x$ open').unterminated).toBe('a $x$ dollar-quoted string');
		expect(splitSql('SELECT 1;\n\\x\nSELECT 2;').metaCommands).toEqual([{line: 2, text: '\\x'}]);
	});
});

describe('classifyStatement', () => {
	const kind = (sql: string) => classifyStatement(splitSql(sql).statements[0]!);
	it.each([
		['SELECT * FROM users', 'read'],
		['  (SELECT 1)', 'read'],
		['WITH x AS (SELECT 1) SELECT * FROM x', 'read'],
		['SELECT * FROM jobs FOR UPDATE SKIP LOCKED', 'read'],
		['EXPLAIN DELETE FROM t', 'read'],
		['SHOW server_version', 'read'],
		["SELECT 'DELETE FROM t'", 'read'],
		['SET search_path = app', 'read'],
		['INSERT INTO t VALUES (1)', 'write'],
		['WITH gone AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM gone', 'write'],
		['EXPLAIN ANALYZE DELETE FROM t WHERE id = 1', 'write'],
		['SELECT * INTO backup FROM t', 'write'],
		['CREATE INDEX CONCURRENTLY i ON t (x)', 'write'],
		['VACUUM ANALYZE t', 'write'],
		['GRANT SELECT ON t TO app', 'write'],
		['COPY t FROM \'/tmp/x\'', 'write'],
		['CALL refresh_all()', 'write'],
		['SELECT pg_terminate_backend(123)', 'write'],
		['SET default_transaction_read_only = off', 'write'],
		['SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', 'write'],
		['BEGIN', 'transaction'],
		['COMMIT', 'transaction'],
		['ROLLBACK TO SAVEPOINT a', 'read'],
	])('%s → %s', (sql, expected) => {
		expect(kind(sql).kind).toBe(expected);
	});

	it.each([
		['DELETE FROM t', 'DELETE without WHERE'],
		['delete from t where id = 1', undefined],
		['UPDATE t SET x = 1', 'UPDATE without WHERE'],
		['UPDATE t SET x = (SELECT y FROM u WHERE u.id = 1)', 'UPDATE without WHERE'],
		['UPDATE t SET x = 1 WHERE id IN (SELECT id FROM u)', undefined],
		['WITH d AS (DELETE FROM t RETURNING *) SELECT 1', 'DELETE without WHERE'],
		['INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET x = 2', undefined],
		['ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES u ON DELETE CASCADE', undefined],
		['DROP TABLE t', 'DROP'],
		['ALTER TABLE t DROP COLUMN c', 'DROP'],
		['TRUNCATE t', 'TRUNCATE'],
		['SELECT 1', undefined],
	])('%s dangerous: %s', (sql, expected) => {
		expect(kind(sql).dangerous).toBe(expected);
	});

	it('lists dangerous statements with checklist lines for the confirmation UI', () => {
		const dangers = sqlDangers({code: 'SELECT 1;\nDELETE FROM sessions;\nDROP TABLE old;', line: 20, inline: false});
		expect(dangers).toEqual([
			{command: 'DELETE FROM sessions', reason: 'DELETE without WHERE', line: 22},
			{command: 'DROP TABLE old', reason: 'DROP', line: 23},
		]);
	});
});

describe('writes needing a confirmation', () => {
	it('lists every write of a sql block, dangerous ones with their reason', () => {
		expect(sqlWrites({code: "SELECT 1;\nINSERT INTO t VALUES (1);\nDELETE FROM t;\nSELECT nextval('s');", line: 4, inline: false})).toEqual([
			{command: 'INSERT INTO t VALUES (1)', reason: 'writes (INSERT)', line: 6},
			{command: 'DELETE FROM t', reason: 'DELETE without WHERE', line: 7},
		]);
	});

	it('lists every write of a redis block', () => {
		expect(redisWrites({code: 'GET a\nSET a 1\nCONFIG GET maxmemory\nCONFIG SET maxmemory 1mb\nFLUSHDB', line: 1, inline: false})).toEqual([
			{command: 'SET a 1', reason: 'writes (SET)', line: 3},
			{command: 'CONFIG SET maxmemory 1mb', reason: 'writes (CONFIG)', line: 5},
			{command: 'FLUSHDB', reason: 'FLUSHDB', line: 6},
		]);
	});
});

describe('renderTable', () => {
	it('aligns columns, right-aligns numbers, escapes control characters and cuts long cells', () => {
		const table = renderTable(
			[{name: 'id', align: 'right'}, {name: 'note'}],
			[
				['7', 'line\nbreak'],
				['1234', 'x'.repeat(30)],
			],
			{maxCellWidth: 12},
		);
		expect(table.text).toBe([' id   | note', '------+--------------', '    7 | line\\nbreak', ' 1234 | xxxxxxxxxxx…', ''].join('\n'));
		expect(table.cutCells).toBe(1);
	});

	it('measures wide characters by terminal columns', () => {
		const table = renderTable([{name: 'k'}, {name: 'v'}], [['日本', 'a'], ['ab', 'b']]);
		expect(table.text.split('\n').slice(2, 4)).toEqual([' 日本 | a', ' ab   | b']);
	});
});
