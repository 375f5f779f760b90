// Watches feature flags: polls Redis (SCAN) and env files every couple of
// seconds, and reacts to env-file changes at once through fs.watch. Reports
// each flag's value and when the watcher saw it change; toggles write one key
// or one line, after the caller's confirmation, and go to the audit log.
import {watch, type FSWatcher} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {basename, dirname, relative} from 'node:path';
import type {Redis} from 'ioredis';
import {connectRedis, redisConnectError, resolveRedisTarget, type RedisTarget} from '../engine/redis/connection.js';
import {quoteRedisString} from '../engine/redis/reply.js';
import {appendAudit} from '../session/audit.js';
import {createMasker} from '../safety/mask.js';
import type {FlagsConfig} from './config.js';
import {parseEnvFlags, writeEnvFlag} from './env-file.js';
import {scanRedisFlags, writeRedisFlag, MAX_FLAG_KEYS} from './redis-flags.js';
import type {Flag, FlagActor, FlagsSnapshot, FlagSourceStatus, FlagTogglePlan} from './types.js';
import {flagEnabled, toggledValue} from './values.js';

export interface FlagWatcherOptions {
	config: FlagsConfig;
	/** For the redis URL (and secrets to mask). */
	env: Record<string, string | undefined>;
	/** Frontmatter settings (connect timeout). */
	settings?: Record<string, unknown>;
	/** Directory env-file paths are shown relative to. */
	baseDir?: string;
	now?: () => number;
	/** React to env-file writes through fs.watch (default true). */
	watchFiles?: boolean;
}

interface EntryValue {
	key: string;
	value: string;
	line?: number;
}

export class FlagWatcher {
	private readonly flags = new Map<string, Flag>();
	private readonly sources: FlagSourceStatus[] = [];
	private readonly seenSource = new Set<string>();
	private readonly listeners = new Set<(snapshot: FlagsSnapshot) => void>();
	private readonly fileWatchers: FSWatcher[] = [];
	private readonly now: () => number;
	private readonly mask;
	private redisTarget: RedisTarget | null = null;
	private redisTargetError: string | null = null;
	private redis: Redis | null = null;
	private timer: NodeJS.Timeout | null = null;
	private debounce: NodeJS.Timeout | null = null;
	private running: Promise<void> | null = null;
	private rerun = false;
	private stopped = false;

	constructor(private readonly options: FlagWatcherOptions) {
		this.now = options.now ?? Date.now;
		this.mask = createMasker(options.env);
		const {config} = options;
		if (config.redisPatterns.length > 0) {
			const settings = {...options.settings, redis: config.redisConnection};
			const resolved = resolveRedisTarget('', options.env, settings);
			if (resolved.ok) this.redisTarget = resolved.target;
			else this.redisTargetError = resolved.error;
			for (const pattern of config.redisPatterns) {
				this.sources.push({id: `redis:${pattern}`, kind: 'redis', label: this.redisTarget ? `${pattern} on ${this.redisTarget.label} (${this.redisTarget.from})` : pattern, ok: false});
			}
		}
		for (const {file, prefix} of config.envFiles) {
			const shown = options.baseDir ? relative(options.baseDir, file) || file : file;
			this.sources.push({id: `env:${file}`, kind: 'env', label: prefix ? `${shown} (${prefix}*)` : shown, ok: false});
		}
	}

	snapshot(): FlagsSnapshot {
		return {
			flags: [...this.flags.values()].map(f => ({...f})),
			sources: this.sources.map(s => ({...s})),
		};
	}

	subscribe(listener: (snapshot: FlagsSnapshot) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	start(): void {
		if (this.timer || this.stopped) return;
		void this.poll();
		this.timer = setInterval(() => void this.poll(), this.options.config.intervalMs);
		this.timer.unref?.();
		if (this.options.watchFiles !== false) {
			for (const {file} of this.options.config.envFiles) {
				try {
					// The directory, not the file: editors and our own writes replace the file by rename.
					const watcher = watch(dirname(file), (_event, name) => {
						if (name && String(name) !== basename(file)) return;
						if (this.debounce) clearTimeout(this.debounce);
						this.debounce = setTimeout(() => void this.poll(), 30);
					});
					watcher.on('error', () => {});
					watcher.unref?.();
					this.fileWatchers.push(watcher);
				} catch {
					// No directory yet: polling still notices the file when it appears.
				}
			}
		}
	}

	async stop(): Promise<void> {
		this.stopped = true;
		if (this.timer) clearInterval(this.timer);
		if (this.debounce) clearTimeout(this.debounce);
		this.timer = null;
		for (const watcher of this.fileWatchers.splice(0)) watcher.close();
		await this.running?.catch(() => {});
		this.redis?.disconnect();
		this.redis = null;
		this.listeners.clear();
	}

	/** One round over every source; concurrent calls share it (and one more round runs after, if asked meanwhile). */
	poll(): Promise<void> {
		if (this.running) {
			this.rerun = true;
			return this.running;
		}
		this.running = (async () => {
			do {
				this.rerun = false;
				await this.pollOnce();
			} while (this.rerun && !this.stopped);
		})().finally(() => {
			this.running = null;
		});
		return this.running;
	}

	private async pollOnce(): Promise<void> {
		let changed = false;
		for (const source of this.sources) {
			if (this.stopped) return;
			const before = `${source.ok}|${source.error ?? ''}`;
			try {
				delete source.error;
				const entries = source.kind === 'redis' ? await this.readRedis(source) : await this.readEnv(source);
				source.ok = true;
				if (this.applyEntries(source, entries)) changed = true;
			} catch (error) {
				source.ok = false;
				source.error = this.mask(String((error as Error).message ?? error));
				for (const flag of this.flags.values()) {
					if (flag.sourceId === source.id && !flag.stale) {
						flag.stale = true;
						changed = true;
					}
				}
			}
			source.lastPollAt = this.now();
			if (`${source.ok}|${source.error ?? ''}` !== before) changed = true;
		}
		if (changed && !this.stopped) this.emit();
	}

	private emit(): void {
		const snapshot = this.snapshot();
		for (const listener of this.listeners) listener(snapshot);
	}

	private async redisConnection(): Promise<Redis> {
		if (!this.redisTarget) throw new Error(this.redisTargetError ?? 'no redis configured for flags');
		if (this.redis && this.redis.status === 'ready') return this.redis;
		this.redis?.disconnect();
		this.redis = null;
		try {
			this.redis = await connectRedis(this.redisTarget);
		} catch (error) {
			throw new Error(redisConnectError(this.redisTarget, error));
		}
		return this.redis;
	}

	private async readRedis(source: FlagSourceStatus): Promise<EntryValue[]> {
		const pattern = source.id.slice('redis:'.length);
		const redis = await this.redisConnection();
		try {
			const {values, truncated} = await scanRedisFlags(redis, pattern);
			if (truncated) source.error = `more than ${MAX_FLAG_KEYS} keys match ${pattern}; showing the first ${MAX_FLAG_KEYS}`;
			return [...values].map(([key, value]) => ({key, value}));
		} catch (error) {
			// A connection in doubt is dropped; the next poll reconnects.
			redis.disconnect();
			this.redis = null;
			throw error;
		}
	}

	private async readEnv(source: FlagSourceStatus): Promise<EntryValue[]> {
		const file = source.id.slice('env:'.length);
		const prefix = this.options.config.envFiles.find(f => f.file === file)?.prefix;
		let text: string;
		try {
			text = await readFile(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file} not found`);
			throw error;
		}
		return parseEnvFlags(text, prefix);
	}

	private applyEntries(source: FlagSourceStatus, entries: EntryValue[]): boolean {
		const now = this.now();
		const firstRound = !this.seenSource.has(source.id);
		this.seenSource.add(source.id);
		let changed = false;
		const present = new Set<string>();
		for (const entry of entries) {
			const id = source.kind === 'redis' ? `redis:${entry.key}` : `${source.id}:${entry.key}`;
			present.add(id);
			const flag = this.flags.get(id);
			if (!flag) {
				this.flags.set(id, {
					id,
					source: source.kind,
					sourceId: source.id,
					key: entry.key,
					value: entry.value,
					enabled: flagEnabled(entry.value),
					firstSeenAt: now,
					// A key that appears after the first look was created while we watched.
					changedAt: firstRound ? null : now,
					...(firstRound ? {} : {previous: null}),
					...(entry.line !== undefined ? {line: entry.line} : {}),
					stale: false,
				});
				changed = true;
				continue;
			}
			if (flag.value !== entry.value) {
				flag.previous = flag.value;
				flag.value = entry.value;
				flag.enabled = flagEnabled(entry.value);
				flag.changedAt = now;
				changed = true;
			}
			if (entry.line !== undefined && flag.line !== entry.line) {
				flag.line = entry.line;
				changed = true;
			}
			if (flag.stale) {
				flag.stale = false;
				changed = true;
			}
		}
		for (const flag of this.flags.values()) {
			if (flag.sourceId !== source.id || present.has(flag.id)) continue;
			if (flag.value !== null) {
				flag.previous = flag.value;
				flag.value = null;
				flag.enabled = null;
				flag.changedAt = now;
				changed = true;
			}
			if (flag.stale) {
				flag.stale = false;
				changed = true;
			}
		}
		return changed;
	}

	/** Exactly what toggling the flag would write, or why it cannot be toggled. */
	planToggle(id: string): FlagTogglePlan | {error: string} {
		const flag = this.flags.get(id);
		if (!flag) return {error: 'no such flag'};
		if (flag.stale) return {error: `${flag.key}: its source is unavailable, the value shown may be out of date`};
		if (flag.value === null) return {error: `${flag.key} no longer exists`};
		const to = toggledValue(flag.value);
		if (to === null) return {error: `${flag.key} = ${flag.value} is not an on/off value; change it by hand`};
		if (flag.source === 'redis') {
			const target = this.redisTarget!;
			return {
				flagId: id,
				source: 'redis',
				key: flag.key,
				from: flag.value,
				to,
				description: `SET ${quoteRedisString(flag.key)} ${quoteRedisString(to)} KEEPTTL  (only if still ${quoteRedisString(flag.value)})  on ${target.label} (${target.from})`,
			};
		}
		const file = flag.sourceId.slice('env:'.length);
		return {
			flagId: id,
			source: 'env',
			key: flag.key,
			from: flag.value,
			to,
			description: `${file} line ${flag.line}: ${flag.key}=${flag.value} → ${flag.key}=${to}`,
		};
	}

	/** Writes a confirmed plan, records it in the audit log, and re-reads the flags. */
	async toggle(plan: FlagTogglePlan, actor: FlagActor): Promise<void> {
		const flag = this.flags.get(plan.flagId);
		let error: unknown;
		try {
			if (!flag) throw new Error('no such flag');
			if (plan.source === 'redis') {
				await writeRedisFlag(await this.redisConnection(), plan.key, plan.from, plan.to);
			} else {
				await writeEnvFlag(flag.sourceId.slice('env:'.length), plan.key, flag.line ?? 0, plan.from, plan.to);
			}
		} catch (caught) {
			error = caught;
		}
		if (actor.sessionDir) {
			await appendAudit(
				actor.sessionDir,
				{
					at: new Date(this.now()).toISOString(),
					type: 'flag',
					by: actor.by,
					command: plan.description,
					flag: plan.key,
					source: plan.source,
					from: plan.from,
					to: plan.to,
					...(error ? {error: String((error as Error).message ?? error)} : {}),
				},
				this.mask,
			);
		}
		await this.poll();
		if (error) throw error;
	}
}
