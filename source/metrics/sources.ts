// Which tiles a cockpit shows, and where their numbers come from.
import {resolve as resolvePath, dirname} from 'node:path';
import type {Checklist, TileSpec, Step} from '../checklist/model.js';
import {combineOption, parseCombine} from './combine.js';
import {parseDuration} from './duration.js';
import {HOST_KEYS, HOST_TITLES, HOST_UNITS, hostSource, type HostKey} from './host.js';
import {PrometheusClient, alertsSource, displayUrl, promqlSource, targetsDownSource} from './prometheus.js';
import {guessUnit, splitPromql} from './promql-blocks.js';
import {scrapeSource} from './scrape.js';
import {parseThreshold} from './thresholds.js';
import {ReadError, type ResolvedTile, type TileSource, type TileUnit} from './types.js';

type Env = Record<string, string | undefined>;

export const DEFAULT_INTERVAL_MS = 5000;
const MIN_INTERVAL_MS = 250;
const UNITS: TileUnit[] = ['percent', 'ratio', 'seconds', 'ms', 'bytes', 'reqps', 'plain'];
const UNIT_ALIASES: Record<string, TileUnit> = {'%': 'percent', pct: 'percent', s: 'seconds', sec: 'seconds', second: 'seconds', 'req/s': 'reqps', rps: 'reqps', 'ops/s': 'reqps', b: 'bytes', byte: 'bytes', none: 'plain', count: 'plain'};

/** Tiles every checklist gets, from the user config (`conf`): same shape as the frontmatter. */
export interface MetricsUserConfig {
	prometheus?: string;
	tiles?: TileSpec[];
	/** false turns the default host tiles off; a list picks some. */
	host?: boolean | HostKey[];
	/** Filesystem the `disk` host tile watches. */
	disk?: string;
}

export interface ResolveInput {
	checklist?: Pick<Checklist, 'settings' | 'file'>;
	userConfig?: MetricsUserConfig;
	/** `--prometheus URL`. */
	prometheusFlag?: string;
	env?: Env;
}

export interface ResolvedTiles {
	tiles: ResolvedTile[];
	/** The Prometheus base URL in use, without credentials (for display). */
	prometheus?: string;
	client?: PrometheusClient;
	/** Problems with the tile declarations, for the notices line; never fatal. */
	warnings: string[];
}

/** Precedence: --prometheus, PROMETHEUS_URL, frontmatter, user config. */
export function resolvePrometheusUrl(input: ResolveInput): string | undefined {
	const env = input.env ?? process.env;
	const fm = input.checklist?.settings.prometheus;
	const candidates = [input.prometheusFlag, env.PROMETHEUS_URL, typeof fm === 'string' ? fm : undefined, input.userConfig?.prometheus];
	return candidates.find(c => typeof c === 'string' && c.trim() !== '')?.trim();
}

function slug(text: string): string {
	return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'tile';
}

function normaliseUnit(unit: unknown, warnings: string[], title: string): TileUnit | undefined {
	if (unit === undefined || unit === null || unit === '') return undefined;
	const u = String(unit).trim().toLowerCase();
	if ((UNITS as string[]).includes(u)) return u as TileUnit;
	const alias = UNIT_ALIASES[u];
	if (alias) return alias;
	warnings.push(`tile "${title}": unknown unit ${JSON.stringify(unit)} (use ${UNITS.join(', ')}); shown plain`);
	return 'plain';
}

function failing(kind: 'query', message: string, describe: string): TileSource {
	return {describe, read: async () => { throw new ReadError(kind, message); }};
}

const NO_URL = 'no Prometheus URL: use --prometheus, PROMETHEUS_URL, or deploycockpit.prometheus in the frontmatter';

interface SpecContext {
	client?: PrometheusClient;
	env: Env;
	warnings: string[];
	ids: Set<string>;
	diskPath: string;
	origin: ResolvedTile['origin'];
}

function uniqueId(base: string, ids: Set<string>): string {
	let id = base;
	for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
	ids.add(id);
	return id;
}

/** One declared tile → a resolved tile, or null (with a warning) when it cannot be used. */
export function tileFromSpec(spec: TileSpec, ctx: SpecContext): ResolvedTile | null {
	const raw = spec as TileSpec & Record<string, unknown>;
	const title = typeof spec.title === 'string' && spec.title.trim() ? spec.title.trim() : typeof spec.query === 'string' ? spec.query.slice(0, 24) : typeof spec.metric === 'string' ? spec.metric : typeof raw.host === 'string' ? raw.host : '';
	if (!title) {
		ctx.warnings.push('tile without title, query, url or host: ignored');
		return null;
	}
	let intervalMs = DEFAULT_INTERVAL_MS;
	if (spec.interval !== undefined) {
		const parsed = parseDuration(spec.interval as string | number);
		if (parsed === null) ctx.warnings.push(`tile "${title}": bad interval ${JSON.stringify(spec.interval)}; using 5s`);
		else intervalMs = Math.max(MIN_INTERVAL_MS, parsed);
	}
	const warn = spec.warn;
	const crit = spec.crit;
	for (const [name, t] of [['warn', warn], ['crit', crit]] as const) {
		if (t !== undefined && parseThreshold(t) === null) ctx.warnings.push(`tile "${title}": cannot read ${name} ${JSON.stringify(t)}; ignored`);
	}
	const combine = parseCombine(spec.combine);
	if (combineOption(spec.combine) === null) ctx.warnings.push(`tile "${title}": combine ${JSON.stringify(spec.combine)} is not sum or topN (e.g. top3); using sum`);
	const common = {
		title,
		warn: parseThreshold(warn) ? warn : undefined,
		crit: parseThreshold(crit) ? crit : undefined,
		intervalMs,
		combine,
		origin: ctx.origin,
	};
	const unit = normaliseUnit(spec.unit, ctx.warnings, title);
	if (typeof spec.query === 'string' && spec.query.trim()) {
		const query = spec.query.trim();
		return {
			...common,
			id: uniqueId(slug(title), ctx.ids),
			unit: unit ?? guessUnit(query),
			kind: 'prometheus',
			expr: query,
			source: ctx.client ? promqlSource(ctx.client, query, combine) : failing('query', NO_URL, `promql ${query}`),
		};
	}
	if (typeof spec.url === 'string' && spec.url.trim()) {
		if (typeof spec.metric !== 'string' || !spec.metric.trim()) {
			ctx.warnings.push(`tile "${title}": a url tile needs metric: (a name, optionally with {label="value"})`);
			return null;
		}
		const u = unit ?? 'plain';
		let source: TileSource;
		try {
			source = scrapeSource({url: spec.url.trim(), metric: spec.metric.trim(), combine, rate: u === 'reqps' || raw.rate === true});
		} catch (error) {
			ctx.warnings.push(`tile "${title}": ${(error as Error).message}`);
			return null;
		}
		return {...common, id: uniqueId(slug(title), ctx.ids), unit: u, kind: 'scrape', expr: `${displayUrl(spec.url)} ${spec.metric}`, source};
	}
	if (typeof raw.host === 'string') {
		const key = raw.host.trim().toLowerCase() as HostKey;
		if (!HOST_KEYS.includes(key)) {
			ctx.warnings.push(`tile "${title}": unknown host metric ${JSON.stringify(raw.host)} (cpu, mem, load, disk)`);
			return null;
		}
		const path = typeof raw.path === 'string' ? resolvePath(raw.path) : ctx.diskPath;
		return {...common, id: uniqueId(`host-${key}`, ctx.ids), unit: unit ?? HOST_UNITS[key], kind: 'host', expr: key === 'disk' ? `disk ${path}` : key, source: hostSource(key, path)};
	}
	ctx.warnings.push(`tile "${title}": needs query:, url: + metric:, or host:`);
	return null;
}

export function hostTiles(keys: readonly HostKey[], diskPath: string, ids: Set<string>): ResolvedTile[] {
	return keys.map(key => ({
		id: uniqueId(`host-${key}`, ids),
		title: HOST_TITLES[key],
		unit: HOST_UNITS[key],
		intervalMs: DEFAULT_INTERVAL_MS,
		combine: 'sum' as const,
		kind: 'host' as const,
		origin: 'host' as const,
		expr: key === 'disk' ? `disk ${diskPath}` : key,
		source: hostSource(key, diskPath),
	}));
}

function asSpecs(value: unknown, where: string, warnings: string[]): TileSpec[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) {
		warnings.push(`${where}: tiles must be a list`);
		return [];
	}
	return value.filter((v, i) => {
		if (v && typeof v === 'object') return true;
		warnings.push(`${where}: tile ${i + 1} is not a mapping; ignored`);
		return false;
	}) as TileSpec[];
}

export function createClient(url: string, env: Env, timeoutMs?: number): PrometheusClient | undefined {
	try {
		return new PrometheusClient({url, env, timeoutMs});
	} catch {
		return undefined;
	}
}

/** The tiles of a cockpit: frontmatter tiles, user-config tiles, alerts/targets when there is a Prometheus, host tiles otherwise. */
export function resolveTiles(input: ResolveInput): ResolvedTiles {
	const env = input.env ?? process.env;
	const warnings: string[] = [];
	const url = resolvePrometheusUrl(input);
	let client: PrometheusClient | undefined;
	if (url) {
		client = createClient(url, env);
		if (!client) warnings.push(`Prometheus URL ${JSON.stringify(displayUrl(url))} is not a URL; Prometheus tiles are off`);
	}
	const file = input.checklist?.file;
	const diskPath = input.userConfig?.disk ? resolvePath(input.userConfig.disk) : file ? dirname(resolvePath(file)) : process.cwd();
	const ids = new Set<string>();
	const tiles: ResolvedTile[] = [];
	const seen = new Set<string>();
	const add = (specs: TileSpec[], origin: ResolvedTile['origin']): void => {
		for (const spec of specs) {
			const tile = tileFromSpec(spec, {client, env, warnings, ids, diskPath, origin});
			if (!tile) continue;
			// The same query declared in the checklist and the user config shows once.
			const key = `${tile.kind}:${tile.expr}`;
			if (seen.has(key)) {
				ids.delete(tile.id);
				continue;
			}
			seen.add(key);
			tiles.push(tile);
		}
	};
	add(asSpecs(input.checklist?.settings.tiles, 'frontmatter deploycockpit.tiles', warnings), 'frontmatter');
	add(asSpecs(input.userConfig?.tiles, 'user config tiles', warnings), 'config');
	if (client) {
		tiles.push({id: uniqueId('alerts', ids), title: 'alerts', unit: 'plain', intervalMs: DEFAULT_INTERVAL_MS, combine: 'sum', kind: 'alerts', origin: 'builtin', expr: '/api/v1/alerts', source: alertsSource(client)});
		tiles.push({id: uniqueId('targets', ids), title: 'targets', unit: 'plain', intervalMs: DEFAULT_INTERVAL_MS * 3, combine: 'sum', kind: 'targets', origin: 'builtin', expr: '/api/v1/targets', source: targetsDownSource(client)});
	}
	const hostSetting = input.userConfig?.host;
	const declared = tiles.some(t => t.origin === 'frontmatter' || t.origin === 'config');
	if (hostSetting !== false && (!declared || Array.isArray(hostSetting))) {
		const keys = Array.isArray(hostSetting) ? hostSetting.filter(k => HOST_KEYS.includes(k)) : HOST_KEYS;
		tiles.push(...hostTiles(keys, diskPath, ids));
	}
	return {tiles, prometheus: url && client ? client.base : undefined, client, warnings};
}

/** Tiles for the `promql` blocks of one step (the "watch these metrics" steps). */
export function blockTiles(step: Pick<Step, 'id' | 'blocks'>, client: PrometheusClient | undefined): ResolvedTile[] {
	const out: ResolvedTile[] = [];
	let n = 0;
	for (const block of step.blocks) {
		if (block.executor !== 'promql') continue;
		for (const q of splitPromql(block.code)) {
			n++;
			out.push({
				id: `step:${step.id}:${n}`,
				title: q.title ?? (q.query.length > 28 ? `${q.query.slice(0, 27)}…` : q.query),
				unit: guessUnit(q.query),
				intervalMs: DEFAULT_INTERVAL_MS,
				combine: 'sum',
				kind: 'prometheus',
				origin: 'block',
				expr: q.query,
				stepId: step.id,
				source: client ? promqlSource(client, q.query, 'sum') : failing('query', NO_URL, `promql ${q.query}`),
			});
		}
	}
	return out;
}
