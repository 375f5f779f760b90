// Timeouts and connection-name lookups shared by the sql and redis executors.

/** '30s', '500ms', '2m', '1h', or a bare number of seconds. null when unreadable. */
export function parseDuration(value: unknown): number | null {
	if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000;
	if (typeof value !== 'string') return null;
	const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(value);
	if (!match) return null;
	const n = Number(match[1]);
	const unit = (match[2] ?? 's').toLowerCase();
	const factor = unit === 'ms' ? 1 : unit === 'm' || unit === 'min' ? 60_000 : unit === 'h' ? 3_600_000 : 1000;
	return Math.round(n * factor);
}

export interface TimeoutSource {
	/** From a `-- timeout: 5m` / `# timeout: 5s` comment in the block. */
	block?: string;
	env: Record<string, string | undefined>;
	settings: Record<string, unknown>;
}

/**
 * Block comment, then the environment (the operator's override), then the
 * checklist's frontmatter, then the default. 0 means no timeout.
 */
export function resolveTimeout(source: TimeoutSource, envName: string, settingName: string, fallbackMs: number): {ms: number; from: string} {
	const candidates: Array<[unknown, string]> = [
		[source.block, 'timeout comment'],
		[source.env[envName], envName],
		[source.settings[settingName], `frontmatter ${settingName}`],
	];
	for (const [value, from] of candidates) {
		if (value === undefined || value === null || value === '') continue;
		const ms = parseDuration(value);
		if (ms !== null) return {ms, from};
	}
	return {ms: fallbackMs, from: 'default'};
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export function connectTimeout(env: Record<string, string | undefined>, settings: Record<string, unknown>): number {
	return resolveTimeout({env, settings}, 'DEPLOYCOCKPIT_CONNECT_TIMEOUT', 'connectTimeout', DEFAULT_CONNECT_TIMEOUT_MS).ms || DEFAULT_CONNECT_TIMEOUT_MS;
}

/** "5 s", "1.5 s", "250 ms" */
export function humanMs(ms: number): string {
	if (ms < 1000) return `${ms} ms`;
	const s = ms / 1000;
	return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** First `<prefix> name: value` comment line of a block (`-- db: X`, `# redis: X`). */
export function commentDirective(code: string, prefix: '--' | '#', name: string): string | undefined {
	const escaped = prefix === '--' ? '--' : '#';
	const re = new RegExp(`^\\s*${escaped}\\s*${name}\\s*:\\s*(\\S+)\\s*$`, 'im');
	return re.exec(code)?.[1];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isEnvName(value: string): boolean {
	return ENV_NAME.test(value);
}

/** 'cancelled', or the reason the engine aborted with (its per-step timeout says 'timed out'). */
export function abortReason(ctx: {signal: AbortSignal}): string {
	const reason: unknown = ctx.signal.reason;
	return reason instanceof Error && reason.name !== 'AbortError' && reason.message ? reason.message : 'cancelled';
}
