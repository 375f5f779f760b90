import {describe, expect, it} from 'vitest';
import {captureBaseline, latestValues} from '../../source/metrics/baseline.js';
import {MetricsMonitor} from '../../source/metrics/monitor.js';
import type {TileSnapshot} from '../../source/metrics/poller.js';
import {ReadError, type ResolvedTile} from '../../source/metrics/types.js';
import {FakeClock} from './fake-clock.js';

function tile(id: string, read: () => Promise<number>, intervalMs = 1000): ResolvedTile {
	return {id, title: id, unit: 'plain', intervalMs, combine: 'sum', kind: 'prometheus', origin: 'frontmatter', expr: id, source: {describe: id, read: async () => ({value: await read()})}};
}

describe('MetricsMonitor', () => {
	it('hands the answers of one tick to the listener as one batch', async () => {
		const clock = new FakeClock(2_000_000);
		const batches: string[][] = [];
		const m = new MetricsMonitor({clock, flushMs: 50, onChange: c => batches.push(Object.keys(c).sort())});
		m.setTiles(Array.from({length: 12}, (_, i) => tile(`t${i}`, async () => i)));
		await clock.advance(60);
		expect(batches).toEqual([Array.from({length: 12}, (_, i) => `t${i}`).sort()]);
		await clock.advance(1000);
		expect(batches).toHaveLength(2);
		m.stop();
	});

	it('keeps pollers of unchanged tiles, stops removed ones', async () => {
		const clock = new FakeClock(2_000_000);
		let reads = 0;
		const m = new MetricsMonitor({clock, flushMs: 10, onChange: () => {}});
		const a = tile('a', async () => ++reads);
		m.setTiles([a, tile('b', async () => 1)]);
		await clock.advance(20);
		expect(reads).toBe(1);
		m.setTiles([a]);
		await clock.advance(5);
		expect(reads).toBe(1);
		expect(Object.keys(m.snapshots())).toEqual(['a']);
		m.stop();
		await clock.advance(5000);
		expect(reads).toBe(1);
	});
});

describe('baseline capture', () => {
	const base = {updatedAt: 1000, checkedAt: 1000, error: null, stale: false, history: [], failures: 0};
	const snaps: Record<string, TileSnapshot> = {
		fresh: {id: 'fresh', value: 0.5, ...base},
		stale: {id: 'stale', value: 9, ...base, stale: true, error: {kind: 'timeout', message: 't'}},
		never: {id: 'never', value: null, ...base, updatedAt: null, checkedAt: 1000, error: new ReadError('unreachable', 'x')},
		empty: {id: 'empty', value: null, ...base, updatedAt: null, error: {kind: 'no-data', message: 'no data'}},
		alerts: {id: 'alerts', value: 1, ...base, alerts: [{name: 'A', state: 'firing', labels: {alertname: 'A'}, annotations: {}, key: 'alertname=A'}]},
		nan: {id: 'nan', value: Number.NaN, ...base},
	};
	it('takes fresh values (NaN as null), skips stale and never-read tiles, records firing alerts', () => {
		const at = new Date('2026-01-01T00:00:00Z');
		const cap = captureBaseline(snaps, at);
		expect(cap.baseline).toEqual({
			fresh: {value: 0.5, at: at.toISOString()},
			empty: {value: null, at: at.toISOString()},
			alerts: {value: 1, at: at.toISOString()},
			nan: {value: null, at: at.toISOString()},
		});
		expect(cap.alerts).toEqual(['alertname=A']);
	});
	it('latest values carry the time they were read', () => {
		const latest = latestValues(snaps);
		expect(latest.fresh).toEqual({value: 0.5, at: new Date(1000).toISOString()});
		expect(latest.stale).toEqual({value: 9, at: new Date(1000).toISOString()});
		expect(latest.never).toBeUndefined();
	});
});
