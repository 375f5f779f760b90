// A rollback procedure with a sql step (real PostgreSQL, real procedure and
// runner processes): shell → INSERT → shell, the session gone while step 1
// runs. The sql step is an ordinary detached run of the procedure: all three
// end done in order, the row is in the table, and a reopen (and `status
// --json`) shows the rollback done. Without the cockpit's confirmation the
// write is refused and the procedure stops there.
// Needs `npm run build` first (the procedure and runner run from dist/).
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import pg from 'pg';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {ProcedureFile} from '../../source/engine/procedure-files.js';
import {openSession} from '../../source/session/open.js';
import type {RollbackRecord, SessionHandle} from '../../source/session/types.js';
import {pgAvailability, startPostgres, type PgServer} from '../helpers/postgres.js';
import {sandbox, until} from './helpers.js';

const bin = fileURLToPath(new URL('../../bin/deploycockpit.cjs', import.meta.url));
const fence = '```';
const CHECKLIST = `---
deploycockpit:
  db: APP_DB
---
# Shop

## Rollback

- [ ] Stop the writers
  ${fence}bash
  echo one >> order.log
  for i in $(seq 1 600); do [ -f go ] && break; sleep 0.05; done
  [ -f go ]
  ${fence}
- [ ] Restore the price
  ${fence}sql
  INSERT INTO prices (sku, cents) VALUES ('tea', 250);
  ${fence}
- [ ] Start the writers
  ${fence}bash
  echo three >> order.log
  ${fence}
`;

const IDS = ['rollback/stop-the-writers', 'rollback/restore-the-price', 'rollback/start-the-writers'];
const pgCheck = pgAvailability();

describe.skipIf(!pgCheck.available)('a rollback procedure runs a sql step detached', () => {
	let server: PgServer;
	let box: ReturnType<typeof sandbox> | undefined;
	const open: SessionHandle[] = [];

	beforeAll(async () => {
		server = await startPostgres();
	}, 60_000);
	afterAll(async () => {
		await server?.stop();
	});
	afterEach(async () => {
		for (const s of open.splice(0)) await s.close().catch(() => undefined);
		box?.cleanup();
		box = undefined;
	});

	async function query(sql: string): Promise<pg.QueryResult> {
		const client = new pg.Client({connectionString: server.url});
		await client.connect();
		try {
			return await client.query(sql);
		} finally {
			await client.end();
		}
	}

	async function session(): Promise<SessionHandle> {
		const s = await openSession(box!.file, {stateDir: box!.stateDir, runEnv: {APP_DB: server.url}});
		open.push(s);
		return s;
	}

	async function close(s: SessionHandle): Promise<void> {
		await s.close();
		open.splice(open.indexOf(s), 1);
	}

	const procedureFile = (s: SessionHandle, id: string): ProcedureFile | undefined => {
		const path = join(s.dir, 'runs', `${id}.procedure.json`);
		return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ProcedureFile) : undefined;
	};

	async function startThenLeave(rollbackId: string, confirmed: boolean): Promise<SessionHandle> {
		box = sandbox();
		writeFileSync(box.file, CHECKLIST);
		await query('DROP TABLE IF EXISTS prices; CREATE TABLE prices (sku text, cents int)');
		const first = await session();
		const record: RollbackRecord = {id: rollbackId, procedure: 'rollback', by: 'tester', startedAt: new Date().toISOString(), outcome: 'running', steps: []};
		await first.startProcedure!({rollbackId, stepIds: IDS, from: 0, record, ...(confirmed ? {confirmed} : {})});
		// The session goes while step 1 runs (it waits for `go`).
		await until(() => existsSync(join(box!.dir, 'order.log')), 20_000);
		expect(procedureFile(first, rollbackId)?.state).toBe('running');
		await close(first);
		writeFileSync(join(box.dir, 'go'), '');
		return first;
	}

	it('shell → INSERT → shell: all done in order, the row written, done after reopen', {timeout: 90_000}, async () => {
		const rollbackId = 'rb-sql-1';
		const first = await startThenLeave(rollbackId, true);
		const file = await until(() => {
			const f = procedureFile(first, rollbackId);
			return f && f.state !== 'running' ? f : undefined;
		}, 40_000);
		expect(file.state).toBe('done');
		expect(file.entries.map(e => [e.stepId, e.exitCode])).toEqual(IDS.map(id => [id, 0]));
		// One after another: each launched after the one before it ended.
		for (let i = 1; i < file.entries.length; i++) expect(Date.parse(file.entries[i]!.launchedAt)).toBeGreaterThanOrEqual(Date.parse(file.entries[i - 1]!.endedAt!));
		expect(readFileSync(join(box!.dir, 'order.log'), 'utf8')).toBe('one\nthree\n');
		expect((await query('SELECT sku, cents FROM prices')).rows).toEqual([{sku: 'tea', cents: 250}]);

		const again = await session();
		const state = again.getState();
		for (const id of IDS) expect(state.steps[id]).toMatchObject({status: 'done', exitCode: 0});
		expect(state.rollbacks.find(r => r.id === rollbackId)).toMatchObject({outcome: 'done'});
		await close(again);
		const status = JSON.parse(execFileSync(process.execPath, [bin, 'status', box!.file, '--json'], {env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: box!.stateDir}, encoding: 'utf8'})) as {
			steps: Array<{id: string; status: string}>;
			rollbacks: Array<{id: string; outcome?: string; steps: Array<{id: string; status: string} | null>}>;
		};
		for (const id of IDS) expect(status.steps.find(s => s.id === id)).toMatchObject({status: 'done'});
		expect(status.rollbacks.find(r => r.id === rollbackId)).toMatchObject({outcome: 'done'});
		expect(status.rollbacks.find(r => r.id === rollbackId)!.steps.map(s => s?.status)).toEqual(['done', 'done', 'done']);
	});

	it('without the cockpit confirmation the write is refused: the procedure stops at the sql step', {timeout: 90_000}, async () => {
		const rollbackId = 'rb-sql-2';
		const first = await startThenLeave(rollbackId, false);
		const file = await until(() => {
			const f = procedureFile(first, rollbackId);
			return f && f.state !== 'running' ? f : undefined;
		}, 40_000);
		expect(file.state).toBe('stopped');
		expect(file.stoppedAt).toMatchObject({index: 1, stepId: IDS[1], reason: 'failed'});
		expect(readFileSync(join(box!.dir, 'order.log'), 'utf8')).toBe('one\n');
		expect((await query('SELECT count(*)::int AS n FROM prices')).rows).toEqual([{n: 0}]);
	});
});
