// Issue 16, item 1: a server that stops answering after the query was sent
// (SIGSTOP on PostgreSQL's postmaster and backends, on redis-server) must not
// hang a step: a client-side deadline ends it with a clear message, and a
// cancel (`x`) ends it even when the cancel request itself gets no answer or
// the connect is what hangs.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {createRedisExecutor} from '../../source/engine/redis/executor.js';
import {createSqlExecutor} from '../../source/engine/sql/executor.js';
import {openSession} from '../../source/session/open.js';
import {freeze, type Frozen} from '../helpers/freeze.js';
import {pgAvailability, startPostgres, type PgServer} from '../helpers/postgres.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {until} from '../session/helpers.js';
import {makeContext, sqlBlock} from '../sql/context.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.cjs');
let frozen: Frozen | undefined;
afterEach(() => {
	frozen?.thaw();
	frozen = undefined;
});

describe.skipIf(!pgAvailability().available)('a frozen PostgreSQL', () => {
	let server: PgServer;
	beforeAll(async () => {
		server = await startPostgres();
	});
	afterAll(async () => {
		frozen?.thaw();
		await server?.stop();
	});

	const sleeping = async (text: string) => {
		const {rows} = await server.query<{n: string}>(`SELECT count(*) AS n FROM pg_stat_activity WHERE query = $1`, [text]);
		return Number(rows[0]!.n) > 0;
	};

	it('fails the step after statement_timeout plus a margin when the server stops answering mid-query', async () => {
		const executor = createSqlExecutor();
		try {
			const statement = 'SELECT pg_sleep(3) AS frozen_mid_query';
			const t = makeContext({env: {DATABASE_URL: server.url, DEPLOYCOCKPIT_CONNECT_TIMEOUT: '1s'}});
			const running = executor.run(sqlBlock(`-- timeout: 1s\n${statement}`), t.ctx);
			await until(() => sleeping(statement));
			frozen = freeze(server.pid);
			const result = await running;
			expect(result.exitCode).toBe(1);
			expect(result.error).toMatch(/no answer from PostgreSQL .* within 2 s \(statement_timeout 1 s \+ 1 s\); connection closed/);
			expect(t.output()).toMatch(/no answer from PostgreSQL/);
		} finally {
			frozen?.thaw();
			await executor.close?.();
		}
	}, 20_000);

	it('ends a cancelled query on a frozen server without waiting for the cancel request', async () => {
		const executor = createSqlExecutor();
		try {
			const statement = 'SELECT pg_sleep(3) AS frozen_cancel';
			// No statement timeout and a long connect timeout: only the cancel can end it.
			const t = makeContext({env: {DATABASE_URL: server.url, DEPLOYCOCKPIT_CONNECT_TIMEOUT: '60s'}});
			const running = executor.run(sqlBlock(`-- timeout: 0\n${statement}`), t.ctx);
			await until(() => sleeping(statement));
			frozen = freeze(server.pid);
			t.abort();
			const result = await running;
			expect(result.exitCode).toBeNull();
			expect(result.error).toBe('cancelled');
			expect(t.output()).toMatch(/no answer to the cancel; closing the connection/);
		} finally {
			frozen?.thaw();
			await executor.close?.();
		}
	}, 20_000);

	it('headless run: the step fails with a clear message and run exits 1 instead of hanging', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-frozen-run-'));
		try {
			const file = join(dir, 'frozen.md');
			writeFileSync(file, '# Frozen\n\n## Db\n\n- [ ] read\n  ```sql\n  -- timeout: 1s\n  SELECT pg_sleep(3) AS frozen_headless\n  ```\n');
			const env = {...process.env, DATABASE_URL: server.url, DEPLOYCOCKPIT_CONNECT_TIMEOUT: '1s', DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state')};
			const child = spawn(process.execPath, [bin, 'run', file, '--step', 'db/read'], {env, stdio: ['ignore', 'pipe', 'pipe']});
			let stderr = '';
			child.stderr.on('data', d => (stderr += String(d)));
			const exited = new Promise<number | null>(resolve => child.on('close', resolve));
			await until(() => sleeping('SELECT pg_sleep(3) AS frozen_headless'));
			frozen = freeze(server.pid);
			expect(await exited).toBe(1);
			expect(stderr).toMatch(/step db\/read failed .*no answer from PostgreSQL at 127\.0\.0\.1:\d+ within 2 s/);
		} finally {
			frozen?.thaw();
			rmSync(dir, {recursive: true, force: true});
		}
	}, 20_000);

	it('through the runner: a cancel on a frozen server ends the step cancelled after the cancel grace', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-frozen-runner-'));
		try {
			const file = join(dir, 'frozen.md');
			writeFileSync(file, '# Frozen\n\n## Db\n\n- [ ] one\n  ```sql\n  -- timeout: 0\n  SELECT pg_sleep(3) AS frozen_runner_one\n  ```\n');
			const session = await openSession(file, {stateDir: join(dir, 'state'), runEnv: {DATABASE_URL: server.url, DEPLOYCOCKPIT_CONNECT_TIMEOUT: '60s'}});
			try {
				// The runner's executor gets no answer to its cancel request and closes the connection after its grace;
				// x pressed twice changes nothing (the runner is signalled once and waits for its own cancel).
				const one = session.runStep('db/one');
				await until(() => sleeping('SELECT pg_sleep(3) AS frozen_runner_one'));
				frozen = freeze(server.pid);
				await Promise.all([session.cancel('db/one'), session.cancel('db/one')]);
				expect(await one).toEqual({status: 'cancelled', exitCode: null});
				expect(session.outputTail('db/one'), session.outputTail('db/one')).toMatch(/no answer to the cancel; closing the connection/);
				const runId = session.getState().steps['db/one']!.runId!;
				expect(JSON.parse(readFileSync(join(session.dir, 'runs', `${runId}.exit.json`), 'utf8'))).toMatchObject({cancelled: true, exitCode: null});
			} finally {
				frozen?.thaw();
				await session.close();
			}
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	}, 30_000);

	it('cancels a connect that hangs at once, not after the connect timeout', async () => {
		const executor = createSqlExecutor();
		try {
			frozen = freeze(server.pid);
			const t = makeContext({env: {DATABASE_URL: server.url, DEPLOYCOCKPIT_CONNECT_TIMEOUT: '60s'}});
			const running = executor.run(sqlBlock('SELECT 1'), t.ctx);
			setTimeout(() => t.abort(), 300);
			const result = await running;
			expect(result.exitCode).toBeNull();
			expect(result.error).toBe('cancelled');
		} finally {
			frozen?.thaw();
			await executor.close?.();
		}
	}, 20_000);
});

describe.skipIf(!redisAvailability().available)('a frozen redis-server', () => {
	let server: RedisServer;
	beforeAll(async () => {
		server = await startRedis();
	});
	afterAll(async () => {
		frozen?.thaw();
		await server?.stop();
	});

	it('fails a command after its timeout when the server stops answering', async () => {
		const executor = createRedisExecutor();
		try {
			const warm = makeContext({env: {REDIS_URL: server.url}});
			expect((await executor.run(sqlBlock('PING', 1, 'redis'), warm.ctx)).exitCode).toBe(0);
			frozen = freeze(server.pid);
			const t = makeContext({env: {REDIS_URL: server.url}});
			const result = await executor.run(sqlBlock('# timeout: 1s\nGET frozen', 1, 'redis'), t.ctx);
			expect(result.exitCode).toBe(1);
			expect(result.error).toMatch(/timed out after 1 s/);
		} finally {
			frozen?.thaw();
			await executor.close?.();
		}
	}, 20_000);

	it('cancels a connect that hangs at once, not after the connect timeout', async () => {
		const executor = createRedisExecutor();
		try {
			frozen = freeze(server.pid);
			const t = makeContext({env: {REDIS_URL: server.url, DEPLOYCOCKPIT_CONNECT_TIMEOUT: '60s'}});
			const running = executor.run(sqlBlock('PING', 1, 'redis'), t.ctx);
			setTimeout(() => t.abort(), 300);
			const result = await running;
			expect(result.exitCode).toBeNull();
			expect(result.error).toBe('cancelled');
		} finally {
			frozen?.thaw();
			await executor.close?.();
		}
	}, 20_000);
});

describe('a refused redis connect', () => {
	it('leaves no timer behind, so a headless run exits right after its error', async () => {
		const {freePort} = await import('../helpers/ports.js');
		const port = await freePort();
		// A process of its own: nothing else's timers in the count.
		const module = join(import.meta.dirname, '..', '..', 'dist', 'engine', 'redis', 'connection.js');
		const script = `
			const {connectRedis, redisTargetFromUrl} = await import(${JSON.stringify(module)});
			try { await connectRedis(redisTargetFromUrl('redis://127.0.0.1:${port}', 'REDIS_URL', 5000)); } catch (error) { console.log(String(error.message)); }
			await new Promise(resolve => setImmediate(resolve));
			console.log('timers ' + process.getActiveResourcesInfo().filter(r => r === 'Timeout').length);
		`;
		const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'});
		expect(child.stdout).toMatch(/ECONNREFUSED/);
		// ioredis' disconnect() used to leave a 2 s timer waiting for a socket that was already closed.
		expect(child.stdout).toContain('timers 0');
	});
});
