// Reads the frontmatter's `flags:` setting:
//   flags: {redis: "feature:*", env: .env.infra, prefix: USE_NEW_}
// redis and env may also be lists; env paths are relative to the checklist's directory.
import {isAbsolute, resolve} from 'node:path';
import {parseDuration} from '../engine/sql/options.js';

export interface FlagsConfig {
	/** SCAN MATCH patterns. */
	redisPatterns: string[];
	/** Env var naming the redis URL (`flags.connection`, else frontmatter `redis`, else REDIS_URL). */
	redisConnection?: string;
	envFiles: Array<{file: string; prefix?: string}>;
	intervalMs: number;
}

export const DEFAULT_FLAG_INTERVAL_MS = 2000;

const list = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).filter((v): v is string => typeof v === 'string' && v.trim() !== '').map(v => v.trim());

/** null when the checklist configures no flags. */
export function flagsConfig(settings: Record<string, unknown>, checklistDir: string): FlagsConfig | null {
	const raw = settings.flags;
	if (!raw || typeof raw !== 'object') return null;
	const flags = raw as Record<string, unknown>;
	const redisPatterns = list(flags.redis);
	const prefix = typeof flags.prefix === 'string' && flags.prefix ? flags.prefix : undefined;
	const envFiles = list(flags.env).map(file => ({file: isAbsolute(file) ? file : resolve(checklistDir, file), prefix}));
	if (redisPatterns.length === 0 && envFiles.length === 0) return null;
	const connection = typeof flags.connection === 'string' && flags.connection ? flags.connection : typeof settings.redis === 'string' && settings.redis ? settings.redis : undefined;
	const intervalMs = parseDuration(flags.interval) || DEFAULT_FLAG_INTERVAL_MS;
	return {redisPatterns, redisConnection: connection, envFiles, intervalMs};
}
