// A plain /metrics endpoint read directly, for when an app exposes metrics but
// no Prometheus is around.
import {combineSeries} from './combine.js';
import {matches, parseExposition, parseSelector, type Sample} from './exposition.js';
import {displayUrl} from './prometheus.js';
import {ReadError, type Reading, type TileSource} from './types.js';

export interface ScrapeOptions {
	url: string;
	/** Metric name with an optional matcher: `http_requests_total{code=~"5.."}`. */
	metric: string;
	combine: 'sum' | number;
	/** Report the per-second increase between scrapes (counters shown as req/s). */
	rate?: boolean;
	timeoutMs?: number;
}

export async function fetchExposition(url: string, signal: AbortSignal): Promise<string> {
	const u = new URL(url);
	const headers: Record<string, string> = {accept: 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1'};
	if (u.username) {
		headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
		u.username = '';
		u.password = '';
	}
	let response: Response;
	try {
		response = await fetch(u, {headers, signal});
		const text = await response.text();
		if (!response.ok) throw new ReadError('http', `HTTP ${response.status} from ${displayUrl(url)}`);
		return text;
	} catch (error) {
		if (error instanceof ReadError) throw error;
		if (signal.aborted) throw new ReadError('timeout', 'timed out');
		const code = (error as {cause?: {code?: string}}).cause?.code;
		throw new ReadError('unreachable', `cannot reach ${displayUrl(url)}: ${code ?? (error as Error).message}`);
	}
}

export function scrapeSource(options: ScrapeOptions): TileSource {
	const selector = parseSelector(options.metric);
	let previous: {sum: number; at: number} | undefined;
	return {
		describe: `scrape ${displayUrl(options.url)} ${options.metric}`,
		async read(signal): Promise<Reading> {
			const body = await fetchExposition(options.url, signal);
			const parsed = parseExposition(body);
			const found: Sample[] = parsed.samples.filter(s => matches(s, selector));
			if (found.length === 0) {
				throw new ReadError('no-data', parsed.samples.length === 0 && parsed.warnings.length > 0 ? `no data (${parsed.warnings.length} unreadable lines)` : 'no data');
			}
			const at = Date.now();
			const reading = combineSeries(found.map(s => ({labels: {__name__: s.name, ...s.labels}, value: s.value})), options.combine, at);
			if (!options.rate) return reading;
			const sum = found.reduce((a, s) => a + (Number.isNaN(s.value) ? 0 : s.value), 0);
			const last = previous;
			previous = {sum, at};
			if (!last) throw new ReadError('no-data', 'no data yet (rate needs two scrapes)');
			const seconds = (at - last.at) / 1000;
			// A counter that went down was reset (process restart): count from zero.
			const increase = sum >= last.sum ? sum - last.sum : sum;
			return {value: seconds > 0 ? increase / seconds : 0, at};
		},
	};
}
