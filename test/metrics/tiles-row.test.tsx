// The tiles row inside the real cockpit, in fake terminals of explicit sizes.
import {readFileSync} from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/parse.js';
import type {TileSpec} from '../../source/checklist/model.js';
import {layoutTiles} from '../../source/ui/tiles/tile-layout.js';
import {waitFor} from '../helpers/prometheus.js';
import {MemorySession} from '../ui/memory-session.js';
import {renderCockpit, type Rendered} from '../ui/render-cockpit.js';
import {startFakePrometheus, type FakePrometheus} from './fake-prometheus.js';

const fixture = new URL('../fixtures/metrics/watch.md', import.meta.url);
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(columns: number, rows: number, extraTiles: TileSpec[] = [], values: Record<string, number> = {}): Promise<{ui: Rendered; prom: FakePrometheus}> {
	const prom = await startFakePrometheus({'shop:error_ratio': 0.01, 'shop:latency_p99': 0.2, ...values});
	cleanups.push(() => prom.close());
	const checklist = parseChecklist(readFileSync(fixture, 'utf8'), fixture.pathname);
	checklist.settings.prometheus = prom.url;
	checklist.settings.tiles = [...(checklist.settings.tiles ?? []), ...extraTiles];
	const ui = await renderCockpit(new MemorySession(checklist), {columns, rows});
	cleanups.push(() => ui.unmount());
	return {ui, prom};
}

const lines = (frame: string) => frame.split('\n');

/** Like ui.waitFor, with room for a loaded machine (real HTTP polls at 1 s intervals). */
function frameWith(ui: Rendered, predicate: (frame: string) => boolean, what = 'frame'): Promise<string> {
	return waitFor(what, () => {
		const f = ui.frame();
		return predicate(f) && f;
	}, 15_000, 20);
}

describe('TilesRow', () => {
	it('at 200×60 shows one tall tile per column: glyph, title, value, sparkline', async () => {
		const {ui} = await open(200, 60);
		const frame = await frameWith(ui, f => f.includes('1.00%') && f.includes('200ms') && f.includes('0 firing'), 'tile values');
		const l = lines(frame);
		const titleLine = l.find(x => x.includes('Error rate'))!;
		expect(titleLine).toMatch(/✓ Error rate\s+✓ Latency p99\s+✓ alerts\s+✓ targets/);
		const valueLine = l[l.indexOf(titleLine) + 1]!;
		expect(valueLine).toMatch(/1\.00%\s+200ms\s+0 firing\s+0 down/);
		expect(l[l.indexOf(titleLine) + 2]).toMatch(/▁/);
		expect(l.length).toBeLessThanOrEqual(59);
	});

	it('at 80×24 four tiles still stand tall, narrower', async () => {
		const {ui} = await open(80, 24);
		const frame = await frameWith(ui, f => f.includes('1.00%') && f.includes('200ms'), 'tile values');
		const l = lines(frame);
		expect(l.find(x => x.includes('Error rate'))).toMatch(/^✓ Error rate {8}✓ Latency p99 {7}✓ alerts {12}✓ targets/);
		expect(Math.max(...l.map(x => [...x].length))).toBeLessThanOrEqual(80);
	});

	it('at 80×24 more tiles pack into compact one-line cells within the width', async () => {
		const {ui} = await open(80, 24, [{title: 'Queue', query: 'q'}, {title: 'Oven temperature', query: 'oven'}], {q: 3, oven: 180});
		const frame = await frameWith(ui, f => f.includes('1.00%') && f.includes('200ms') && f.includes('180'), 'tile values');
		const l = lines(frame);
		expect(l.find(x => x.includes('Error rate'))).toMatch(/✓ Error rate 1\.00%.*✓ Latency p99 200ms/);
		expect(l.find(x => x.includes('Error rate'))).toMatch(/✓ Queue 3/);
		expect(l.find(x => x.includes('Oven temperature'))).toMatch(/^✓ Oven temperature 180 +✓ alerts 0 firing +✓ targets 0 down$/);
		expect(Math.max(...l.map(x => [...x].length))).toBeLessThanOrEqual(80);
		expect(l.length).toBeLessThanOrEqual(23);
	});

	it('marks crit with its glyph, not colour alone', async () => {
		const {ui, prom} = await open(200, 60);
		await frameWith(ui, f => f.includes('200ms'));
		prom.values.set('shop:latency_p99', 0.75);
		const frame = await frameWith(ui, f => /✖ Latency p99/.test(f), 'crit glyph');
		const l = lines(frame);
		expect(l[l.findIndex(x => x.includes('✖ Latency p99')) + 1]).toMatch(/1\.00% +750ms/);
	});

	it('a dead source keeps the last value and says `stale Ns`', async () => {
		const {ui, prom} = await open(200, 60);
		await frameWith(ui, f => f.includes('200ms'));
		await prom.stop();
		const frame = await frameWith(ui, f => /200ms stale \d+s/.test(f), 'stale label');
		expect(frame).toMatch(/1\.00% stale \d+s/);
	});

	it('keys keep working while Prometheus hangs; the tiles then time out and go stale', async () => {
		const {ui, prom} = await open(200, 60);
		await frameWith(ui, f => f.includes('200ms'));
		prom.hang = true;
		const before = ui.store.getState().selectedStepId;
		await ui.press('j');
		await frameWith(ui, () => ui.store.getState().selectedStepId !== before, 'the selection to move');
		expect(ui.frame()).toMatch(/›\S* Build the image/);
		await frameWith(ui, f => /200ms stale \d+s/.test(f), 'stale after the timeouts');
		expect(ui.store.getState().tileSnaps['latency-p99']?.error?.message).toMatch(/timed out/);
	});

	it('shows Prometheus’s error text for a bad query and `no data` for an empty one', async () => {
		const {ui} = await open(200, 60, [{title: 'Broken', query: 'sum(((x'}, {title: 'Empty', query: 'nothing_here'}]);
		const frame = await frameWith(ui, f => f.includes('parse error') && f.includes('no data'), 'error and no data');
		// The message wraps over the tile's spare lines.
		expect(frame).toMatch(/1:4: parse error: unclosed left/);
		expect(frame).toMatch(/parenthesis/);
	});

	it('with more tiles than fit, shows the alarming ones and `+N more`', async () => {
		const extra = Array.from({length: 10}, (_, i) => ({title: `Oven ${i}`, query: `oven_${i}`, crit: 5}));
		const {ui} = await open(80, 24, extra, {oven_7: 9});
		const frame = await frameWith(ui, f => /✖ Oven 7 9/.test(f) && /\+\d+ more/.test(f), 'crit first and more');
		const more = Number(/\+(\d+) more/.exec(frame)?.[1]);
		// 3 cells a line at 80 columns, 3 lines: 8 tiles and the `more` cell.
		expect(more).toBe(14 - 8);
	});
});

describe('layoutTiles', () => {
	const t = (n: number, crit: number[] = []) => Array.from({length: n}, (_, i) => ({id: `t${i}`, state: crit.includes(i) ? ('crit' as const) : ('ok' as const)}));
	it('goes tall when every tile gets enough width, compact otherwise', () => {
		expect(layoutTiles(t(4), 199, 3)).toMatchObject({mode: 'tall', cellWidth: 36});
		expect(layoutTiles(t(12), 199, 3).mode).toBe('compact');
		expect(layoutTiles(t(4), 79, 3)).toMatchObject({mode: 'tall', cellWidth: 19});
		expect(layoutTiles(t(6), 79, 3).mode).toBe('compact');
		expect(layoutTiles(t(2), 79, 1).mode).toBe('compact');
	});
	it('never places a cell beyond the width or the height', () => {
		for (const width of [20, 40, 79, 119, 199]) {
			for (const height of [1, 3, 5]) {
				for (const n of [1, 4, 12, 30]) {
					const l = layoutTiles(t(n), width, height);
					for (const c of l.cells) {
						expect(c.row).toBeLessThan(height);
						expect(c.col * (l.cellWidth + 1) + c.width).toBeLessThanOrEqual(width);
					}
					expect(l.cells.length + l.hidden.length).toBe(n);
				}
			}
		}
	});
	it('keeps crit tiles visible when some must be hidden', () => {
		const l = layoutTiles(t(30, [29, 17]), 79, 3);
		expect(l.cells.map(c => c.id)).toEqual(expect.arrayContaining(['t17', 't29']));
		expect(l.hidden).toHaveLength(30 - l.cells.length);
		expect(l.more).not.toBeNull();
	});
});
