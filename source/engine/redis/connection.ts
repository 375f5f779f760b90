// Where a redis block connects to, and per-session connection reuse. Each
// running block holds its own connection, so cancelling one (which drops the
// connection) never disturbs another step or the flag watcher.
import {Redis} from 'ioredis';
import {createMasker} from '../../safety/mask.js';
import type {Resolved} from '../sql/connection.js';
import {CancelledWhileWaiting} from '../sql/deadline.js';
import {commentDirective, connectTimeout, humanMs, isEnvName} from '../sql/options.js';

export interface RedisTarget {
	url: string;
	from: string;
	host: string;
	port: number;
	db: number;
	/** Never contains a password. */
	label: string;
	connectTimeoutMs: number;
}

export function maskedRedisUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = '****';
		return parsed.toString().replace(/\/$/, '');
	} catch {
		return createMasker()(url);
	}
}

/** A connection URL from an env var name; also used by the flag watcher. */
export function redisTargetFromUrl(url: string, from: string, connectTimeoutMs: number): RedisTarget {
	let host = '127.0.0.1';
	let port = 6379;
	let db = 0;
	try {
		const parsed = new URL(url);
		host = parsed.hostname.replace(/^\[|\]$/g, '') || host;
		port = Number(parsed.port) || port;
		db = Number(parsed.pathname.replace(/^\//, '')) || 0;
	} catch {
		// ioredis reports the malformed URL when connecting.
	}
	return {url, from, host, port, db, label: maskedRedisUrl(url), connectTimeoutMs};
}

/**
 * `# redis: ENV_NAME` in the block, else the frontmatter's `redis`, else
 * REDIS_URL. Nothing configured is an error, never a silent localhost.
 */
export function resolveRedisTarget(code: string, env: Record<string, string | undefined>, settings: Record<string, unknown>, settingName = 'redis'): Resolved<RedisTarget> {
	const fromBlock = commentDirective(code, '#', 'redis');
	const setting = settings[settingName];
	const fromSettings = typeof setting === 'string' && setting ? setting : undefined;
	const named = fromBlock ?? fromSettings;
	const timeout = connectTimeout(env, settings);
	if (named) {
		const from = fromBlock ? `# redis: ${named}` : `frontmatter ${settingName}: ${named}`;
		if (!isEnvName(named)) return {ok: false, error: `${from}: expected the name of an environment variable holding a redis:// URL`};
		const url = env[named];
		if (!url) return {ok: false, error: `${from}: environment variable ${named} is not set`};
		return {ok: true, target: redisTargetFromUrl(url, from, timeout)};
	}
	if (env.REDIS_URL) return {ok: true, target: redisTargetFromUrl(env.REDIS_URL, 'REDIS_URL', timeout)};
	return {ok: false, error: 'no redis configured: add a `# redis: ENV_VAR` comment to the block, set `redis:` in the frontmatter, or set REDIS_URL'};
}

export function redisConnectError(target: RedisTarget, error: unknown): string {
	const err = error as {code?: string; message?: string};
	const message = String(err?.message ?? error);
	let why: string;
	if (err?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) why = 'connection refused';
	else if (err?.code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(message)) why = `host ${target.host} not found`;
	else if (/timeout|timed out/i.test(message)) why = `no answer within ${humanMs(target.connectTimeoutMs)} (connect timeout)`;
	else why = message.split('\n')[0] ?? message;
	return createMasker()(`cannot connect to Redis at ${target.host}:${target.port} (${target.from}): ${why}`);
}

/**
 * Connects, failing within the connect timeout even when the server accepts
 * but never answers, and at once when `signal` aborts (a cancel must not wait
 * for the connect timeout).
 */
export async function connectRedis(target: RedisTarget, signal?: AbortSignal): Promise<Redis> {
	const redis = new Redis(target.url, {
		lazyConnect: true,
		connectTimeout: target.connectTimeoutMs,
		maxRetriesPerRequest: 0,
		retryStrategy: () => null,
		enableOfflineQueue: false,
		connectionName: 'deploycockpit',
		// TCP keepalive: a peer that vanished is noticed; a frozen one is caught by the command timeout.
		keepAlive: 10_000,
	});
	// Errors surface through the command that hit them; an unhandled 'error' event would crash the cockpit.
	let lastError: unknown;
	redis.on('error', error => {
		lastError = error;
	});
	let timer: NodeJS.Timeout | undefined;
	let onAbort: (() => void) | undefined;
	try {
		if (signal?.aborted) throw new CancelledWhileWaiting();
		await Promise.race([
			redis.connect(),
			new Promise((_, reject) => {
				timer = setTimeout(() => reject(new Error('connect timeout')), target.connectTimeoutMs);
				onAbort = () => reject(new CancelledWhileWaiting());
				signal?.addEventListener('abort', onAbort, {once: true});
			}),
		]);
		return redis;
	} catch (error) {
		dropRedis(redis);
		if (error instanceof CancelledWhileWaiting) throw error;
		// ioredis rejects with "Connection is closed."; the cause came as an 'error' event.
		throw lastError ?? error;
	} finally {
		clearTimeout(timer);
		if (onAbort) signal?.removeEventListener('abort', onAbort);
	}
}

function socketOf(redis: Redis): {ref(): void; unref(): void; destroy(): void} | undefined {
	return (redis as unknown as {stream?: {ref(): void; unref(): void; destroy(): void}}).stream;
}

/**
 * Drops a connection now. ioredis' disconnect() ends the socket and keeps a
 * 2 s timer until the peer closes too; with a refused or frozen peer that
 * never happens, and the timer held a headless `run` open for 2 s after its
 * error. Destroying the socket right after clears it.
 */
export function dropRedis(redis: Redis): void {
	if (redis.status === 'end') return;
	redis.disconnect();
	socketOf(redis)?.destroy();
}

/** Idle connections per URL, owned by one executor (one session). */
export class RedisConnections {
	private readonly idle = new Map<string, Redis[]>();
	private readonly busy = new Set<Redis>();

	async acquire(target: RedisTarget, signal?: AbortSignal): Promise<Redis> {
		const list = this.idle.get(target.url) ?? [];
		while (list.length > 0) {
			const redis = list.pop()!;
			if (redis.status === 'ready') {
				socketOf(redis)?.ref();
				this.busy.add(redis);
				return redis;
			}
			dropRedis(redis);
		}
		const redis = await connectRedis(target, signal);
		this.busy.add(redis);
		return redis;
	}

	release(target: RedisTarget, redis: Redis, reusable: boolean): void {
		this.busy.delete(redis);
		if (!reusable || redis.status !== 'ready') {
			dropRedis(redis);
			return;
		}
		// An idle connection must not keep a headless `run` alive when nobody calls close().
		socketOf(redis)?.unref();
		const list = this.idle.get(target.url) ?? [];
		list.push(redis);
		this.idle.set(target.url, list);
	}

	async close(): Promise<void> {
		const all = [...this.busy, ...[...this.idle.values()].flat()];
		this.idle.clear();
		this.busy.clear();
		await Promise.allSettled(
			all.map(async redis => {
				// Idle sockets are unref'd; QUIT's reply must keep the process alive until it comes.
				socketOf(redis)?.ref();
				const timer = setTimeout(() => dropRedis(redis), 1000);
				try {
					await redis.quit();
				} catch {
					dropRedis(redis);
				} finally {
					clearTimeout(timer);
				}
			}),
		);
	}
}
