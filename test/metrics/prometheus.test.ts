// Integration: a real Prometheus started for this file, scraping an exporter
// served here, with a rule file for alerts.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {captureBaseline} from '../../source/metrics/baseline.js';
import {MetricsMonitor} from '../../source/metrics/monitor.js';
import {TilePoller} from '../../source/metrics/poller.js';
import {PrometheusClient, alertsSource, promqlSource, targetsDownSource} from '../../source/metrics/prometheus.js';
import {scrapeSource} from '../../source/metrics/scrape.js';
import {resolveTiles} from '../../source/metrics/sources.js';
import {tileView, type TileMeta} from '../../source/metrics/tile.js';
import type {ResolvedTile} from '../../source/metrics/types.js';
import {createPromqlExecutor} from '../../source/engine/promql-executor.js';
import {freePort, prometheusAvailability, startBlackHole, startExporter, startPrometheus, waitFor, type Exporter, type PromServer} from '../helpers/prometheus.js';

const availability = prometheusAvailability();

const RULES = `groups:
  - name: test
    interval: 1s
    rules:
      - alert: TestErrorsHigh
        expr: test_errors > 5
        for: 0s
      - alert: AlwaysOn
        expr: vector(1)
        for: 0s
`;

describe.skipIf(!availability.available)('tiles against a real Prometheus', () => {
	let exporter: Exporter;
	let prom: PromServer;
	let client: PrometheusClient;
	const stoppers: Array<() => void> = [];

	beforeAll(async () => {
		exporter = await startExporter({
			test_latency_seconds: 0.25,
			test_errors: 0,
			'test_requests_total{code="200"}': 100,
			'test_requests_total{code="500"}': 4,
		}, {test_requests_total: 'counter', test_latency_seconds: 'gauge'});
		const dead = await freePort(); // nothing listens there: a down target
		prom = await startPrometheus({targets: [`127.0.0.1:${exporter.port}`], deadTargets: [`127.0.0.1:${dead}`], rules: RULES});
		client = new PrometheusClient({url: prom.url, timeoutMs: 2000, env: {}});
		// Three scrapes in storage before anything is asserted.
		await waitFor('three scrapes stored', async () => {
			const r = await client.query('count_over_time(test_latency_seconds[1m])');
			return (r.series[0]?.value ?? 0) >= 3;
		}, 30_000, 200);
	});

	afterAll(async () => {
		for (const stop of stoppers) stop();
		await prom?.stop();
		await exporter?.close();
	});

	function meta(tile: ResolvedTile): TileMeta {
		return {id: tile.id, title: tile.title, unit: tile.unit, kind: tile.kind, intervalMs: tile.intervalMs, warn: tile.warn, crit: tile.crit};
	}

	function run(tiles: ResolvedTile[]): MetricsMonitor {
		const monitor = new MetricsMonitor({onChange: () => {}, flushMs: 10});
		monitor.setTiles(tiles);
		stoppers.push(() => monitor.stop());
		return monitor;
	}

	it('shows the value of a frontmatter tile, formatted by its unit, with thresholds', async () => {
		const {tiles, warnings} = resolveTiles({
			checklist: {settings: {prometheus: prom.url, tiles: [{title: 'Latency', query: 'test_latency_seconds', unit: 'seconds', warn: 0.2, crit: '2x baseline', interval: '1s'}]}},
			env: {},
		});
		expect(warnings).toEqual([]);
		const tile = tiles.find(t => t.title === 'Latency')!;
		expect(tiles.map(t => t.kind)).toEqual(['prometheus', 'alerts', 'targets']);
		const monitor = run([tile]);
		const snap = await waitFor('a latency value', () => monitor.snapshot(tile.id)?.updatedAt && monitor.snapshot(tile.id));
		expect(snap.value).toBe(0.25);
		const view = tileView(meta(tile), snap, {now: Date.now()});
		expect(view).toMatchObject({valueText: '250ms', state: 'warn', glyph: '▲', staleText: '', errorText: ''});
		monitor.stop();
	});

	it('seeds the sparkline history from query_range', async () => {
		// A 1-minute interval: only one live poll happens in this test, so more points can only come from query_range.
		const poller = new TilePoller({id: 'h', intervalMs: 60_000, source: promqlSource(client, 'test_latency_seconds', 'sum')});
		poller.start();
		stoppers.push(() => poller.stop());
		const snap = await waitFor('seeded history', () => poller.snapshot.history.length >= 2 && poller.snapshot);
		expect(snap.history.every(v => v === 0.25)).toBe(true);
		const range = await client.queryRange('test_latency_seconds', Date.now() - 10_000, Date.now(), 1000);
		expect(range[0]?.points.length).toBeGreaterThanOrEqual(3);
		poller.stop();
	});

	it('sums several series by default and keeps the top N when asked', async () => {
		const sum = await promqlSource(client, 'test_requests_total', 'sum').read(AbortSignal.timeout(2000));
		expect(sum.value).toBe(104);
		const top = await promqlSource(client, 'test_requests_total', 1).read(AbortSignal.timeout(2000));
		expect(top.value).toBe(100);
		expect(top.series?.map(s => s.labels.code)).toEqual(['200']);
	});

	it('counts down targets', async () => {
		const targets = await waitFor('the dead target reported down', async () => {
			const r = await targetsDownSource(client).read(AbortSignal.timeout(2000));
			return r.value === 1 && r;
		});
		expect(targets.down?.[0]?.job).toBe('gone');
		const t = await client.targets();
		expect(t.up).toBe(1);
	});

	it('flags firing alerts that were not firing at the baseline as NEW', async () => {
		const tile: ResolvedTile = {id: 'alerts', title: 'alerts', unit: 'plain', intervalMs: 1000, combine: 'sum', kind: 'alerts', origin: 'builtin', expr: '/api/v1/alerts', source: alertsSource(client)};
		const monitor = run([tile]);
		const first = await waitFor('AlwaysOn firing', () => monitor.snapshot('alerts')?.alerts?.some(a => a.name === 'AlwaysOn') && monitor.snapshot('alerts'));
		const base = captureBaseline({alerts: first}, new Date());
		const baselineAlerts = new Set(base.alerts);
		expect(tileView(meta(tile), first, {now: Date.now(), baselineAlerts})).toMatchObject({state: 'warn', newAlerts: []});

		exporter.set('test_errors', 9);
		const later = await waitFor('TestErrorsHigh firing', () => monitor.snapshot('alerts')?.alerts?.some(a => a.name === 'TestErrorsHigh') && monitor.snapshot('alerts'), 30_000);
		const view = tileView(meta(tile), later, {now: Date.now(), baselineAlerts});
		expect(view.newAlerts).toEqual(['TestErrorsHigh']);
		expect(view.state).toBe('crit');
		expect(view.lines).toContain('NEW TestErrorsHigh');
		expect(view.lines).toContain('AlwaysOn');
		exporter.set('test_errors', 0);
		monitor.stop();
	});

	it('shows Prometheus’s error text for a bad query, and no data for an empty result', async () => {
		const {tiles} = resolveTiles({
			checklist: {settings: {prometheus: prom.url, tiles: [
				{title: 'Broken', query: 'sum(rate(test_requests_total[5m]', interval: '1s'},
				{title: 'Nothing', query: 'test_metric_that_does_not_exist', interval: '1s'},
			]}},
			env: {},
		});
		const [broken, nothing] = tiles;
		const monitor = run([broken!, nothing!]);
		const bad = await waitFor('the parse error', () => monitor.snapshot(broken!.id)?.error && monitor.snapshot(broken!.id));
		expect(bad.error?.kind).toBe('query');
		expect(bad.error?.message).toMatch(/parse error/);
		expect(tileView(meta(broken!), bad, {now: Date.now()})).toMatchObject({valueText: 'error', errorText: bad.error?.message, state: 'unknown'});
		const empty = await waitFor('no data', () => monitor.snapshot(nothing!.id)?.error && monitor.snapshot(nothing!.id));
		expect(tileView(meta(nothing!), empty, {now: Date.now()}).valueText).toBe('no data');
		monitor.stop();
	});

	it('goes stale when Prometheus dies, keeps the last value, and recovers when it is back', async () => {
		const tile = resolveTiles({checklist: {settings: {prometheus: prom.url, tiles: [{title: 'L', query: 'test_latency_seconds', unit: 'seconds', interval: '1s'}]}}, env: {}}).tiles[0]!;
		const monitor = run([tile]);
		await waitFor('a first value', () => monitor.snapshot(tile.id)?.value === 0.25);
		await prom.kill();
		const stale = await waitFor('stale', () => monitor.snapshot(tile.id)?.stale && monitor.snapshot(tile.id));
		expect(stale.value).toBe(0.25);
		expect(stale.error?.kind).toMatch(/unreachable|timeout/);
		await new Promise(r => setTimeout(r, 1100));
		const view = tileView(meta(tile), monitor.snapshot(tile.id), {now: Date.now()});
		expect(view.staleText).toMatch(/^stale \d+s$/);
		expect(view.valueText).toBe('250ms');
		expect(view.dim).toBe(true);

		await prom.restart();
		const back = await waitFor('recovered', () => {
			const s = monitor.snapshot(tile.id);
			return s && !s.stale && s.error === null && s.failures === 0 && s;
		}, 45_000);
		expect(back.value).toBe(0.25);
		expect(tileView(meta(tile), back, {now: Date.now()}).staleText).toBe('');
		monitor.stop();
	}, 90_000);

	it('runs a promql step once: values per query, the error text for a bad one', async () => {
		const out: string[] = [];
		const result = await createPromqlExecutor().run(
			{lang: 'promql', executor: 'promql', line: 1, inline: false, code: '# Latency\ntest_latency_seconds\n\ntest_requests_total\nsum(rate(test_requests_total[5m]'},
			{cwd: process.cwd(), env: {}, settings: {prometheus: prom.url}, signal: AbortSignal.timeout(10_000), write: c => void out.push(c), confirmed: false},
		);
		const text = out.join('');
		expect(text).toMatch(/Latency: test_latency_seconds\n {2}\{__name__="test_latency_seconds", [^\n]*\} {2}0\.25 \(250ms\)\n/);
		expect(text).toMatch(/\{__name__="test_requests_total", code="200", [^\n]*\}\s+100\n/);
		expect(text).toContain('sum = 104');
		expect(text).toMatch(/sum\(rate\(test_requests_total\[5m\]\n {2}error: .*parse error/);
		expect(result.exitCode).toBe(1);
		expect((result.data as unknown[]).length).toBe(3);
	});

	it('scrapes a plain /metrics URL directly with a label matcher, rate for counters', async () => {
		const source = scrapeSource({url: exporter.url, metric: 'test_requests_total{code=~"5.."}', combine: 'sum'});
		expect((await source.read(AbortSignal.timeout(2000))).value).toBe(4);
		const rate = scrapeSource({url: exporter.url, metric: 'test_requests_total', combine: 'sum', rate: true});
		await expect(rate.read(AbortSignal.timeout(2000))).rejects.toMatchObject({kind: 'no-data'});
		exporter.set('test_requests_total{code="200"}', 120);
		await new Promise(r => setTimeout(r, 200));
		expect((await rate.read(AbortSignal.timeout(2000))).value).toBeGreaterThan(0);
	});
});

describe('a slow or dead endpoint', () => {
	it('times out without blocking the event loop', async () => {
		const hole = await startBlackHole();
		try {
			const client = new PrometheusClient({url: hole.url, env: {}});
			const poller = new TilePoller({id: 'slow', intervalMs: 1000, source: promqlSource(client, 'up', 'sum')});
			let ticks = 0;
			const ticker = setInterval(() => ticks++, 20);
			poller.start();
			try {
				const snap = await waitFor('a timeout', () => poller.snapshot.error && poller.snapshot, 10_000, 20);
				expect(snap.error?.kind).toBe('timeout');
				expect(snap.error?.message).toMatch(/timed out/);
				// The loop kept running while the request hung (the poll timeout is 800 ms).
				expect(ticks).toBeGreaterThan(5);
				// One instant query in flight (plus the one query_range that seeds the history).
				expect(hole.requests.filter(u => u.startsWith('/api/v1/query?')).length).toBe(1);
			} finally {
				clearInterval(ticker);
				poller.stop();
			}
		} finally {
			await hole.close();
		}
	});

	it('reports a refused connection as unreachable, without credentials in the message', async () => {
		const port = await freePort();
		const client = new PrometheusClient({url: `http://op:s3cr3t-pw@127.0.0.1:${port}`, env: {}});
		const error = await client.query('up').catch(e => e as Error);
		expect(error).toMatchObject({kind: 'unreachable'});
		expect(String((error as Error).message)).toBe('Prometheus unreachable (ECONNREFUSED)');
		expect(String((error as Error).message)).not.toContain('s3cr3t');
	});
});
