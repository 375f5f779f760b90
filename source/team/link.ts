// The Redis connections of one member: `cmd` for commands, `reader` for the
// blocking XREAD (a blocked connection cannot serve anything else). Both
// fail fast instead of queueing: no offline queue, short connect and command
// timeouts, TCP keepalive. A PING each second tells up from down, also when
// Redis hangs (SIGSTOP, a dead link) and the socket stays open.
import {Redis, type RedisOptions} from 'ioredis';
import type {TeamConfig} from './config.js';

export const PING_MS = 1000;

export function redisOptions(config: TeamConfig): RedisOptions {
	const base: RedisOptions = {
		lazyConnect: true,
		connectTimeout: 2000,
		commandTimeout: 2500,
		keepAlive: 1000,
		enableOfflineQueue: false,
		maxRetriesPerRequest: 0,
		retryStrategy: () => 500,
		...(process.env.DEPLOYCOCKPIT_TEAM_USER ? {username: process.env.DEPLOYCOCKPIT_TEAM_USER} : {}),
		...(process.env.DEPLOYCOCKPIT_TEAM_PASSWORD ? {password: process.env.DEPLOYCOCKPIT_TEAM_PASSWORD} : {}),
	};
	if (config.sentinels) {
		const url = new URL(config.url);
		return {
			...base,
			sentinels: config.sentinels,
			name: config.master ?? 'mymaster',
			...(url.username ? {username: decodeURIComponent(url.username)} : {}),
			...(url.password ? {password: decodeURIComponent(url.password)} : {}),
			...(url.protocol === 'rediss:' ? {tls: {}} : {}),
		};
	}
	return base;
}

export function connect(config: TeamConfig, extra: RedisOptions = {}): Redis {
	const options = {...redisOptions(config), ...extra};
	const client = config.sentinels ? new Redis(options) : new Redis(config.url, options);
	// Errors are seen through failing commands and the PING; an unhandled 'error' would crash the process.
	client.on('error', () => undefined);
	return client;
}

/** Up/down of a connection, from PINGs and connection events. */
export class LinkHealth {
	downSince: number | null = null;
	private timer: NodeJS.Timeout | undefined;
	private stopped = false;

	constructor(
		private readonly client: Redis,
		private readonly changed: (downSince: number | null) => void,
	) {
		client.on('close', () => this.down());
		client.on('ready', () => this.up());
	}

	start(): void {
		const tick = async () => {
			if (this.stopped) return;
			try {
				await this.client.ping();
				this.up();
			} catch {
				this.down();
			}
			if (!this.stopped) this.timer = setTimeout(() => void tick(), PING_MS);
		};
		void tick();
	}

	get isUp(): boolean {
		return this.downSince === null;
	}

	down(): void {
		if (this.stopped || this.downSince !== null) return;
		this.downSince = Date.now();
		this.changed(this.downSince);
	}

	up(): void {
		if (this.stopped || this.downSince === null) return;
		this.downSince = null;
		this.changed(null);
	}

	stop(): void {
		this.stopped = true;
		if (this.timer) clearTimeout(this.timer);
	}
}
