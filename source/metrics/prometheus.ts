// Prometheus HTTP API over node:http with keep-alive (see http-get.ts for why not fetch). Credentials come from the environment
// on every request and are never kept on the client, logged or put in errors.
import {combineSeries} from './combine.js';
import {promDuration} from './duration.js';
import {httpGet, type HttpAnswer} from './http-get.js';
import {ReadError, type DownTarget, type HistoryPoint, type PromAlert, type Reading, type SeriesValue, type TileSource} from './types.js';

export type {PromAlert} from './types.js';

type Env = Record<string, string | undefined>;

export interface TargetsSummary {
	up: number;
	down: number;
	unknown: number;
	downTargets: DownTarget[];
}

export interface RangeSeries {
	labels: Record<string, string>;
	points: HistoryPoint[];
}

export interface ClientOptions {
	url: string;
	/** Default per-request timeout in ms. */
	timeoutMs?: number;
	/** Where PROMETHEUS_TOKEN / PROMETHEUS_USER / PROMETHEUS_PASSWORD are read from (process.env). */
	env?: Env;
}

export interface RequestOptions {
	signal?: AbortSignal;
	timeoutMs?: number;
}

/** The Authorization header the environment asks for, if any. Read per request, never stored. */
export function authHeader(env: Env): string | undefined {
	const token = env.PROMETHEUS_TOKEN;
	if (token) return `Bearer ${token}`;
	const user = env.PROMETHEUS_USER;
	if (user) return `Basic ${Buffer.from(`${user}:${env.PROMETHEUS_PASSWORD ?? ''}`).toString('base64')}`;
	return undefined;
}

/** The URL without any user:password part, for messages. */
export function displayUrl(url: string): string {
	try {
		const u = new URL(url);
		u.username = '';
		u.password = '';
		return u.toString().replace(/\/$/, '');
	} catch {
		return url.replace(/\/\/[^@/]*@/, '//');
	}
}

function causeText(error: unknown): string {
	let e: unknown = error;
	for (let depth = 0; depth < 4 && e; depth++) {
		const code = (e as {code?: unknown}).code;
		if (typeof code === 'string') return code;
		e = (e as {cause?: unknown}).cause;
	}
	return error instanceof Error ? error.message : String(error);
}

interface ApiEnvelope {
	status?: string;
	data?: unknown;
	errorType?: string;
	error?: string;
}

function parseNumber(text: unknown): number {
	if (typeof text !== 'string') return Number.NaN;
	if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
	if (text === '-Inf') return Number.NEGATIVE_INFINITY;
	return Number(text);
}

export class PrometheusClient {
	readonly base: string;
	private readonly timeoutMs: number;
	// Private fields stay out of JSON.stringify / util.inspect of the client.
	readonly #env: Env;

	constructor(options: ClientOptions) {
		const u = new URL(options.url);
		// user:pw in the URL moves to the request header so it never shows.
		this.#userInfo = u.username ? {user: decodeURIComponent(u.username), password: decodeURIComponent(u.password)} : undefined;
		u.username = '';
		u.password = '';
		this.base = u.toString().replace(/\/+$/, '');
		this.timeoutMs = options.timeoutMs ?? 4000;
		this.#env = options.env ?? process.env;
	}

	readonly #userInfo: {user: string; password: string} | undefined;

	private headers(): Record<string, string> {
		const headers: Record<string, string> = {accept: 'application/json'};
		const auth = authHeader(this.#env) ?? (this.#userInfo ? `Basic ${Buffer.from(`${this.#userInfo.user}:${this.#userInfo.password}`).toString('base64')}` : undefined);
		if (auth) headers.authorization = auth;
		return headers;
	}

	private async get(path: string, params: Record<string, string>, options: RequestOptions): Promise<unknown> {
		// A caller's signal carries its own deadline (the poller's); only without one
		// does the client add its timeout. (AbortSignal.any on every poll is costly.)
		const timeoutMs = options.timeoutMs ?? this.timeoutMs;
		const timeout = options.signal && options.timeoutMs === undefined ? null : AbortSignal.timeout(timeoutMs);
		const signal = options.signal && timeout ? AbortSignal.any([options.signal, timeout]) : (options.signal ?? timeout ?? undefined);
		const qs = new URLSearchParams(params).toString();
		const url = `${this.base}${path}${qs ? `?${qs}` : ''}`;
		let response: HttpAnswer;
		try {
			response = await httpGet(url, this.headers(), signal);
		} catch (error) {
			if (timeout?.aborted) throw new ReadError('timeout', `timed out after ${formatMs(timeoutMs)}`);
			if (options.signal?.aborted) {
				const reason = options.signal.reason as {name?: string} | undefined;
				throw new ReadError('timeout', reason?.name === 'TimeoutError' ? 'timed out' : 'cancelled');
			}
			throw new ReadError('unreachable', `Prometheus unreachable (${causeText(error)})`);
		}
		let body: ApiEnvelope | undefined;
		try {
			body = JSON.parse(response.text) as ApiEnvelope;
		} catch {
			body = undefined;
		}
		if (body?.status === 'error') {
			// 400 bad_data and 422 execution errors are answers about the query;
			// 503 (timeout/overload) is the server being unwell.
			const kind = response.status >= 500 ? 'http' : 'query';
			throw new ReadError(kind, body.error ? String(body.error) : `${body.errorType ?? 'error'} (HTTP ${response.status})`);
		}
		if (!response.ok) {
			const hint = response.status === 401 || response.status === 403 ? ' (check PROMETHEUS_TOKEN / PROMETHEUS_USER)' : '';
			throw new ReadError('http', `HTTP ${response.status} from ${path}${hint}`);
		}
		if (!body || body.status !== 'success') throw new ReadError('parse', `not a Prometheus API answer from ${path}`);
		return body.data;
	}

	/** Instant query: every series of the result (a scalar becomes one series without labels). */
	async query(expr: string, options: RequestOptions & {time?: number} = {}): Promise<{series: SeriesValue[]; at?: number}> {
		const params: Record<string, string> = {query: expr};
		if (options.time !== undefined) params.time = String(options.time / 1000);
		const data = (await this.get('/api/v1/query', params, options)) as {resultType?: string; result?: unknown};
		switch (data?.resultType) {
			case 'vector': {
				const result = (data.result ?? []) as Array<{metric?: Record<string, string>; value?: [number, string]}>;
				const at = result[0]?.value?.[0];
				return {series: result.map(r => ({labels: r.metric ?? {}, value: parseNumber(r.value?.[1])})), at: at === undefined ? undefined : at * 1000};
			}
			case 'scalar':
			case 'string': {
				const [t, v] = (data.result ?? []) as [number, string];
				return {series: [{labels: {}, value: parseNumber(v)}], at: t * 1000};
			}
			case 'matrix':
				throw new ReadError('query', 'the query returns a range vector; tiles need an instant vector');
			default:
				throw new ReadError('parse', 'unknown result type from /api/v1/query');
		}
	}

	async queryRange(expr: string, startMs: number, endMs: number, stepMs: number, options: RequestOptions = {}): Promise<RangeSeries[]> {
		const data = (await this.get('/api/v1/query_range', {query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: promDuration(stepMs)}, options)) as {resultType?: string; result?: unknown};
		if (data?.resultType !== 'matrix') throw new ReadError('parse', 'query_range did not return a matrix');
		const result = (data.result ?? []) as Array<{metric?: Record<string, string>; values?: Array<[number, string]>}>;
		return result.map(r => ({labels: r.metric ?? {}, points: (r.values ?? []).map(([t, v]) => ({at: t * 1000, value: parseNumber(v)}))}));
	}

	async alerts(options: RequestOptions = {}): Promise<PromAlert[]> {
		const data = (await this.get('/api/v1/alerts', {}, options)) as {alerts?: Array<{labels?: Record<string, string>; annotations?: Record<string, string>; state?: string; activeAt?: string; value?: string}>};
		return (data?.alerts ?? []).map(a => {
			const labels = a.labels ?? {};
			return {
				name: labels.alertname ?? '(unnamed)',
				state: (a.state === 'firing' || a.state === 'pending' ? a.state : 'inactive') as PromAlert['state'],
				labels,
				annotations: a.annotations ?? {},
				activeAt: a.activeAt,
				value: a.value,
				key: alertKey(labels),
			};
		});
	}

	async targets(options: RequestOptions = {}): Promise<TargetsSummary> {
		const data = (await this.get('/api/v1/targets', {state: 'active'}, options)) as {activeTargets?: Array<{labels?: Record<string, string>; scrapePool?: string; health?: string; lastError?: string}>};
		const out: TargetsSummary = {up: 0, down: 0, unknown: 0, downTargets: []};
		for (const t of data?.activeTargets ?? []) {
			if (t.health === 'up') out.up++;
			else if (t.health === 'down') {
				out.down++;
				out.downTargets.push({job: t.labels?.job ?? t.scrapePool ?? '', instance: t.labels?.instance ?? '', lastError: t.lastError ?? ''});
			} else out.unknown++;
		}
		return out;
	}
}

export function alertKey(labels: Record<string, string>): string {
	return Object.keys(labels).sort().map(k => `${k}=${labels[k]}`).join(',');
}

function formatMs(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A tile source backed by one PromQL expression. */
export function promqlSource(client: PrometheusClient, expr: string, combine: 'sum' | number): TileSource {
	return {
		describe: `promql ${expr}`,
		async read(signal): Promise<Reading> {
			const {series, at} = await client.query(expr, {signal});
			return combineSeries(series, combine, at);
		},
		async history(fromMs, toMs, stepMs, signal): Promise<HistoryPoint[]> {
			const range = await client.queryRange(expr, fromMs, toMs, stepMs, {signal});
			// Combine per timestamp the same way the live value is combined.
			const byTime = new Map<number, SeriesValue[]>();
			for (const s of range) {
				for (const p of s.points) {
					let list = byTime.get(p.at);
					if (!list) byTime.set(p.at, (list = []));
					list.push({labels: s.labels, value: p.value});
				}
			}
			return [...byTime.entries()].sort(([a], [b]) => a - b).map(([at, list]) => ({at, value: combineSeries(list, combine, at).value}));
		},
	};
}

/** Firing alerts (pending ones are not news yet). The NEW flag is worked out against the baseline by the monitor. */
export function alertsSource(client: PrometheusClient): TileSource {
	return {
		describe: 'prometheus alerts',
		async read(signal): Promise<Reading> {
			const firing = (await client.alerts({signal})).filter(a => a.state === 'firing');
			return {value: firing.length, alerts: firing, at: Date.now()};
		},
	};
}

export function targetsDownSource(client: PrometheusClient): TileSource {
	return {
		describe: 'prometheus targets down',
		async read(signal): Promise<Reading> {
			const t = await client.targets({signal});
			return {value: t.down, down: t.downTargets, at: Date.now()};
		},
	};
}
