import {describe, expect, it} from 'vitest';
import {TilePoller, type TileSnapshot} from '../../source/metrics/poller.js';
import {ReadError, type Reading, type TileSource} from '../../source/metrics/types.js';
import {FakeClock, settle} from './fake-clock.js';

type Step = number | ReadError | Error | 'hang' | 'hang-ignoring-signal';

/** A source that answers from a script, one entry per read (the last one repeats). */
function scripted(steps: Step[], history?: TileSource['history']): TileSource & {calls: number; active: number; maxActive: number} {
	const src = {
		describe: 'scripted',
		calls: 0,
		active: 0,
		maxActive: 0,
		history,
		async read(signal: AbortSignal): Promise<Reading> {
			const step = steps[Math.min(src.calls, steps.length - 1)];
			src.calls++;
			src.active++;
			src.maxActive = Math.max(src.maxActive, src.active);
			try {
				if (step === 'hang') {
					await new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason), {once: true}));
				}
				if (step === 'hang-ignoring-signal') await new Promise(() => undefined);
				if (step instanceof Error) throw step;
				return {value: step as number};
			} finally {
				src.active--;
			}
		},
	};
	return src;
}

function setup(steps: Step[], options: {intervalMs?: number; history?: TileSource['history']} = {}) {
	const clock = new FakeClock(1_000_000);
	const source = scripted(steps, options.history);
	const updates: TileSnapshot[] = [];
	const poller = new TilePoller({id: 't', intervalMs: options.intervalMs ?? 1000, source}, {clock, onUpdate: s => updates.push(s)});
	return {clock, source, updates, poller};
}

describe('TilePoller', () => {
	it('polls at start and then on the interval, keeping value, time and history', async () => {
		const {clock, source, poller} = setup([1, 2, 3]);
		poller.start();
		await clock.advance(0);
		expect(source.calls).toBe(1);
		expect(poller.snapshot).toMatchObject({value: 1, updatedAt: 1_000_000, error: null, stale: false, history: [1]});
		await clock.advance(1000);
		expect(source.calls).toBe(2);
		await clock.advance(1000);
		expect(poller.snapshot.history).toEqual([1, 2, 3]);
		poller.stop();
	});

	it('never has two requests in flight for one tile', async () => {
		const {clock, source, poller} = setup(['hang'], {intervalMs: 1000});
		poller.start();
		await clock.advance(0);
		void poller.pollNow();
		void poller.pollNow();
		await settle();
		expect(source.calls).toBe(1);
		expect(source.maxActive).toBe(1);
		poller.stop();
	});

	it('ends a poll at its timeout even when the source ignores the signal, and polls again', async () => {
		const {clock, source, poller} = setup([5, 'hang-ignoring-signal', 'hang-ignoring-signal', 7], {intervalMs: 1000});
		poller.start();
		await clock.advance(0);
		expect(poller.snapshot.value).toBe(5);
		await clock.advance(1000 + poller.timeoutMs);
		expect(poller.busy).toBe(false);
		expect(poller.snapshot).toMatchObject({value: 5, stale: true, error: {kind: 'timeout', message: 'timed out after 800ms'}});
		await clock.advance(10_000);
		expect(source.calls).toBeGreaterThanOrEqual(4);
		expect(poller.snapshot).toMatchObject({value: 7, stale: false, error: null, failures: 0});
		poller.stop();
	});

	it('keeps the last value through an outage, marks it stale, backs off exponentially, then recovers', async () => {
		const down = new ReadError('unreachable', 'cannot reach x: ECONNREFUSED');
		const {clock, poller} = setup([3, down, down, down, down, 4], {intervalMs: 1000});
		poller.start();
		await clock.advance(0);
		await clock.advance(1000); // first failure
		expect(poller.snapshot).toMatchObject({value: 3, stale: true, failures: 1, error: {kind: 'unreachable'}});
		// random() = 0.5 → factor 1.0: delays 1s, 2s, 4s, 8s
		expect(clock.pending).toEqual([1000]);
		await clock.advance(1000);
		expect(clock.pending).toEqual([2000]);
		await clock.advance(2000);
		expect(clock.pending).toEqual([4000]);
		await clock.advance(4000);
		expect(poller.snapshot.failures).toBe(4);
		expect(clock.pending).toEqual([8000]);
		await clock.advance(8000);
		expect(poller.snapshot).toMatchObject({value: 4, stale: false, failures: 0, error: null});
		poller.stop();
	});

	it('jitters the backoff and caps it', async () => {
		const down = new ReadError('timeout', 'timed out');
		const clock = new FakeClock();
		const poller = new TilePoller({id: 't', intervalMs: 1000, source: scripted([down])}, {clock, maxBackoffMs: 3000});
		clock.randomValue = 0;
		poller.start();
		await clock.advance(0);
		expect(clock.pending).toEqual([800]);
		clock.randomValue = 1;
		for (let i = 0; i < 6; i++) await clock.advance(clock.pending[0]!);
		expect(clock.pending).toEqual([3600]);
		poller.stop();
	});

	it('shows a bad query as an error without a value, and an empty result as no data', async () => {
		const {clock, poller} = setup([2, new ReadError('query', 'parse error at char 5'), new ReadError('no-data', 'no data'), 6]);
		poller.start();
		await clock.advance(0);
		await clock.advance(1000);
		expect(poller.snapshot).toMatchObject({value: null, stale: false, error: {kind: 'query', message: 'parse error at char 5'}});
		await clock.advance(clock.pending[0]!);
		expect(poller.snapshot).toMatchObject({value: null, stale: false, failures: 0, error: {kind: 'no-data'}});
		expect(clock.pending).toEqual([1000]);
		await clock.advance(1000);
		expect(poller.snapshot).toMatchObject({value: 6, error: null});
		poller.stop();
	});

	it('turns thrown non-ReadErrors into an error state instead of throwing', async () => {
		const {clock, poller, updates} = setup([new TypeError('boom')]);
		poller.start();
		await clock.advance(0);
		expect(updates.at(-1)?.error).toEqual({kind: 'unreachable', message: 'boom'});
		poller.stop();
	});

	it('seeds the sparkline from the source history before live points', async () => {
		let asked: number[] = [];
		const {clock, poller} = setup([9], {
			history: async (from, to, step) => {
				asked = [from, to, step];
				return [{at: to - 2000, value: 1}, {at: to - 1000, value: 2}, {at: to + 5000, value: 99}];
			},
		});
		poller.start();
		await clock.advance(0);
		expect(asked).toEqual([1_000_000 - 60_000, 1_000_000, 1000]);
		expect(poller.snapshot.history).toEqual([1, 2, 9]);
		poller.stop();
	});

	it('stops cleanly: no timers left, no more reads, no updates', async () => {
		const {clock, source, poller, updates} = setup([1]);
		poller.start();
		await clock.advance(0);
		poller.stop();
		const calls = source.calls;
		const count = updates.length;
		await clock.advance(10_000);
		expect(clock.pending).toEqual([]);
		expect(source.calls).toBe(calls);
		expect(updates.length).toBe(count);
	});

	it('aligns polls of equal intervals to the same tick', async () => {
		const clock = new FakeClock(1_000_250);
		const a = new TilePoller({id: 'a', intervalMs: 1000, source: scripted([1])}, {clock});
		a.start();
		await clock.advance(0);
		expect(clock.pending).toEqual([750]);
		a.stop();
	});
});
