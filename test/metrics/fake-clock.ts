import type {Clock} from '../../source/metrics/poller.js';

/** A manual clock: timers run only when the test advances time. */
export class FakeClock implements Clock {
	private t: number;
	private seq = 0;
	private timers = new Map<number, {at: number; fn: () => void}>();
	randomValue = 0.5;
	constructor(start = 1_000_000) {
		this.t = start;
	}
	now(): number {
		return this.t;
	}
	random(): number {
		return this.randomValue;
	}
	setTimeout(fn: () => void, ms: number): unknown {
		const id = ++this.seq;
		this.timers.set(id, {at: this.t + Math.max(0, ms), fn});
		return id;
	}
	clearTimeout(handle: unknown): void {
		this.timers.delete(handle as number);
	}
	get pending(): number[] {
		return [...this.timers.values()].map(t => t.at - this.t).sort((a, b) => a - b);
	}
	/** Moves time forward, firing due timers in order and letting promises settle between them. */
	async advance(ms: number): Promise<void> {
		const end = this.t + ms;
		for (;;) {
			await settle();
			let next: [number, {at: number; fn: () => void}] | undefined;
			for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
			if (!next) break;
			this.timers.delete(next[0]);
			this.t = next[1].at;
			next[1].fn();
		}
		this.t = end;
		await settle();
	}
}

export async function settle(): Promise<void> {
	for (let i = 0; i < 5; i++) await new Promise<void>(resolve => setImmediate(resolve));
}
