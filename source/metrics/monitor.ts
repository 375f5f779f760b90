// Runs the pollers of a set of tiles and hands their updates out in batches:
// tiles on the same interval poll on the same tick, and their answers (a few
// ms apart) reach the listener as one change, so the UI redraws once.
import {TilePoller, realClock, type Clock, type TileSnapshot} from './poller.js';
import type {ResolvedTile} from './types.js';

export interface MonitorOptions {
	clock?: Clock;
	/** How long updates are gathered before the listener hears of them. */
	flushMs?: number;
	historySize?: number;
	seedHistory?: boolean;
	onChange: (changed: Record<string, TileSnapshot>) => void;
}

export class MetricsMonitor {
	private readonly clock: Clock;
	private readonly pollers = new Map<string, {tile: ResolvedTile; poller: TilePoller}>();
	private pending: Record<string, TileSnapshot> = {};
	private flushTimer: unknown = null;
	private stopped = false;

	constructor(private readonly options: MonitorOptions) {
		this.clock = options.clock ?? realClock;
	}

	/** Starts pollers for new tiles, stops those gone; a tile whose id and expression are unchanged keeps running. */
	setTiles(tiles: readonly ResolvedTile[]): void {
		if (this.stopped) return;
		const wanted = new Map(tiles.map(t => [t.id, t]));
		for (const [id, entry] of this.pollers) {
			const next = wanted.get(id);
			if (!next || next.expr !== entry.tile.expr || next.intervalMs !== entry.tile.intervalMs) {
				entry.poller.stop();
				this.pollers.delete(id);
				delete this.pending[id];
			}
		}
		for (const tile of tiles) {
			if (this.pollers.has(tile.id)) {
				// Same source, maybe new title/thresholds: keep the poller, refresh the metadata.
				const entry = this.pollers.get(tile.id);
				if (entry) entry.tile = tile;
				continue;
			}
			const poller = new TilePoller(tile, {
				clock: this.clock,
				historySize: this.options.historySize,
				seedHistory: this.options.seedHistory,
				onUpdate: snap => this.queue(tile.id, snap),
			});
			this.pollers.set(tile.id, {tile, poller});
			poller.start();
		}
	}

	get tiles(): ResolvedTile[] {
		return [...this.pollers.values()].map(e => e.tile);
	}

	snapshot(id: string): TileSnapshot | undefined {
		return this.pollers.get(id)?.poller.snapshot;
	}

	snapshots(): Record<string, TileSnapshot> {
		const out: Record<string, TileSnapshot> = {};
		for (const [id, e] of this.pollers) out[id] = e.poller.snapshot;
		return out;
	}

	/** Polls every tile now (after a baseline key, say); in-flight polls are not doubled. */
	async pollAll(): Promise<void> {
		await Promise.all([...this.pollers.values()].map(e => e.poller.pollNow()));
	}

	stop(): void {
		this.stopped = true;
		for (const e of this.pollers.values()) e.poller.stop();
		this.pollers.clear();
		if (this.flushTimer !== null) this.clock.clearTimeout(this.flushTimer);
		this.flushTimer = null;
		this.pending = {};
	}

	private queue(id: string, snap: TileSnapshot): void {
		if (this.stopped) return;
		this.pending[id] = snap;
		if (this.flushTimer !== null) return;
		const flushMs = this.options.flushMs ?? 100;
		this.flushTimer = this.clock.setTimeout(() => this.flush(), flushMs);
	}

	flush(): void {
		if (this.flushTimer !== null) this.clock.clearTimeout(this.flushTimer);
		this.flushTimer = null;
		const changed = this.pending;
		this.pending = {};
		if (Object.keys(changed).length === 0 || this.stopped) return;
		try {
			this.options.onChange(changed);
		} catch {
			// The listener's problem; polling goes on.
		}
	}
}
