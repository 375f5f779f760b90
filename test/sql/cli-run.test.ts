// Headless `deploycockpit run` with sql and redis steps against real servers:
// results printed as plain tables, writes refused without --yes.
// Needs `npm run build` first (spawns bin/deploycockpit.cjs → dist/).
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {PASSWORD, pgAvailability, startPostgres, type PgServer} from '../helpers/postgres.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';

const bin = fileURLToPath(new URL('../../bin/deploycockpit.cjs', import.meta.url));
const pgCheck = pgAvailability();
const redisCheck = redisAvailability();

const CHECKLIST = `---
deploycockpit:
  db: APP_DB
---
# Release

## Verify

- [ ] Count the tables
  \`\`\`sql
  SELECT relname, relkind FROM pg_class WHERE relname IN ('pg_class', 'pg_type') ORDER BY relname;
  \`\`\`
- [ ] Record the release
  \`\`\`sql
  CREATE TABLE IF NOT EXISTS cli_notes (id serial PRIMARY KEY, body text);
  INSERT INTO cli_notes (body) VALUES ('released');
  \`\`\`
- [ ] Inline check \`SELECT 40 + 2 AS answer;\`
- [ ] Flip the flag
  \`\`\`redis
  SET feature:router "on"
  GET feature:router
  \`\`\`
`;

const run = promisify(execFile);

describe.skipIf(!pgCheck.available || !redisCheck.available)('headless run of sql and redis steps', () => {
	let pgServer: PgServer;
	let redisServer: RedisServer;
	let dir: string;
	let env: NodeJS.ProcessEnv;

	beforeAll(async () => {
		[pgServer, redisServer] = await Promise.all([startPostgres(), startRedis()]);
		dir = mkdtempSync(join(tmpdir(), 'cli-sql-'));
		writeFileSync(join(dir, 'release.md'), CHECKLIST);
		env = {PATH: process.env.PATH, HOME: dir, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), APP_DB: pgServer.passwordUrl, REDIS_URL: redisServer.url, NO_COLOR: '1'};
	});
	afterAll(async () => {
		await Promise.all([pgServer?.stop(), redisServer?.stop()]);
		if (dir) rmSync(dir, {recursive: true, force: true});
	});

	const cli = async (...args: string[]) => {
		try {
			const {stdout, stderr} = await run(process.execPath, [bin, ...args], {env, timeout: 30_000});
			return {code: 0, stdout, stderr};
		} catch (error) {
			const e = error as {code: number; stdout: string; stderr: string};
			return {code: e.code, stdout: e.stdout, stderr: e.stderr};
		}
	};

	it('prints a read as a plain table and exits 0', async () => {
		const {code, stdout} = await cli('run', join(dir, 'release.md'), '--step', 'verify/count-the-tables');
		expect(code).toBe(0);
		expect(stdout).toContain(' relname  | relkind\n----------+---------\n pg_class | r\n pg_type  | r\n(2 rows, ');
		expect(stdout).toContain('postgres://cockpit_pw_user:****@127.0.0.1');
		expect(stdout).not.toContain(PASSWORD);
	});

	it('refuses a write without --yes, runs it with --yes', async () => {
		const refused = await cli('run', join(dir, 'release.md'), '--step', 'verify/record-the-release');
		expect(refused.code).not.toBe(0);
		expect(refused.stdout + refused.stderr).toContain('refused: this block writes to the database and was not confirmed; nothing was run.');
		expect((await pgServer.query("SELECT to_regclass('public.cli_notes') AS t")).rows[0]!.t).toBeNull();

		const confirmed = await cli('run', join(dir, 'release.md'), '--step', 'verify/record-the-release', '--yes');
		expect(confirmed.code).toBe(0);
		expect(confirmed.stdout).toContain('INSERT: 1 row affected');
		expect((await pgServer.query('SELECT body FROM cli_notes')).rows).toEqual([{body: 'released'}]);
	});

	it('runs an inline SELECT step', async () => {
		const {code, stdout} = await cli('run', join(dir, 'release.md'), '--step', 'verify/inline-check-select-40-2-as-answer');
		expect(code).toBe(0);
		expect(stdout).toContain(' answer\n--------\n     42\n(1 row, ');
	});

	it('runs a redis step with --yes and shows typed replies', async () => {
		const {code, stdout} = await cli('run', join(dir, 'release.md'), '--step', 'verify/flip-the-flag', '--yes');
		expect(code).toBe(0);
		expect(stdout).toContain('> SET feature:router "on"\nOK\n> GET feature:router\n"on"\n');
		expect(await redisServer.client.get('feature:router')).toBe('on');
	});
});
