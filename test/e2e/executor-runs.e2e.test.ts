// Issue 10, in a real terminal (tmux) against a real PostgreSQL: a sql step
// confirmed in the cockpit keeps running when the cockpit is killed -9
// mid-statement; its INSERT commits and the reopened cockpit shows the step
// done with its result. Headless `run` on a terminal: Ctrl-C (a key in raw
// mode) cancels the statement on the server. Needs `npm run build`.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {pgAvailability, startPostgres, type PgServer} from '../helpers/postgres.js';
import {TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';
import {until} from '../session/helpers.js';

const gate = tmuxOrSkip();
const bin = fileURLToPath(new URL('../../bin/deploycockpit.cjs', import.meta.url));
const fence = '```';

const CHECKLIST = `---
deploycockpit:
  db: APP_DB
---
# Sql outlives the cockpit

## Db

- [ ] Slow insert
  ${fence}sql
  SELECT pg_sleep(5) AS e2e_slow_insert;
  INSERT INTO e2e_rows (note) VALUES ('committed');
  ${fence}
- [ ] Long read
  ${fence}sql
  SELECT pg_sleep(30) AS e2e_long_read;
  ${fence}
`;

describe.skipIf(gate.skip || !pgAvailability().available)('sql steps in a real terminal', {timeout: 90_000}, () => {
	let pg: PgServer;
	let term: TmuxTerminal | undefined;
	let dir: string;
	let file: string;
	let env: Record<string, string>;

	beforeAll(async () => {
		pg = await startPostgres();
		await pg.query('CREATE TABLE e2e_rows (id serial PRIMARY KEY, note text)');
		dir = mkdtempSync(join(tmpdir(), 'dc-e2e-sql-'));
		file = join(dir, 'sql.md');
		writeFileSync(file, CHECKLIST);
		env = {DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), DEPLOYCOCKPIT_CONFIG_DIR: join(dir, 'config'), APP_DB: pg.url};
	}, 60_000);
	afterEach(() => term?.kill());
	afterAll(async () => {
		await pg?.stop();
		if (dir) rmSync(dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
	});

	const active = async (text: string) => {
		const {rows} = await pg.query<{n: string}>(`SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()`, [`%${text}%`]);
		return Number(rows[0]!.n) > 0;
	};
	const stepStatus = (id: string, of = file) => (JSON.parse(execFileSync(process.execPath, [bin, 'status', of, '--json'], {env: {...process.env, ...env}, encoding: 'utf8'})) as {steps: Array<{id: string; status: string}>}).steps.find(s => s.id === id)?.status;
	const openCockpit = () => {
		term = new TmuxTerminal();
		term.start(['node', bin, file], {width: 140, height: 40, cwd: dir, env});
	};

	it('kill -9 of the cockpit during `SELECT pg_sleep(5); INSERT …`: the row commits, the reopened cockpit shows the step done', async () => {
		openCockpit();
		await term!.waitFor('Slow insert', 'first frame');
		await new Promise(r => setTimeout(r, 400));
		// The write asks first; y confirms it (the confirmation stays in the cockpit, before the launch).
		for (let attempt = 0; attempt < 4; attempt++) {
			term!.send('Enter');
			try {
				await term!.waitFor('Writes need a confirmation', 'the write confirmation', 4000);
				break;
			} catch {
				// an Enter batched with other keys is refused as a paste: press it again
			}
		}
		term!.send('y');
		await until(() => active('e2e_slow_insert'), 20_000);
		const cockpit = Number(execFileSync('pgrep', ['-P', String(term!.panePid()), '-f', 'deploycockpit.cjs']).toString().trim().split('\n')[0]);
		process.kill(cockpit, 'SIGKILL');
		await term!.waitFor('__COCKPIT_EXITED__', 'the cockpit is gone');
		term!.kill();
		expect(stepStatus('db/slow-insert')).toBe('running');
		expect((await pg.query('SELECT count(*)::int AS n FROM e2e_rows')).rows[0]!.n).toBe(0);

		openCockpit();
		await term!.waitFor('✓ Slow insert', 'the step done', 30_000);
		// The cursor went on to the next pending step; the first one's result is its output.
		term!.send('g');
		await term!.waitFor(s => s.includes('INSERT: 1 row affected') && /✓ done/.test(s), 'its result on screen', 30_000);
		expect(stepStatus('db/slow-insert')).toBe('done');
		expect((await pg.query('SELECT note FROM e2e_rows')).rows).toEqual([{note: 'committed'}]);
	});

	it('run --step on a terminal: Ctrl-C cancels the statement on the server and exits 130', async () => {
		// A checklist of its own: the cockpit of the test before may still be closing its session.
		const own = join(dir, 'sql-run.md');
		writeFileSync(own, CHECKLIST);
		term = new TmuxTerminal();
		term.start(['node', bin, 'run', own, '--step', 'db/long-read'], {width: 100, height: 20, cwd: dir, env});
		await until(() => active('e2e_long_read'), 20_000);
		term.send('C-c');
		const screen = await term.waitFor('__COCKPIT_EXITED__', 'run ended', 20_000);
		expect(screen).toMatch(/__COCKPIT_EXITED__ 130/);
		expect(await active('e2e_long_read')).toBe(false);
		expect(stepStatus('db/long-read', own)).toBe('cancelled');
	});
});
