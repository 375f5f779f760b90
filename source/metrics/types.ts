import type {TileSpec} from '../checklist/model.js';

export type TileUnit = NonNullable<TileSpec['unit']>;

/** Why a read produced no number. `no-data` and `query` are answers, not outages. */
export type ReadErrorKind = 'unreachable' | 'timeout' | 'http' | 'query' | 'no-data' | 'parse';

export class ReadError extends Error {
	constructor(readonly kind: ReadErrorKind, message: string) {
		super(message);
		this.name = 'ReadError';
	}
	/** Outages keep the last value (dimmed, `stale 35s`); answers replace it. */
	get outage(): boolean {
		return this.kind === 'unreachable' || this.kind === 'timeout' || this.kind === 'http';
	}
}

export interface SeriesValue {
	labels: Record<string, string>;
	value: number;
}

export interface PromAlert {
	name: string;
	state: 'firing' | 'pending' | 'inactive';
	labels: Record<string, string>;
	annotations: Record<string, string>;
	activeAt?: string;
	value?: string;
	/** Identity used to compare against the baseline: sorted labels. */
	key: string;
}

export interface DownTarget {
	job: string;
	instance: string;
	lastError: string;
}

export interface Reading {
	value: number;
	/** Firing alerts (the alerts tile). */
	alerts?: PromAlert[];
	/** Down targets (the targets tile). */
	down?: DownTarget[];
	/** Top-N series when the tile combines that way (largest first). */
	series?: SeriesValue[];
	/** Source time of the value in ms (Prometheus evaluation time), when known. */
	at?: number;
}

export interface HistoryPoint {
	at: number;
	value: number;
}

/** Anything a tile can read a number from. */
export interface TileSource {
	/** Stable description for errors/debugging; never contains credentials. */
	readonly describe: string;
	read(signal: AbortSignal): Promise<Reading>;
	/** Recent history for the sparkline (query_range); optional. */
	history?(fromMs: number, toMs: number, stepMs: number, signal: AbortSignal): Promise<HistoryPoint[]>;
}

export interface ResolvedTile {
	/** Stable key: used for the baseline/latest maps in the session. */
	id: string;
	title: string;
	unit: TileUnit;
	warn?: number | string;
	crit?: number | string;
	intervalMs: number;
	/** 'sum' or a number N for top N. */
	combine: 'sum' | number;
	kind: 'prometheus' | 'scrape' | 'host' | 'alerts' | 'targets';
	/** Where the tile came from: frontmatter, user config, a promql block, the host default. */
	origin: 'frontmatter' | 'config' | 'block' | 'host' | 'builtin';
	/** The query / metric / host key, for display in details. */
	expr: string;
	/** Step id of the promql block it came from. */
	stepId?: string;
	source: TileSource;
}
