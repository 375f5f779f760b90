// Starts a throw-away PostgreSQL on a free 127.0.0.1 port in a temp dir.
// PostgreSQL refuses to run as root, so as root initdb and postgres run as the
// `postgres` user (uid/gid from /etc/passwd) in a directory chowned to it.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import pg from 'pg';
import {freePort} from './ports.js';

export const PASSWORD_USER = 'cockpit_pw_user';
export const PASSWORD = 'Hunter2-not-for-screens';

export interface PgServer {
	host: '127.0.0.1';
	port: number;
	/** Superuser `postgres`, trust auth, database `postgres`. */
	url: string;
	/** A user that must authenticate with PASSWORD (for masking tests). */
	passwordUrl: string;
	dir: string;
	/** The postmaster's pid (its backends are its children). */
	pid: number;
	query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
	stop(): Promise<void>;
}

export function findPgBin(): string | null {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return null;
	const versions = readdirSync(root)
		.filter(v => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** How a test file decides: run, skip (outside CI) or fail (in CI). */
export function pgAvailability(): {available: boolean; reason: string} {
	const bin = findPgBin();
	if (bin) return {available: true, reason: ''};
	const reason = 'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)';
	if (process.env.CI) return {available: true, reason}; // run anyway so startPostgres() fails the tests in CI
	console.warn(`skipping PostgreSQL tests: ${reason}`);
	return {available: false, reason};
}


function postgresIds(): {uid: number; gid: number} | null {
	if (process.getuid?.() !== 0) return null;
	const line = readFileSync('/etc/passwd', 'utf8').split('\n').find(l => l.startsWith('postgres:'));
	if (!line) throw new Error('running as root but there is no `postgres` user to run PostgreSQL as');
	const [, , uid, gid] = line.split(':');
	return {uid: Number(uid), gid: Number(gid)};
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of live) child.kill('SIGKILL');
});

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
	const deadline = Date.now() + 30_000;
	let lastError: unknown;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${log()}`);
		const client = new pg.Client({connectionString: url, connectionTimeoutMillis: 1000});
		try {
			await client.connect();
			await client.end();
			return;
		} catch (error) {
			lastError = error;
			await client.end().catch(() => {});
			await new Promise(r => setTimeout(r, 100));
		}
	}
	throw new Error(`postgres did not accept connections within 30 s: ${String(lastError)}\n${log()}`);
}

export async function startPostgres(): Promise<PgServer> {
	const bin = findPgBin();
	if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin');
	const ids = postgresIds();
	const dir = mkdtempSync(join(tmpdir(), 'deploycockpit-pg-'));
	const data = join(dir, 'data');
	if (ids) chownSync(dir, ids.uid, ids.gid);
	const asPostgres = ids ? {uid: ids.uid, gid: ids.gid} : {};

	const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-locale'], {
		...asPostgres,
		cwd: dir,
		encoding: 'utf8',
		env: {...process.env, LC_ALL: 'C'},
	});
	if (init.status !== 0) {
		rmSync(dir, {recursive: true, force: true});
		throw new Error(`initdb failed: ${init.stderr || init.stdout || init.error}`);
	}
	// The password user must really authenticate; everyone else is trusted on loopback.
	writeFileSync(
		join(data, 'pg_hba.conf'),
		`host all ${PASSWORD_USER} 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\nlocal all all trust\n`,
	);
	appendFileSync(join(data, 'postgresql.conf'), `\nfsync = off\nfull_page_writes = off\nsynchronous_commit = off\n`);
	if (ids) chownSync(join(data, 'pg_hba.conf'), ids.uid, ids.gid);

	for (let attempt = 0; ; attempt++) {
		const port = await freePort();
		let log = '';
		const child = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', dir], {
			...asPostgres,
			cwd: dir,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		live.add(child);
		child.stdout?.on('data', d => (log += String(d)));
		child.stderr?.on('data', d => (log += String(d)));
		const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
		try {
			await waitReady(url, child, () => log);
		} catch (error) {
			child.kill('SIGKILL');
			live.delete(child);
			if (attempt < 2 && /already in use|could not bind/i.test(log)) continue;
			rmSync(dir, {recursive: true, force: true});
			throw error;
		}
		const admin = new pg.Pool({connectionString: url, max: 2});
		admin.on('error', () => {});
		await admin.query(`CREATE ROLE ${PASSWORD_USER} LOGIN PASSWORD '${PASSWORD}'`);
		await admin.query(`GRANT ALL ON SCHEMA public TO ${PASSWORD_USER}`);
		return {
			host: '127.0.0.1',
			port,
			pid: child.pid!,
			url,
			passwordUrl: `postgres://${PASSWORD_USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/postgres`,
			dir,
			query: (sql, values) => admin.query(sql, values),
			async stop() {
				await admin.end().catch(() => {});
				if (child.exitCode === null) {
					const exited = new Promise(resolve => child.once('exit', resolve));
					child.kill('SIGINT'); // fast shutdown
					const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
					await exited;
					clearTimeout(timer);
				}
				live.delete(child);
				rmSync(dir, {recursive: true, force: true});
			},
		};
	}
}

export {freePort};
