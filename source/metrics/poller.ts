// One poller per tile. A poll never overlaps the previous one, always ends by
// its timeout (even when a source ignores its AbortSignal), and never throws:
// failures become state (error/stale) and back off until the source is back.
import {ReadError, type HistoryPoint, type PromAlert, type DownTarget, type ReadErrorKind, type SeriesValue, type TileSource} from './types.js';

export interface Clock {
	now(): number;
	setTimeout(fn: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
	random(): number;
}

export const realClock: Clock = {
	now: () => Date.now(),
	setTimeout: (fn, ms) => {
		const t = setTimeout(fn, ms);
		// Pollers alone must never keep a finished CLI process alive.
		t.unref?.();
		return t;
	},
	clearTimeout: handle => clearTimeout(handle as ReturnType<typeof setTimeout>),
	random: () => Math.random(),
};

export interface TileError {
	kind: ReadErrorKind;
	message: string;
}

export interface TileSnapshot {
	id: string;
	/** Last value read; kept through outages (then `stale` is true), null for no data / query errors. */
	value: number | null;
	series?: SeriesValue[];
	alerts?: PromAlert[];
	down?: DownTarget[];
	/** Clock time of the last successful read (ms). */
	updatedAt: number | null;
	/** Clock time the last poll ended, successful or not. */
	checkedAt: number | null;
	error: TileError | null;
	/** The source is failing and `value` is the last good one. */
	stale: boolean;
	/** Sparkline values, oldest first. */
	history: number[];
	/** Consecutive failed polls. */
	failures: number;
}

export interface PollerOptions {
	clock?: Clock;
	onUpdate?: (snapshot: TileSnapshot) => void;
	/** Points kept for the sparkline. */
	historySize?: number;
	/** Per-poll timeout; default 80% of the interval, at most 15 s. */
	timeoutMs?: number;
	/** Seed the history from the source's range query on start (default true). */
	seedHistory?: boolean;
	/** Upper bound of the backoff delay; default max(interval, 30 s). */
	maxBackoffMs?: number;
}

export interface PollerTile {
	id: string;
	intervalMs: number;
	source: TileSource;
}

export function defaultTimeout(intervalMs: number): number {
	return Math.max(200, Math.min(15_000, Math.floor(intervalMs * 0.8)));
}

export class TilePoller {
	private readonly clock: Clock;
	private readonly historySize: number;
	readonly timeoutMs: number;
	private readonly maxBackoffMs: number;
	private points: HistoryPoint[] = [];
	private state: TileSnapshot;
	private timer: unknown = null;
	private running = false;
	private inFlight: AbortController | null = null;
	private cancelWait: ((reason: ReadError) => void) | null = null;
	private seeding: AbortController | null = null;

	constructor(readonly tile: PollerTile, private readonly options: PollerOptions = {}) {
		this.clock = options.clock ?? realClock;
		this.historySize = options.historySize ?? 60;
		this.timeoutMs = options.timeoutMs ?? defaultTimeout(tile.intervalMs);
		this.maxBackoffMs = options.maxBackoffMs ?? Math.max(tile.intervalMs, 30_000);
		this.state = {id: tile.id, value: null, updatedAt: null, checkedAt: null, error: null, stale: false, history: [], failures: 0};
	}

	get snapshot(): TileSnapshot {
		return this.state;
	}

	get busy(): boolean {
		return this.inFlight !== null;
	}

	start(): void {
		if (this.running) return;
		this.running = true;
		if (this.options.seedHistory !== false && this.tile.source.history) void this.seed();
		this.schedule(0);
	}

	stop(): void {
		this.running = false;
		if (this.timer !== null) this.clock.clearTimeout(this.timer);
		this.timer = null;
		const stopped = new ReadError('timeout', 'stopped');
		this.inFlight?.abort(stopped);
		this.cancelWait?.(stopped);
		this.cancelWait = null;
		this.seeding?.abort(new ReadError('timeout', 'stopped'));
	}

	/** Polls now unless a poll is already running (then that one counts). */
	pollNow(): Promise<void> {
		if (this.timer !== null) this.clock.clearTimeout(this.timer);
		this.timer = null;
		return this.poll();
	}

	private schedule(delayMs: number): void {
		if (!this.running) return;
		if (this.timer !== null) this.clock.clearTimeout(this.timer);
		this.timer = this.clock.setTimeout(() => {
			this.timer = null;
			void this.poll();
		}, delayMs);
	}

	/** Next tick on the interval's grid, so tiles with equal intervals poll (and redraw) together. */
	private nextDelay(): number {
		const {intervalMs} = this.tile;
		if (this.state.failures > 0) {
			const base = Math.min(this.maxBackoffMs, intervalMs * 2 ** (this.state.failures - 1));
			return Math.round(base * (0.8 + 0.4 * this.clock.random()));
		}
		const now = this.clock.now();
		const next = (Math.floor(now / intervalMs) + 1) * intervalMs - now;
		return next < intervalMs / 4 ? next + intervalMs : next;
	}

	private async readWithTimeout(controller: AbortController): Promise<Awaited<ReturnType<TileSource['read']>>> {
		let timer: unknown = null;
		const timedOut = new Promise<never>((_resolve, reject) => {
			timer = this.clock.setTimeout(() => {
				const error = new ReadError('timeout', `timed out after ${formatMs(this.timeoutMs)}`);
				controller.abort(error);
				reject(error);
			}, this.timeoutMs);
			// stop() ends the wait directly: cheaper than an abort listener on every poll.
			this.cancelWait = reject;
		});
		timedOut.catch(() => undefined);
		let reading: Promise<Awaited<ReturnType<TileSource['read']>>>;
		try {
			reading = Promise.resolve(this.tile.source.read(controller.signal));
		} catch (error) {
			reading = Promise.reject(error);
		}
		// A source that ignores the signal must not hold the tile: its late answer is dropped.
		reading.catch(() => undefined);
		try {
			return await Promise.race([reading, timedOut]);
		} finally {
			if (timer !== null) this.clock.clearTimeout(timer);
			this.cancelWait = null;
		}
	}

	private async poll(): Promise<void> {
		if (!this.running || this.inFlight) return;
		const controller = new AbortController();
		this.inFlight = controller;
		let next: TileSnapshot;
		try {
			const reading = await this.readWithTimeout(controller);
			const now = this.clock.now();
			this.push({at: now, value: reading.value});
			next = {
				...this.state,
				value: reading.value,
				series: reading.series,
				alerts: reading.alerts,
				down: reading.down,
				updatedAt: now,
				checkedAt: now,
				error: null,
				stale: false,
				history: this.values(),
				failures: 0,
			};
		} catch (raw) {
			const now = this.clock.now();
			const error = raw instanceof ReadError ? raw : new ReadError('unreachable', raw instanceof Error ? raw.message : String(raw));
			if (error.kind === 'no-data') {
				next = {...this.state, value: null, series: undefined, alerts: undefined, down: undefined, checkedAt: now, error: {kind: error.kind, message: error.message}, stale: false, failures: 0};
			} else if (error.outage || error.kind === 'parse') {
				// Keep the last value: the number was true when read; `stale` says it is old.
				next = {...this.state, checkedAt: now, error: {kind: error.kind, message: error.message}, stale: this.state.value !== null, failures: this.state.failures + 1};
			} else {
				next = {...this.state, value: null, series: undefined, checkedAt: now, error: {kind: error.kind, message: error.message}, stale: false, failures: this.state.failures + 1};
			}
		} finally {
			this.inFlight = null;
		}
		if (!this.running) return;
		this.state = next;
		try {
			this.options.onUpdate?.(next);
		} catch {
			// A broken listener must not stop the polling.
		}
		this.schedule(this.nextDelay());
	}

	private push(point: HistoryPoint): void {
		if (!Number.isFinite(point.value)) return;
		this.points.push(point);
		if (this.points.length > this.historySize) this.points.splice(0, this.points.length - this.historySize);
	}

	private values(): number[] {
		return this.points.map(p => p.value);
	}

	private async seed(): Promise<void> {
		const history = this.tile.source.history;
		if (!history) return;
		const controller = new AbortController();
		this.seeding = controller;
		const now = this.clock.now();
		const from = now - this.historySize * this.tile.intervalMs;
		let timer: unknown = this.clock.setTimeout(() => controller.abort(new ReadError('timeout', 'seed timed out')), Math.max(this.timeoutMs, 2000));
		try {
			const seeded = await Promise.race([
				history.call(this.tile.source, from, now, this.tile.intervalMs, controller.signal),
				new Promise<never>((_r, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {once: true})),
			]);
			if (!this.running) return;
			const firstLive = this.points[0]?.at ?? Number.POSITIVE_INFINITY;
			const older = seeded.filter(p => p.at <= now && p.at < firstLive && Number.isFinite(p.value));
			if (older.length === 0) return;
			this.points = [...older, ...this.points].slice(-this.historySize);
			this.state = {...this.state, history: this.values()};
			try {
				this.options.onUpdate?.(this.state);
			} catch {
				// see poll()
			}
		} catch {
			// History is a nicety; the live polls carry on without it.
		} finally {
			if (timer !== null) this.clock.clearTimeout(timer);
			timer = null;
			this.seeding = null;
		}
	}
}

function formatMs(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000}s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`;
}
