// Per-run overhead of a sql step now that it runs in the detached runner
// (issue 10): a trivial `SELECT 1` step from runStep() to its result in the
// run's log (what the pane shows) and to the step's end, against the old
// in-process way (the executor in this process: a new pool's first
// connection, as a session's first sql step had, and a pooled connection, as
// its later ones had). BENCH_BASELINE_DIST=<a dist/ built before issue 10>
// also times the same runStep() loop through that build's session (the whole
// old in-process path). Needs PostgreSQL: BENCH_PG_URL, else a throw-away
// server is started from /usr/lib/postgresql/*/bin (skipped when missing).
import {spawn, spawnSync} from 'node:child_process';
import {chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {median} from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = rel => pathToFileURL(join(root, 'dist', rel)).href;
const round = (n, d = 0) => Number(n.toFixed(d));
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function freePort() {
	return new Promise(resolve => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** A throw-away PostgreSQL (as test/helpers/postgres.ts, without its extras); undefined when not installed. */
export async function startPg() {
	const base = '/usr/lib/postgresql';
	if (!existsSync(base)) return undefined;
	const version = readdirSync(base).filter(v => existsSync(join(base, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a))[0];
	if (!version) return undefined;
	const bin = join(base, version, 'bin');
	const dir = mkdtempSync(join(tmpdir(), 'dc-bench-pg-'));
	let ids = {};
	if (process.getuid?.() === 0) {
		const [, , uid, gid] = readFileSync('/etc/passwd', 'utf8').split('\n').find(l => l.startsWith('postgres:')).split(':');
		ids = {uid: Number(uid), gid: Number(gid)};
		chownSync(dir, ids.uid, ids.gid);
	}
	const data = join(dir, 'data');
	spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--no-locale'], {...ids, cwd: dir, env: {...process.env, LC_ALL: 'C'}});
	const port = await freePort();
	const child = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', dir, '-c', 'fsync=off'], {...ids, cwd: dir, stdio: 'ignore'});
	const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
	const {default: pg} = await import('pg');
	for (let i = 0; i < 300; i++) {
		const client = new pg.Client({connectionString: url});
		try {
			await client.connect();
			await client.end();
			return {url, stop: () => (child.kill('SIGKILL'), rmSync(dir, {recursive: true, force: true}))};
		} catch {
			await client.end().catch(() => {});
			await sleep(100);
		}
	}
	child.kill('SIGKILL');
	return undefined;
}

const checklist = `---
deploycockpit:
  db: BENCH_DB
---
# Bench

## Steps

- [ ] Trivial
  \`\`\`sql
  SELECT 1 AS one;
  \`\`\`
`;

export default async function ({runs}) {
	const server = process.env.BENCH_PG_URL ? {url: process.env.BENCH_PG_URL, stop: () => undefined} : await startPg();
	if (!server) {
		process.stderr.write('  sql-step: no PostgreSQL (set BENCH_PG_URL); skipped\n');
		return [];
	}
	const dir = mkdtempSync(join(tmpdir(), 'dc-bench-sql-'));
	const file = join(dir, 'bench.md');
	writeFileSync(file, checklist);
	const {openSession} = await import(dist('session/open.js'));
	const {createSqlExecutor} = await import(dist('engine/sql/executor.js'));
	const env = {PATH: process.env.PATH, BENCH_DB: server.url};
	const block = {lang: 'sql', executor: 'sql', line: 9, inline: false, code: 'SELECT 1 AS one;\n'};
	const ctx = () => ({cwd: dir, env, settings: {db: 'BENCH_DB'}, signal: new AbortController().signal, write: () => undefined, confirmed: false});
	const session = await openSession(file, {stateDir: join(dir, 'state'), runEnv: {BENCH_DB: server.url}, pollMs: 20});
	const oldDist = process.env.BENCH_BASELINE_DIST;
	const old = oldDist ? await (await import(pathToFileURL(join(oldDist, 'session', 'open.js')).href)).openSession(file, {stateDir: join(dir, 'state-old'), runEnv: {BENCH_DB: server.url}, pollMs: 20}) : undefined;
	const oldTimes = {first: [], end: []};
	const runner = {first: [], end: []};
	const fresh = [];
	const pooled = [];
	try {
		const pool = createSqlExecutor();
		await pool.run(block, ctx());
		const timeStep = async (s, into, keep) => {
			const began = performance.now();
			let first;
			const off = s.subscribe(event => {
				if (event.type === 'output' && first === undefined && event.chunk.includes('(1 row')) first = performance.now() - began;
			});
			await s.runStep('steps/trivial');
			const end = performance.now() - began;
			for (let w = 0; first === undefined && w < 100; w++) await sleep(10);
			off();
			if (!keep) return;
			into.first.push(first ?? end);
			into.end.push(end);
		};
		for (let i = 0; i <= runs; i++) {
			// The first round warms the disk cache (and the old session's pool).
			await timeStep(session, runner, i > 0);
			if (old) await timeStep(old, oldTimes, i > 0);
			const executor = createSqlExecutor();
			let t = performance.now();
			await executor.run(block, ctx());
			fresh.push(performance.now() - t);
			await executor.close();
			t = performance.now();
			await pool.run(block, ctx());
			pooled.push(performance.now() - t);
		}
		await pool.close();
	} finally {
		await session.close();
		await old?.close();
		rmSync(dir, {recursive: true, force: true});
		server.stop();
	}
	const f = median(fresh);
	const rows = [];
	if (old) {
		rows.push({
			name: 'sql step `SELECT 1`: runStep → result in the log',
			value: round(median(runner.first)),
			unit: 'ms',
			baseline: 'the same through the in-process build (BENCH_BASELINE_DIST)',
			baselineValue: round(median(oldTimes.first)),
			note: `step end ${round(median(runner.end))} ms against ${round(median(oldTimes.end))} ms`,
		});
	}
	return [
		...rows,
		{
			name: 'sql step `SELECT 1`: runStep → result in the log (detached runner)',
			value: round(median(runner.first)),
			unit: 'ms',
			baseline: 'in-process executor, new connection (the old first sql step)',
			baselineValue: round(f, 1),
			note: `step end ${round(median(runner.end))} ms; old in-process with a pooled connection (later steps): ${round(median(pooled), 1)} ms; runner cost ≈ ${round(median(runner.first) - f)} ms`,
		},
	];
}
