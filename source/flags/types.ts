// Feature flags as the watcher reports them and the panel shows them.

export type FlagSourceKind = 'redis' | 'env';

export interface Flag {
	/** Stable id: `redis:<key>` or `env:<file>:<key>`. */
	id: string;
	source: FlagSourceKind;
	/** Id of the source it came from (see FlagSource.id). */
	sourceId: string;
	key: string;
	/** The raw value; null when the key or line disappeared. */
	value: string | null;
	/** true/false when the value reads as a boolean ('true', '1', 'on', 'yes', 'enabled', ...). */
	enabled: boolean | null;
	/** When the watcher first saw it (epoch ms). */
	firstSeenAt: number;
	/** When the watcher saw its value change; null = unchanged since first seen. */
	changedAt: number | null;
	/** The value before the last change. */
	previous?: string | null;
	/** 1-based line in the env file. */
	line?: number;
	/** Its source failed on the last poll: the value shown may be out of date. */
	stale: boolean;
}

export interface FlagSourceStatus {
	id: string;
	kind: FlagSourceKind;
	/** `feature:* on redis://127.0.0.1:6379 (REDIS_URL)`, `.env.infra (USE_NEW_*)`; no passwords. */
	label: string;
	ok: boolean;
	error?: string;
	lastPollAt?: number;
}

export interface FlagsSnapshot {
	flags: Flag[];
	sources: FlagSourceStatus[];
}

/** What a toggle will write, shown verbatim in the confirmation. */
export interface FlagTogglePlan {
	flagId: string;
	source: FlagSourceKind;
	key: string;
	from: string;
	to: string;
	/** `SET "feature:checkout" "false" KEEPTTL on redis://… (REDIS_URL)` or `/path/.env.infra line 4: USE_NEW_X=true → USE_NEW_X=false`. */
	description: string;
}

/** Who toggles, and where the audit line goes. */
export interface FlagActor {
	by: string;
	sessionDir?: string;
}
