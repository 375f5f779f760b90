// Issue 10: sql, redis and promql blocks run in the detached runner, not in
// the cockpit. Against real servers and real processes: a kill -9 of `run`
// mid-statement leaves the statement running to its commit and the step ends
// with its real status; a restarted cockpit follows and cancels such a run;
// a cancel is a real one (the query leaves pg_stat_activity); the password
// never reaches the files. Needs `npm run build` (spawns bin/ → dist/).
import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {ExitFile, PidFile} from '../../source/engine/run-files.js';
import {openSession} from '../../source/session/open.js';
import type {SessionHandle} from '../../source/session/types.js';
import {PASSWORD, pgAvailability, startPostgres, type PgServer} from '../helpers/postgres.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {startFakePrometheus} from '../metrics/fake-prometheus.js';
import {filesUnder, until} from '../session/helpers.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.cjs');

const CHECKLIST = `---
deploycockpit:
  db: APP_DB
---
# Migration

## Db

- [ ] Slow insert
  \`\`\`sql
  SELECT pg_sleep(5) AS slow_then_insert;
  INSERT INTO migrated (note) VALUES ('after the sleep');
  \`\`\`
- [ ] Long read
  \`\`\`sql
  SELECT pg_sleep(30) AS long_read;
  \`\`\`
- [ ] Quick read
  \`\`\`sql
  SELECT 40 + 2 AS answer;
  \`\`\`

## Cache

- [ ] Wait then set
  \`\`\`redis
  BLPOP exec:never:filled 3
  SET exec:after:blpop done
  \`\`\`
`;

const SLOW = 'db/slow-insert';
const LONG = 'db/long-read';
const QUICK = 'db/quick-read';
const WAIT_SET = 'cache/wait-then-set';

const children: ChildProcess[] = [];
let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	for (const fn of cleanups.reverse()) await fn();
	cleanups = [];
	for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe.skipIf(!pgAvailability().available || !redisAvailability().available)('sql and redis runs outlive the cockpit', () => {
	let pg: PgServer;
	let redis: RedisServer;
	beforeAll(async () => {
		[pg, redis] = await Promise.all([startPostgres(), startRedis()]);
		await pg.query('CREATE TABLE migrated (id serial PRIMARY KEY, note text)');
		await pg.query(`GRANT ALL ON migrated TO cockpit_pw_user`);
		await pg.query(`GRANT ALL ON SEQUENCE migrated_id_seq TO cockpit_pw_user`);
	}, 60_000);
	afterAll(async () => {
		await Promise.all([pg?.stop(), redis?.stop()]);
	});

	function box() {
		const dir = mkdtempSync(join(tmpdir(), 'dc-exec-runs-'));
		const file = join(dir, 'migration.md');
		writeFileSync(file, CHECKLIST);
		const stateDir = join(dir, 'state');
		cleanups.push(() => rmSync(dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100}));
		// The password travels in the environment only (APP_DB holds it in its URL).
		const env = {PATH: process.env.PATH, HOME: dir, DEPLOYCOCKPIT_STATE_DIR: stateDir, APP_DB: pg.passwordUrl, REDIS_URL: redis.url, NO_COLOR: '1'};
		return {dir, file, stateDir, env};
	}

	const active = async (text: string) => {
		const {rows} = await pg.query<{n: string}>(`SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()`, [`%${text}%`]);
		return Number(rows[0]!.n) > 0;
	};
	const status = (file: string, env: NodeJS.ProcessEnv) => JSON.parse(execFileSync(process.execPath, [bin, 'status', file, '--json'], {env, encoding: 'utf8'})) as {session: string; steps: Array<{id: string; status: string; exitCode: number | null; error?: string}>};
	const stepOf = (file: string, env: NodeJS.ProcessEnv, id: string) => status(file, env).steps.find(s => s.id === id)!;
	const startRun = (file: string, env: NodeJS.ProcessEnv, step: string, ...extra: string[]) => {
		const child = spawn(process.execPath, [bin, 'run', file, '--step', step, ...extra], {env, stdio: ['ignore', 'pipe', 'pipe']});
		children.push(child);
		let out = '';
		child.stdout!.on('data', chunk => (out += chunk));
		child.stderr!.on('data', chunk => (out += chunk));
		const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
		return {child, exited, output: () => out};
	};
	const open = async (file: string, stateDir: string, env: Record<string, string | undefined>): Promise<SessionHandle> => {
		const session = await openSession(file, {stateDir, cancelGraceMs: 300, runEnv: {APP_DB: env.APP_DB!, REDIS_URL: env.REDIS_URL!}});
		cleanups.push(() => session.close());
		return session;
	};

	it('kill -9 of `run` during `SELECT pg_sleep(5); INSERT …`: the row is committed and the step ends done', async () => {
		const {file, env} = box();
		const run = startRun(file, env, SLOW, '--yes');
		await until(() => active('slow_then_insert'), 15_000);
		run.child.kill('SIGKILL');
		await run.exited;
		expect(stepOf(file, env, SLOW).status).toBe('running');
		expect((await pg.query('SELECT count(*)::int AS n FROM migrated')).rows[0]!.n).toBe(0);

		const ended = await until(() => {
			const step = stepOf(file, env, SLOW);
			return step.status !== 'running' ? step : undefined;
		}, 20_000, 250);
		expect(ended).toMatchObject({status: 'done', exitCode: 0});
		expect((await pg.query('SELECT note FROM migrated')).rows).toEqual([{note: 'after the sleep'}]);
		// The result is in the run's log as the cockpit prints it.
		const sessionDir = join(env.DEPLOYCOCKPIT_STATE_DIR, 'sessions', status(file, env).session);
		const log = readdirSync(join(sessionDir, 'runs')).find(n => n.endsWith('.log'))!;
		const text = readFileSync(join(sessionDir, 'runs', log), 'utf8');
		expect(text).toContain('INSERT: 1 row affected');
		expect(text).toMatch(/slow_then_insert\n-+\n.*\n\(1 row, /);
		await pg.query('DELETE FROM migrated');
	}, 45_000);

	it('a cockpit reopened while the statement runs follows it and shows its result', async () => {
		const {file, stateDir, env} = box();
		const run = startRun(file, env, SLOW, '--yes');
		await until(() => active('slow_then_insert'), 15_000);
		run.child.kill('SIGKILL');
		await run.exited;
		const session = await open(file, stateDir, env);
		expect(session.getState().steps[SLOW]!.status).toBe('running');
		const ended = new Promise<{status: string}>(resolve =>
			session.subscribe(event => {
				if (event.type === 'run-end' && event.stepId === SLOW) resolve(event);
			}),
		);
		expect((await ended).status).toBe('done');
		expect(session.getState().steps[SLOW]).toMatchObject({status: 'done', exitCode: 0});
		await until(() => session.outputTail(SLOW).includes('INSERT: 1 row affected'));
		expect((await pg.query('SELECT count(*)::int AS n FROM migrated')).rows[0]!.n).toBe(1);
		await pg.query('DELETE FROM migrated');
	}, 45_000);

	it('kill -9 of `run` during a redis step: its later commands still run and the step ends done', async () => {
		const {file, env} = box();
		await redis.client.del('exec:after:blpop');
		const run = startRun(file, env, WAIT_SET, '--yes');
		await until(async () => ((await redis.client.call('CLIENT', 'LIST')) as string).includes('cmd=blpop'), 15_000);
		run.child.kill('SIGKILL');
		await run.exited;
		expect(stepOf(file, env, WAIT_SET).status).toBe('running');
		const ended = await until(() => {
			const step = stepOf(file, env, WAIT_SET);
			return step.status !== 'running' ? step : undefined;
		}, 20_000, 250);
		expect(ended).toMatchObject({status: 'done', exitCode: 0});
		expect(await redis.client.get('exec:after:blpop')).toBe('done');
	}, 45_000);

	it('Ctrl-C typed the moment a sql run starts (its pid file not read yet) still cancels it', async () => {
		const {file, stateDir, env} = box();
		const session = await open(file, stateDir, env);
		const started = new Promise<void>(resolve => {
			const off = session.subscribe(event => {
				if (event.type === 'run-start' && event.stepId === LONG) {
					off();
					resolve();
				}
			});
		});
		const running = session.runStep(LONG);
		await started;
		// `run` on a terminal forwards raw keys: the kind of run is known from the checklist, not from a file read later.
		expect(await session.sendInput(LONG, '\x03')).toBe(true);
		const result = await running;
		expect(result.status).toBe('cancelled');
		await until(async () => !(await active('long_read')), 10_000);
	}, 45_000);

	it('cancel from the cockpit reaches the runner: pg_sleep(30) leaves pg_stat_activity and the step is cancelled', async () => {
		const {file, stateDir, env} = box();
		const session = await open(file, stateDir, env);
		const running = session.runStep(LONG);
		await until(() => active('long_read'), 15_000);
		// x pressed twice: still one real cancel on the server.
		await Promise.all([session.cancel(LONG), session.cancel(LONG)]);
		const result = await running;
		expect(result.status).toBe('cancelled');
		await until(async () => !(await active('long_read')), 10_000);
		expect(session.outputTail(LONG)).toContain('cancelled after');
		const record = session.getState().steps[LONG]!;
		const exit = JSON.parse(readFileSync(join(session.dir, 'runs', `${record.runId}.exit.json`), 'utf8')) as ExitFile;
		expect(exit).toMatchObject({cancelled: true, exitCode: null});
	}, 45_000);

	it('the cockpit holds no connection: after a sql step ends, no deploycockpit session is left in pg_stat_activity', async () => {
		const {file, stateDir, env} = box();
		const session = await open(file, stateDir, env);
		expect(await session.runStep(QUICK)).toEqual({status: 'done', exitCode: 0});
		expect(session.outputTail(QUICK)).toContain(' answer\n--------\n     42\n(1 row, ');
		// The session is still open; an in-process pool would keep its idle connection for a minute.
		const connections = async () => Number((await pg.query<{n: string}>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'deploycockpit'")).rows[0]!.n);
		await until(async () => (await connections()) === 0);
	}, 30_000);

	it('a cockpit reopened after a kill -9 cancels the still running statement for real', async () => {
		const {file, stateDir, env} = box();
		const run = startRun(file, env, LONG);
		await until(() => active('long_read'), 15_000);
		run.child.kill('SIGKILL');
		await run.exited;
		const session = await open(file, stateDir, env);
		const runId = session.getState().steps[LONG]!.runId!;
		const pid = JSON.parse(readFileSync(join(session.dir, 'runs', `${runId}.pid.json`), 'utf8')) as PidFile;
		expect(pid.executor).toBe('sql');
		const ended = new Promise<{status: string}>(resolve =>
			session.subscribe(event => {
				if (event.type === 'run-end' && event.stepId === LONG) resolve(event);
			}),
		);
		await session.cancel(LONG);
		expect((await ended).status).toBe('cancelled');
		await until(async () => !(await active('long_read')), 10_000);
		expect(stepOf(file, env, LONG).status).toBe('cancelled');
	}, 45_000);

	it('Ctrl-C of `run` cancels the statement on the server and exits 130', async () => {
		const {file, env} = box();
		const run = startRun(file, env, LONG);
		await until(() => active('long_read'), 15_000);
		run.child.kill('SIGINT');
		expect(await run.exited).toBe(130);
		await until(async () => !(await active('long_read')), 10_000);
		expect(stepOf(file, env, LONG).status).toBe('cancelled');
	}, 45_000);

	it('the password in the connection URL reaches no log, state, audit entry, report or runner argv', async () => {
		const {file, stateDir, env} = box();
		const run = startRun(file, env, LONG);
		await until(() => active('long_read'), 15_000);
		const session = await open(file, stateDir, {...env});
		// Not the writer (run holds the session): read its pid file, check the runner's command line.
		const runId = await until(() => session.getState().steps[LONG]?.runId);
		const pid = await until(() => {
			try {
				return JSON.parse(readFileSync(join(session.dir, 'runs', `${runId}.pid.json`), 'utf8')) as PidFile;
			} catch {
				return undefined;
			}
		});
		expect(readFileSync(`/proc/${pid.runner.pid}/cmdline`, 'utf8')).not.toContain(PASSWORD);
		run.child.kill('SIGINT');
		expect(await run.exited).toBe(130);
		expect(startRun(file, env, QUICK)).toBeTruthy();
		await until(() => stepOf(file, env, QUICK).status === 'done', 15_000, 250);
		const report = execFileSync(process.execPath, [bin, 'report', file], {env, encoding: 'utf8'});
		expect(report).toContain('Quick read');
		expect(report).not.toContain(PASSWORD);
		const files = filesUnder(stateDir);
		expect(files.some(f => f.endsWith('.log'))).toBe(true);
		for (const path of files) expect(readFileSync(path, 'utf8'), path).not.toContain(PASSWORD);
		// The masked label is what the log shows.
		const logs = files.filter(f => f.endsWith('.log')).map(f => readFileSync(f, 'utf8')).join('\n');
		expect(logs).toContain('postgres://cockpit_pw_user:****@127.0.0.1');
	}, 45_000);
});

describe('promql steps in the runner', () => {
	const PROMQL = `# Gates\n\n## Checks\n\n- [ ] Error ratio\n  \`\`\`promql\n  gate_ratio < 0.02\n  \`\`\`\n`;

	it('a gate passes through the runner; a query to a hanging Prometheus is cancelled', async () => {
		// The stand-in answers by query text: the gate's query has a series, so it passes.
		const prom = await startFakePrometheus({'gate_ratio < 0.02': 0.01});
		const dir = mkdtempSync(join(tmpdir(), 'dc-exec-promql-'));
		cleanups.push(() => rmSync(dir, {recursive: true, force: true}));
		cleanups.push(() => prom.close());
		const file = join(dir, 'gates.md');
		writeFileSync(file, PROMQL);
		const session = await openSession(file, {stateDir: join(dir, 'state'), runEnv: {PROMETHEUS_URL: prom.url}});
		cleanups.push(() => session.close());
		expect(await session.runStep('checks/error-ratio')).toEqual({status: 'done', exitCode: 0});
		expect(session.outputTail('checks/error-ratio')).toContain('gate passed: the condition holds for 1 series');

		prom.hang = true;
		const before = prom.requests;
		const running = session.runStep('checks/error-ratio');
		await until(() => prom.requests > before);
		await session.cancel('checks/error-ratio');
		expect(await running).toMatchObject({status: 'cancelled'});
	}, 30_000);
});
