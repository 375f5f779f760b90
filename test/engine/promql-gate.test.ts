// A promql query with a comparison is a gate: against a real Prometheus, it
// passes when the answer is not empty and fails (exit 1) when it is.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Block} from '../../source/checklist/model.js';
import {createPromqlExecutor, type PromqlResult} from '../../source/engine/promql-executor.js';
import {PrometheusClient} from '../../source/metrics/prometheus.js';
import {prometheusAvailability, startExporter, startPrometheus, waitFor, type Exporter, type PromServer} from '../helpers/prometheus.js';

const availability = prometheusAvailability();

describe.skipIf(!availability.available)('promql gates against a real Prometheus', () => {
	let exporter: Exporter;
	let prom: PromServer;

	beforeAll(async () => {
		exporter = await startExporter({gate_error_ratio: 0.01, gate_up: 1});
		prom = await startPrometheus({targets: [`127.0.0.1:${exporter.port}`]});
		const client = new PrometheusClient({url: prom.url, timeoutMs: 2000, env: {}});
		await waitFor('a scrape stored', async () => (await client.query('gate_error_ratio')).series.length > 0, 30_000, 200);
	}, 60_000);

	afterAll(async () => {
		await prom?.stop();
		await exporter?.close();
	});

	const run = async (code: string) => {
		const out: string[] = [];
		const block: Block = {lang: 'promql', executor: 'promql', line: 1, inline: true, code};
		const result = await createPromqlExecutor().run(block, {cwd: process.cwd(), env: {}, settings: {prometheus: prom.url}, signal: AbortSignal.timeout(10_000), write: c => void out.push(c), confirmed: false});
		return {result, text: out.join(''), data: result.data as PromqlResult[]};
	};

	it('passes when the comparison holds (non-empty answer)', async () => {
		const {result, text, data} = await run('gate_error_ratio < 0.02');
		expect(result.exitCode).toBe(0);
		expect(data[0]!.gate).toBe('passed');
		expect(text).toContain('gate passed: the condition holds for 1 series');
	});

	it('fails when the comparison holds for nothing (empty answer)', async () => {
		const {result, text, data} = await run('gate_error_ratio > 0.02');
		expect(result.exitCode).toBe(1);
		expect(result.error).toBe('1 gate failed (empty answer)');
		expect(data[0]!.gate).toBe('failed');
		expect(text).toContain('gate failed');
	});

	it('a query without a comparison only reports, even when empty; bool comparisons always answer', async () => {
		const empty = await run('gate_missing_metric');
		expect(empty.result.exitCode).toBe(0);
		expect(empty.data[0]!.gate).toBeUndefined();
		expect(empty.text).toContain('no data');
		const bool = await run('gate_up == bool 0');
		expect(bool.result.exitCode).toBe(0);
		expect(bool.data[0]!.gate).toBeUndefined();
	});

	it('a gate that becomes false fails on the next run', async () => {
		exporter.set('gate_error_ratio', 0.5);
		const client = new PrometheusClient({url: prom.url, timeoutMs: 2000, env: {}});
		await waitFor('the new value scraped', async () => (await client.query('gate_error_ratio')).series[0]?.value === 0.5, 30_000, 200);
		expect((await run('gate_error_ratio < 0.02')).result.exitCode).toBe(1);
	}, 40_000);
});
