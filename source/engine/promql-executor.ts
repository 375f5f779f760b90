// Running a `promql` step evaluates each of its queries once (instant query)
// and prints the answers as plain text. Run by the detached runner (runner-executors.ts).
// A query with a comparison (`… < 0.02`) is a gate: PromQL drops the series
// for which the comparison is false, so the gate passes when something is
// left and fails on an empty answer. Other queries only report.
import type {Block} from '../checklist/model.js';
import {promqlComparison} from '../checklist/promql-inline.js';
import {formatValue} from '../metrics/format.js';
import {PrometheusClient, displayUrl} from '../metrics/prometheus.js';
import {guessUnit, splitPromql} from '../metrics/promql-blocks.js';
import {ReadError, type SeriesValue} from '../metrics/types.js';
import type {BlockExecutor, ExecContext, ExecResult} from './types.js';

export interface PromqlResult {
	title?: string;
	query: string;
	/** Sum of the series (null for no data or an error). */
	value: number | null;
	series: SeriesValue[];
	error?: string;
	/** Only for gates (a query with a comparison): whether it passed. */
	gate?: 'passed' | 'failed';
}

const MAX_SERIES_SHOWN = 20;

function labelText(labels: Record<string, string>): string {
	const entries = Object.entries(labels);
	if (entries.length === 0) return '{}';
	return `{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

function numberText(value: number, unit: ReturnType<typeof guessUnit>): string {
	const raw = Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : '-Inf';
	const pretty = formatValue(value, unit);
	return unit === 'plain' || pretty === raw ? raw : `${raw} (${pretty})`;
}

/** Prometheus URL: the environment's PROMETHEUS_URL (the cockpit's --prometheus sets it), else the frontmatter. */
export function promqlUrl(ctx: Pick<ExecContext, 'env' | 'settings'>): string | undefined {
	const fromEnv = ctx.env.PROMETHEUS_URL ?? process.env.PROMETHEUS_URL;
	if (fromEnv) return fromEnv;
	const fm = ctx.settings.prometheus;
	return typeof fm === 'string' && fm.trim() ? fm.trim() : undefined;
}

export function createPromqlExecutor(): BlockExecutor {
	return {
		name: 'promql',
		async run(block: Block, ctx: ExecContext): Promise<ExecResult> {
			const url = promqlUrl(ctx);
			if (!url) {
				const error = 'no Prometheus URL: set PROMETHEUS_URL, pass --prometheus, or add deploycockpit.prometheus to the frontmatter';
				ctx.write(`${error}\n`);
				return {exitCode: 1, error};
			}
			const timeoutMs = Math.min(ctx.timeoutMs ?? 15_000, 15_000);
			let client: PrometheusClient;
			try {
				// Credentials come from the step's environment, never from the session.
				client = new PrometheusClient({url, env: {...process.env, ...ctx.env}, timeoutMs});
			} catch {
				const error = `not a URL: ${displayUrl(url)}`;
				ctx.write(`${error}\n`);
				return {exitCode: 1, error};
			}
			const queries = splitPromql(block.code);
			if (queries.length === 0) {
				ctx.write('no queries in the block\n');
				return {exitCode: 0, data: []};
			}
			const results: PromqlResult[] = [];
			let failed = 0;
			let gatesFailed = 0;
			for (const q of queries) {
				if (ctx.signal.aborted) break;
				const unit = guessUnit(q.query);
				const head = q.title ? `${q.title}: ${q.query}` : q.query;
				try {
					const {series} = await client.query(q.query, {signal: ctx.signal, timeoutMs});
					const real = series.filter(s => !Number.isNaN(s.value));
					const value = series.length === 0 ? null : real.reduce((a, s) => a + s.value, 0);
					const gate = promqlComparison(q.query) ? (series.length > 0 ? 'passed' : 'failed') : undefined;
					results.push({title: q.title, query: q.query, value, series, ...(gate ? {gate} : {})});
					if (gate === 'failed') {
						gatesFailed++;
						ctx.write(`${head}\n  gate failed: the condition holds for no series (empty answer)\n`);
						continue;
					}
					if (series.length === 0) {
						ctx.write(`${head}\n  no data\n`);
					} else if (series.length === 1 && Object.keys(series[0]?.labels ?? {}).length === 0) {
						ctx.write(`${head}\n  = ${numberText(series[0]?.value ?? Number.NaN, unit)}\n`);
					} else {
						let text = `${head}\n`;
						for (const s of series.slice(0, MAX_SERIES_SHOWN)) text += `  ${labelText(s.labels)}  ${numberText(s.value, unit)}\n`;
						if (series.length > MAX_SERIES_SHOWN) text += `  … ${series.length - MAX_SERIES_SHOWN} more series\n`;
						if (series.length > 1 && value !== null) text += `  sum = ${numberText(value, unit)}\n`;
						ctx.write(text);
					}
					if (gate === 'passed') ctx.write(`  gate passed: the condition holds for ${series.length} series\n`);
				} catch (error) {
					failed++;
					const message = error instanceof ReadError ? error.message : (error as Error).message;
					results.push({title: q.title, query: q.query, value: null, series: [], error: message});
					ctx.write(`${head}\n  error: ${message}\n`);
				}
			}
			if (ctx.signal.aborted) return {exitCode: null, signal: 'SIGTERM', error: 'cancelled', data: results};
			if (failed > 0) return {exitCode: 1, error: `${failed} of ${queries.length} queries failed`, data: results};
			if (gatesFailed > 0) return {exitCode: 1, error: `${gatesFailed} gate${gatesFailed > 1 ? 's' : ''} failed (empty answer)`, data: results};
			return {exitCode: 0, data: results};
		},
	};
}
