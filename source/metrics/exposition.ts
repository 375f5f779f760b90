// A forgiving parser for the Prometheus text exposition format (0.0.4).
// Application /metrics endpoints are often hand-written and slightly wrong;
// one bad line must cost that line only, so problems become warnings.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
	/** Full sample name, e.g. `http_latency_seconds_bucket`. */
	name: string;
	labels: Record<string, string>;
	value: number;
	/** Milliseconds since the epoch, when the line carried one. */
	timestampMs?: number;
	line: number;
}

export interface MetricFamily {
	name: string;
	type: MetricType;
	help?: string;
	samples: Sample[];
}

export interface ExpositionWarning {
	line: number;
	message: string;
	text: string;
}

export interface Exposition {
	/** Families in first-seen order; samples without a TYPE get an untyped family of their own name. */
	families: MetricFamily[];
	samples: Sample[];
	warnings: ExpositionWarning[];
}

const METRIC_TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;
const SUFFIXES: Record<MetricType, string[]> = {
	histogram: ['_bucket', '_sum', '_count', '_created'],
	summary: ['_sum', '_count', '_created'],
	counter: ['_total', '_created'],
	gauge: [],
	untyped: [],
};

class LineError extends Error {}

/** Go's strconv.ParseFloat spellings, which Prometheus accepts. */
export function parseSampleValue(text: string): number | null {
	const lower = text.toLowerCase();
	if (lower === 'nan') return Number.NaN;
	if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
	if (lower === '-inf') return Number.NEGATIVE_INFINITY;
	if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(text)) return null;
	const value = Number(text);
	return Number.isNaN(value) ? null : value;
}

class Cursor {
	pos = 0;
	constructor(readonly text: string) {}
	get done(): boolean {
		return this.pos >= this.text.length;
	}
	peek(): string {
		return this.text[this.pos] ?? '';
	}
	skipSpace(): void {
		while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
	}
	word(start: RegExp, rest: RegExp): string {
		const from = this.pos;
		if (!start.test(this.peek())) return '';
		this.pos++;
		while (!this.done && rest.test(this.peek())) this.pos++;
		return this.text.slice(from, this.pos);
	}
	token(): string {
		const from = this.pos;
		while (!this.done && this.peek() !== ' ' && this.peek() !== '\t') this.pos++;
		return this.text.slice(from, this.pos);
	}
}

function readQuoted(cur: Cursor): string {
	if (cur.peek() !== '"') throw new LineError('expected " to open a label value');
	cur.pos++;
	let out = '';
	for (;;) {
		if (cur.done) throw new LineError('unterminated label value');
		const ch = cur.peek();
		cur.pos++;
		if (ch === '"') return out;
		if (ch === '\\') {
			const next = cur.peek();
			cur.pos++;
			if (next === 'n') out += '\n';
			else if (next === '\\') out += '\\';
			else if (next === '"') out += '"';
			else throw new LineError(`unknown escape \\${next} in label value`);
			continue;
		}
		out += ch;
	}
}

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface LabelMatcher {
	name: string;
	op: MatchOp;
	value: string;
}

/** `{a="x",b!~"y.*"}` starting at the cursor's `{`. Equality only when `allowOps` is false (sample lines). */
function readLabels(cur: Cursor, allowOps: boolean): LabelMatcher[] {
	cur.pos++; // {
	const out: LabelMatcher[] = [];
	const seen = new Set<string>();
	for (;;) {
		cur.skipSpace();
		if (cur.peek() === '}') {
			cur.pos++;
			return out;
		}
		const name = cur.word(LABEL_START, LABEL_CHAR);
		if (!name) throw new LineError('bad label name');
		cur.skipSpace();
		let op: MatchOp = '=';
		const two = cur.text.slice(cur.pos, cur.pos + 2);
		if (allowOps && (two === '!=' || two === '=~' || two === '!~')) {
			op = two;
			cur.pos += 2;
		} else if (cur.peek() === '=') {
			cur.pos++;
		} else {
			throw new LineError(`expected = after label ${name}`);
		}
		cur.skipSpace();
		const value = readQuoted(cur);
		if (!allowOps) {
			if (seen.has(name)) throw new LineError(`duplicate label ${name}`);
			seen.add(name);
		}
		out.push({name, op, value});
		cur.skipSpace();
		if (cur.peek() === ',') {
			cur.pos++;
			continue;
		}
		if (cur.peek() !== '}') throw new LineError('expected , or } in labels');
	}
}

function unescapeHelp(text: string): string {
	return text.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

function parseSampleLine(text: string, line: number): Sample {
	const cur = new Cursor(text);
	const name = cur.word(NAME_START, NAME_CHAR);
	if (!name) throw new LineError('bad metric name');
	const afterName = cur.pos;
	cur.skipSpace();
	const labels: Record<string, string> = {};
	let separated = cur.pos > afterName;
	if (cur.peek() === '{') {
		for (const m of readLabels(cur, false)) labels[m.name] = m.value;
		cur.skipSpace();
		// `name{a="b"}1` (no space after the labels) is accepted, as Prometheus does.
		separated = true;
	}
	if (!separated) throw new LineError(cur.done ? 'missing value' : 'bad metric name');
	const valueText = cur.token();
	if (!valueText) throw new LineError('missing value');
	const value = parseSampleValue(valueText);
	if (value === null) throw new LineError(`bad value ${JSON.stringify(valueText)}`);
	cur.skipSpace();
	const sample: Sample = {name, labels, value, line};
	if (!cur.done) {
		const ts = cur.token();
		if (!/^-?\d+$/.test(ts)) throw new LineError(`bad timestamp ${JSON.stringify(ts)}`);
		sample.timestampMs = Number(ts);
		cur.skipSpace();
		if (!cur.done) throw new LineError('unexpected text after the timestamp');
	}
	return sample;
}

/** Parses a whole exposition body. Never throws. */
export function parseExposition(body: string): Exposition {
	const families: MetricFamily[] = [];
	const byName = new Map<string, MetricFamily>();
	const samples: Sample[] = [];
	const warnings: ExpositionWarning[] = [];
	const family = (name: string): MetricFamily => {
		let f = byName.get(name);
		if (!f) {
			f = {name, type: 'untyped', samples: []};
			byName.set(name, f);
			families.push(f);
		}
		return f;
	};
	/** The family a sample belongs to: its TYPE'd base name (histogram `_bucket` etc.) or its own. */
	const owner = (name: string): MetricFamily => {
		const own = byName.get(name);
		if (own && own.type !== 'untyped') return own;
		for (const [type, suffixes] of Object.entries(SUFFIXES) as Array<[MetricType, string[]]>) {
			for (const suffix of suffixes) {
				if (!name.endsWith(suffix)) continue;
				const base = byName.get(name.slice(0, -suffix.length));
				if (base && base.type === type) return base;
			}
		}
		return own ?? family(name);
	};

	const lines = body.split('\n');
	lines.forEach((raw, index) => {
		const line = index + 1;
		const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
		const trimmed = text.trim();
		if (trimmed === '') return;
		try {
			if (trimmed.startsWith('#')) {
				const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(trimmed);
				if (!m) return; // an ordinary comment
				const [, keyword, name = '', rest = ''] = m;
				if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new LineError(`bad metric name in ${keyword}`);
				const f = family(name);
				if (keyword === 'HELP') {
					f.help = unescapeHelp(rest);
				} else {
					const type = rest.trim().toLowerCase() as MetricType;
					if (!METRIC_TYPES.has(type)) throw new LineError(`unknown metric type ${JSON.stringify(rest.trim())}`);
					if (f.samples.length > 0 && f.type !== type) throw new LineError(`TYPE for ${name} after its samples`);
					f.type = type;
				}
				return;
			}
			const sample = parseSampleLine(trimmed, line);
			samples.push(sample);
			owner(sample.name).samples.push(sample);
		} catch (error) {
			if (!(error instanceof LineError)) throw error;
			warnings.push({line, message: error.message, text: trimmed.length > 200 ? trimmed.slice(0, 200) + '…' : trimmed});
		}
	});
	return {families: families.filter(f => f.samples.length > 0 || f.help !== undefined || f.type !== 'untyped'), samples, warnings};
}

/** Parses a selector such as `http_requests_total{code=~"5.."}` (name optional). */
export function parseSelector(text: string): {name: string | null; matchers: LabelMatcher[]} {
	const cur = new Cursor(text.trim());
	const name = cur.word(NAME_START, NAME_CHAR) || null;
	cur.skipSpace();
	let matchers: LabelMatcher[] = [];
	try {
		if (cur.peek() === '{') matchers = readLabels(cur, true);
	} catch (error) {
		throw new Error(`bad selector ${JSON.stringify(text)}: ${(error as Error).message}`);
	}
	cur.skipSpace();
	if (!cur.done || (!name && matchers.length === 0)) throw new Error(`bad selector ${JSON.stringify(text)}`);
	for (const m of matchers) {
		if (m.op === '=~' || m.op === '!~') {
			try {
				new RegExp(m.value);
			} catch {
				throw new Error(`bad regex in selector: ${m.value}`);
			}
		}
	}
	return {name, matchers};
}

export function matches(sample: Sample, selector: {name: string | null; matchers: LabelMatcher[]}): boolean {
	if (selector.name !== null && sample.name !== selector.name) return false;
	for (const m of selector.matchers) {
		const actual = sample.labels[m.name] ?? '';
		switch (m.op) {
			case '=': if (actual !== m.value) return false; break;
			case '!=': if (actual === m.value) return false; break;
			// Prometheus regex matchers are anchored.
			case '=~': if (!new RegExp(`^(?:${m.value})$`).test(actual)) return false; break;
			case '!~': if (new RegExp(`^(?:${m.value})$`).test(actual)) return false; break;
		}
	}
	return true;
}

export interface HistogramSeries {
	labels: Record<string, string>;
	/** Cumulative buckets sorted by upper bound (+Inf last). */
	buckets: Array<{le: number; count: number}>;
	sum?: number;
	count?: number;
}

export interface SummarySeries {
	labels: Record<string, string>;
	quantiles: Array<{quantile: number; value: number}>;
	sum?: number;
	count?: number;
}

function seriesKey(labels: Record<string, string>, drop: string): string {
	return JSON.stringify(Object.entries(labels).filter(([k]) => k !== drop).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function withoutLabel(labels: Record<string, string>, drop: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(labels)) if (k !== drop) out[k] = v;
	return out;
}

/** Groups a histogram family's samples into series (one per label set without `le`). */
export function histogramSeries(f: MetricFamily): HistogramSeries[] {
	const out = new Map<string, HistogramSeries>();
	const get = (labels: Record<string, string>): HistogramSeries => {
		const key = seriesKey(labels, 'le');
		let s = out.get(key);
		if (!s) {
			s = {labels: withoutLabel(labels, 'le'), buckets: []};
			out.set(key, s);
		}
		return s;
	};
	for (const sample of f.samples) {
		if (sample.name === `${f.name}_bucket`) {
			const le = parseSampleValue(sample.labels.le ?? '');
			if (le === null || Number.isNaN(le)) continue;
			get(sample.labels).buckets.push({le, count: sample.value});
		} else if (sample.name === `${f.name}_sum`) {
			get(sample.labels).sum = sample.value;
		} else if (sample.name === `${f.name}_count`) {
			get(sample.labels).count = sample.value;
		}
	}
	for (const s of out.values()) s.buckets.sort((a, b) => a.le - b.le);
	return [...out.values()];
}

export function summarySeries(f: MetricFamily): SummarySeries[] {
	const out = new Map<string, SummarySeries>();
	const get = (labels: Record<string, string>): SummarySeries => {
		const key = seriesKey(labels, 'quantile');
		let s = out.get(key);
		if (!s) {
			s = {labels: withoutLabel(labels, 'quantile'), quantiles: []};
			out.set(key, s);
		}
		return s;
	};
	for (const sample of f.samples) {
		if (sample.name === f.name && sample.labels.quantile !== undefined) {
			const q = parseSampleValue(sample.labels.quantile);
			if (q === null) continue;
			get(sample.labels).quantiles.push({quantile: q, value: sample.value});
		} else if (sample.name === `${f.name}_sum`) {
			get(sample.labels).sum = sample.value;
		} else if (sample.name === `${f.name}_count`) {
			get(sample.labels).count = sample.value;
		}
	}
	for (const s of out.values()) s.quantiles.sort((a, b) => a.quantile - b.quantile);
	return [...out.values()];
}
