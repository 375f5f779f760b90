// The metrics slice on a real store and an in-memory session, against a
// stand-in Prometheus served over HTTP.
import {readFileSync} from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/parse.js';
import {cockpitDeps, createCockpitStore, type CockpitStore, type StoreDeps} from '../../source/store/index.js';
import {startMetrics, subscribeCrossings, type MetricsCrossing} from '../../source/store/metrics-slice.js';
import {waitFor} from '../helpers/prometheus.js';
import {MemorySession} from '../ui/memory-session.js';
import {startFakePrometheus} from './fake-prometheus.js';

const fixture = new URL('../fixtures/metrics/watch.md', import.meta.url);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: {readOnly?: boolean; values?: Record<string, number>; initial?: ConstructorParameters<typeof MemorySession>[2]} = {}) {
	const prom = await startFakePrometheus(options.values ?? {'shop:error_ratio': 0.01, 'shop:latency_p99': 0.2, 'sum(rate(shop_orders_total[1m]))': 12});
	cleanups.push(() => prom.close());
	const checklist = parseChecklist(readFileSync(fixture, 'utf8'), fixture.pathname);
	checklist.settings.prometheus = prom.url;
	const session = new MemorySession(checklist, options.readOnly ?? false, options.initial);
	const deps: StoreDeps = cockpitDeps({session, options: {file: fixture.pathname, dryRun: false}, config: {}, now: () => Date.now(), env: {}});
	const store = createCockpitStore(deps);
	// The core slice's session wiring, as startEngines does it.
	const unsub = session.subscribe(e => void (e.type === 'state' && store.setState({session: e.state})));
	const stop = startMetrics(store, deps, {flushMs: 10});
	cleanups.push(() => {
		stop();
		unsub();
	});
	return {prom, session, store, stop};
}

const stateOf = (store: CockpitStore, id: string) => store.getState().tileStates[id];

describe('metrics slice', () => {
	it('shows the frontmatter tiles plus alerts and targets, and captures the baseline at start into the session', async () => {
		const {store, session} = await setup();
		expect(store.getState().tiles.map(t => t.id)).toEqual(['error-rate', 'latency-p99', 'alerts', 'targets']);
		await waitFor('baseline in the session', () => session.getState().baseline?.['error-rate'] && session.getState().baseline?.['latency-p99']);
		expect(session.getState().baseline?.['error-rate']?.value).toBe(0.01);
		expect(session.getState().baseline?.['latency-p99']?.value).toBe(0.2);
		await waitFor('alerts baseline', () => session.getState().baselineAlerts);
		expect(session.getState().baselineAlerts).toEqual([]);
		expect(stateOf(store, 'error-rate')).toMatchObject({state: 'ok', value: 0.01, valueText: '1.00%', fresh: true});
	});

	it('keeps a baseline the session already has (resume)', async () => {
		const {store, session} = await setup({initial: {baseline: {'error-rate': {value: 0.001, at: '2026-01-01T00:00:00.000Z'}}}});
		await waitFor('latency baseline', () => session.getState().baseline?.['latency-p99']);
		expect(session.getState().baseline?.['error-rate']).toEqual({value: 0.001, at: '2026-01-01T00:00:00.000Z'});
		// 0.01 > 2 × 0.001: crit against the resumed baseline.
		await waitFor('crit', () => stateOf(store, 'error-rate')?.state === 'crit');
	});

	it('reports a crit crossing once, with the value and the limit, and again after it cleared', async () => {
		const {store, prom} = await setup();
		await waitFor('baseline', () => store.getState().session.baseline?.['error-rate']);
		const crossings: MetricsCrossing[] = [];
		const unsub = subscribeCrossings(store, c => crossings.push(c));
		cleanups.push(unsub);
		prom.values.set('shop:error_ratio', 0.062);
		await waitFor('crit', () => crossings.length > 0);
		expect(crossings[0]).toMatchObject({kind: 'threshold', tileId: 'error-rate', value: 0.062, valueText: '6.20%', crossed: '> 2x baseline (2.00%)', message: 'Error rate 6.20% > 2x baseline (2.00%)'});
		await new Promise(r => setTimeout(r, 2200));
		expect(crossings).toHaveLength(1);
		prom.values.set('shop:error_ratio', 0.01);
		await waitFor('ok again', () => stateOf(store, 'error-rate')?.state === 'ok');
		prom.values.set('shop:error_ratio', 0.07);
		await waitFor('second crossing', () => crossings.length === 2);
	});

	it('does not raise a crossing for a stale value; goes stale, then recovers', async () => {
		const {store, prom} = await setup({values: {'shop:error_ratio': 0.01, 'shop:latency_p99': 0.9}});
		await waitFor('crit latency', () => stateOf(store, 'latency-p99')?.state === 'crit');
		const crossings: MetricsCrossing[] = [];
		cleanups.push(subscribeCrossings(store, c => crossings.push(c)));
		expect(crossings.map(c => c.tileId)).toEqual(['latency-p99']);
		await prom.stop();
		await waitFor('stale', () => store.getState().tileSnaps['latency-p99']?.stale);
		expect(stateOf(store, 'latency-p99')).toMatchObject({fresh: false, value: 0.9});
		await prom.start();
		await waitFor('recovered', () => stateOf(store, 'latency-p99')?.fresh, 15_000);
		// Still the same crit episode: not reported twice.
		expect(crossings.map(c => c.tileId)).toEqual(['latency-p99']);
	}, 30_000);

	it('flags a NEW alert against the session baseline and reports it', async () => {
		const {store, prom, session} = await setup();
		prom.alerts = ['KnownNoise'];
		await waitFor('alerts baseline', () => session.getState().baselineAlerts);
		expect(session.getState().baselineAlerts).toEqual(['alertname=KnownNoise']);
		const crossings: MetricsCrossing[] = [];
		cleanups.push(subscribeCrossings(store, c => crossings.push(c)));
		prom.alerts = ['KnownNoise', 'OvenOnFire'];
		await waitFor('NEW alert', () => crossings.length > 0, 15_000);
		expect(crossings[0]).toMatchObject({kind: 'alert', crossed: 'OvenOnFire', message: 'NEW alert OvenOnFire'});
		expect(stateOf(store, 'alerts')).toMatchObject({state: 'crit', newAlerts: ['OvenOnFire']});
	}, 20_000);

	it('recaptures the baseline on the key action and persists it', async () => {
		const {store, prom, session} = await setup();
		await waitFor('baseline', () => session.getState().baseline?.['error-rate']);
		prom.values.set('shop:error_ratio', 0.03);
		await waitFor('new value', () => store.getState().tileSnaps['error-rate']?.value === 0.03);
		store.getState().recaptureBaseline();
		await waitFor('recaptured', () => session.getState().baseline?.['error-rate']?.value === 0.03);
		expect(store.getState().flash?.text).toMatch(/^baseline captured for \d+ tiles/);
		expect(stateOf(store, 'error-rate')?.state).toBe('warn');
	});

	it('adds the selected step’s promql queries as tiles and drops them when the selection moves', async () => {
		const {store} = await setup();
		const watch = store.getState().checklist.steps.find(s => s.title.startsWith('Watch the checkout'))!;
		store.getState().select(watch.id);
		await waitFor('block tile', () => store.getState().tiles.some(t => t.origin === 'block'));
		const tile = store.getState().tiles.find(t => t.origin === 'block')!;
		expect(tile).toMatchObject({title: 'Orders per second', unit: 'reqps', stepId: watch.id});
		await waitFor('its value', () => store.getState().tileSnaps[tile.id]?.value === 12);
		const other = store.getState().checklist.steps.find(s => s.title.startsWith('Build the image'))!;
		store.getState().select(other.id);
		await waitFor('block tile gone', () => !store.getState().tiles.some(t => t.origin === 'block'));
	});

	it('writes the latest values into the session when it stops', async () => {
		const {store, session, stop} = await setup();
		await waitFor('values', () => store.getState().tileSnaps['latency-p99']?.value === 0.2);
		stop();
		await waitFor('latest', () => session.getState().latest?.['latency-p99']);
		expect(session.getState().latest?.['latency-p99']?.value).toBe(0.2);
	});

	it('a read-only follower polls and shows tiles but writes nothing into the session', async () => {
		const {store, session} = await setup({readOnly: true});
		await waitFor('values', () => store.getState().tileSnaps['latency-p99']?.value === 0.2);
		await new Promise(r => setTimeout(r, 200));
		expect(session.getState().baseline).toBeUndefined();
		expect(session.getState().latest).toBeUndefined();
	});
});
