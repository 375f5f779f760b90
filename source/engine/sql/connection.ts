// Where a sql block connects to, and the per-session pool cache.
import pg from 'pg';
import {createMasker} from '../../safety/mask.js';
import {commentDirective, connectTimeout, humanMs, isEnvName} from './options.js';

export interface SqlTarget {
	/** Cache key: the connection string or the PG* parameters. */
	key: string;
	config: pg.PoolConfig;
	/** Where it came from: `-- db: X`, frontmatter db: X, DATABASE_URL, PG* variables. */
	from: string;
	host: string;
	port: number;
	/** For messages: never contains a password. */
	label: string;
	connectTimeoutMs: number;
}

export type Resolved<T> = {ok: true; target: T} | {ok: false; error: string};

const PG_VARS = ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGPASSWORD', 'PGSSLMODE', 'PGAPPNAME', 'PGOPTIONS'];

function hostPortOf(connectionString: string): {host: string; port: number} {
	try {
		const url = new URL(connectionString);
		const host = decodeURIComponent(url.hostname) || url.searchParams.get('host') || 'localhost';
		return {host: host.replace(/^\[|\]$/g, ''), port: Number(url.port) || 5432};
	} catch {
		return {host: 'localhost', port: 5432};
	}
}

export function maskedUrl(connectionString: string): string {
	try {
		const url = new URL(connectionString);
		if (url.password) url.password = '****';
		return url.toString();
	} catch {
		return createMasker()(connectionString).replace(/password=\S+/gi, 'password=****');
	}
}

/**
 * `-- db: ENV_NAME` in the block, else the frontmatter's `db`, else
 * DATABASE_URL, else the PG* variables. All looked up in the step's env
 * (carried shell variables included), never printed unmasked.
 */
export function resolveSqlTarget(code: string, env: Record<string, string | undefined>, settings: Record<string, unknown>): Resolved<SqlTarget> {
	const connectTimeoutMs = connectTimeout(env, settings);
	const base: pg.PoolConfig = {
		connectionTimeoutMillis: connectTimeoutMs,
		// A peer that vanished (host down, link cut) is noticed by the kernel; a frozen server is caught by the deadline in run.ts.
		keepAlive: true,
		keepAliveInitialDelayMillis: 10_000,
		application_name: 'deploycockpit',
		// Timestamps print as ISO 8601 in UTC whatever the server's zone.
		options: '-c TimeZone=UTC -c DateStyle=ISO,YMD',
	};
	const fromBlock = commentDirective(code, '--', 'db');
	const fromSettings = typeof settings.db === 'string' && settings.db ? settings.db : undefined;
	const named = fromBlock ?? fromSettings;
	let connectionString: string | undefined;
	let from: string;
	if (named) {
		from = fromBlock ? `-- db: ${named}` : `frontmatter db: ${named}`;
		if (!isEnvName(named)) return {ok: false, error: `${from}: expected the name of an environment variable holding the connection string`};
		connectionString = env[named];
		if (!connectionString) return {ok: false, error: `${from}: environment variable ${named} is not set`};
	} else if (env.DATABASE_URL) {
		from = 'DATABASE_URL';
		connectionString = env.DATABASE_URL;
	} else if (PG_VARS.some(name => env[name])) {
		from = 'PG* variables';
		const port = Number(env.PGPORT) || 5432;
		const host = env.PGHOST || 'localhost';
		const config: pg.PoolConfig = {
			...base,
			host,
			port,
			user: env.PGUSER,
			database: env.PGDATABASE,
			password: env.PGPASSWORD,
			ssl: env.PGSSLMODE && env.PGSSLMODE !== 'disable' && env.PGSSLMODE !== 'allow' && env.PGSSLMODE !== 'prefer' ? {rejectUnauthorized: env.PGSSLMODE === 'verify-full' || env.PGSSLMODE === 'verify-ca'} : undefined,
		};
		if (env.PGOPTIONS) config.options = `${base.options} ${env.PGOPTIONS}`;
		const user = env.PGUSER ? `${env.PGUSER}@` : '';
		const label = `${user}${host}:${port}/${env.PGDATABASE ?? ''}`;
		return {ok: true, target: {key: JSON.stringify(['pg', host, port, env.PGUSER, env.PGDATABASE, env.PGPASSWORD, env.PGSSLMODE, env.PGOPTIONS]), config, from, host, port, label, connectTimeoutMs}};
	} else {
		return {ok: false, error: 'no database configured: add a `-- db: ENV_VAR` comment to the block, set `db:` in the frontmatter, or set DATABASE_URL (or PGHOST/PGDATABASE/...)'};
	}
	const {host, port} = hostPortOf(connectionString);
	return {
		ok: true,
		target: {key: connectionString, config: {...base, connectionString}, from, host, port, label: maskedUrl(connectionString), connectTimeoutMs},
	};
}

/** One line saying why the connection failed; host:port, never the password. */
export function connectError(target: SqlTarget, error: unknown): string {
	const err = error as {code?: string; message?: string};
	const where = `PostgreSQL at ${target.host}:${target.port} (${target.from})`;
	const message = String(err?.message ?? error);
	let why: string;
	if (err?.code === 'ECONNREFUSED') why = 'connection refused';
	else if (err?.code === 'ENOTFOUND' || err?.code === 'EAI_AGAIN') why = `host ${target.host} not found`;
	else if (err?.code === 'EHOSTUNREACH' || err?.code === 'ENETUNREACH') why = 'host unreachable';
	else if (/timeout|timed out/i.test(message)) why = `no answer within ${humanMs(target.connectTimeoutMs)} (connect timeout)`;
	else why = message.split('\n')[0] ?? message;
	return createMasker()(`cannot connect to ${where}: ${why}`);
}

/** Pools per connection target, owned by one executor (one session). */
export class PoolCache {
	private readonly pools = new Map<string, pg.Pool>();

	get(target: SqlTarget): pg.Pool {
		let pool = this.pools.get(target.key);
		if (!pool) {
			// allowExitOnIdle: a headless `run` exits even if nobody calls close().
			pool = new pg.Pool({...target.config, max: 10, idleTimeoutMillis: 60_000, allowExitOnIdle: true});
			// An idle connection dropped by the server must not crash the cockpit.
			pool.on('error', () => {});
			this.pools.set(target.key, pool);
		}
		return pool;
	}

	async close(): Promise<void> {
		const pools = [...this.pools.values()];
		this.pools.clear();
		await Promise.allSettled(pools.map(p => p.end()));
	}
}
