import {describe, expect, it} from 'vitest';
import {blockTiles, resolvePrometheusUrl, resolveTiles} from '../../source/metrics/sources.js';

describe('resolvePrometheusUrl', () => {
	it('takes --prometheus, then PROMETHEUS_URL, then the frontmatter, then the user config', () => {
		const checklist = {settings: {prometheus: 'http://fm:9090'}};
		const userConfig = {prometheus: 'http://conf:9090'};
		expect(resolvePrometheusUrl({prometheusFlag: 'http://flag:9090', env: {PROMETHEUS_URL: 'http://env:9090'}, checklist, userConfig})).toBe('http://flag:9090');
		expect(resolvePrometheusUrl({env: {PROMETHEUS_URL: 'http://env:9090'}, checklist, userConfig})).toBe('http://env:9090');
		expect(resolvePrometheusUrl({env: {}, checklist, userConfig})).toBe('http://fm:9090');
		expect(resolvePrometheusUrl({env: {}, checklist: {settings: {}}, userConfig})).toBe('http://conf:9090');
		expect(resolvePrometheusUrl({env: {}})).toBeUndefined();
	});
});

describe('resolveTiles', () => {
	it('defaults to host tiles when nothing is configured', () => {
		const r = resolveTiles({env: {}});
		expect(r.tiles.map(t => [t.id, t.title, t.unit, t.kind])).toEqual([
			['host-cpu', 'cpu', 'percent', 'host'],
			['host-mem', 'mem', 'percent', 'host'],
			['host-load', 'load 1m', 'plain', 'host'],
			['host-disk', 'disk free', 'bytes', 'host'],
		]);
		expect(r.warnings).toEqual([]);
	});

	it('reads frontmatter and user-config tiles, adds alerts and targets, drops duplicates, and warns about bad specs', () => {
		const r = resolveTiles({
			env: {},
			checklist: {settings: {prometheus: 'http://127.0.0.1:9', tiles: [
				{title: 'Error rate', query: 'sum(rate(e[5m])) / sum(rate(r[5m]))', unit: 'percent', warn: 0.01, crit: '2x baseline', interval: '10s'},
				{title: 'Queue', url: 'http://127.0.0.1:9/metrics', metric: 'queue_depth{q="mail"}'},
				{title: 'Odd', query: 'x', unit: 'furlongs' as never, warn: 'lots', interval: 'sometimes'},
				{title: 'No source'},
			]}},
			userConfig: {tiles: [{title: 'Same error rate', query: 'sum(rate(e[5m])) / sum(rate(r[5m]))'}, {title: 'Disk', host: 'disk', path: '/'}]},
		});
		expect(r.tiles.map(t => [t.id, t.kind, t.origin])).toEqual([
			['error-rate', 'prometheus', 'frontmatter'],
			['queue', 'scrape', 'frontmatter'],
			['odd', 'prometheus', 'frontmatter'],
			['host-disk', 'host', 'config'],
			['alerts', 'alerts', 'builtin'],
			['targets', 'targets', 'builtin'],
		]);
		const err = r.tiles[0]!;
		expect(err).toMatchObject({intervalMs: 10_000, warn: 0.01, crit: '2x baseline', unit: 'percent'});
		expect(r.tiles[2]).toMatchObject({unit: 'plain', warn: undefined, intervalMs: 5000});
		expect(r.warnings).toEqual([
			'tile "Odd": bad interval "sometimes"; using 5s',
			'tile "Odd": cannot read warn "lots"; ignored',
			'tile "Odd": unknown unit "furlongs" (use percent, ratio, seconds, ms, bytes, reqps, plain); shown plain',
			'tile "No source": needs query:, url: + metric:, or host:',
		]);
		expect(r.prometheus).toBe('http://127.0.0.1:9');
	});

	it('a query tile without any Prometheus URL says so when read', async () => {
		const r = resolveTiles({env: {}, checklist: {settings: {tiles: [{title: 'E', query: 'up'}]}}});
		await expect(r.tiles[0]!.source.read(AbortSignal.timeout(1000))).rejects.toMatchObject({kind: 'query', message: expect.stringMatching(/no Prometheus URL/)});
	});

	it('never shows credentials from the URL', () => {
		const r = resolveTiles({env: {PROMETHEUS_URL: 'http://ops:pw-secret@127.0.0.1:9'}});
		expect(r.prometheus).toBe('http://127.0.0.1:9');
		expect(JSON.stringify(r.tiles.map(t => ({...t, source: t.source.describe})))).not.toContain('pw-secret');
	});
});

describe('blockTiles', () => {
	it('turns each query of a step’s promql blocks into a tile', () => {
		const step = {id: 'watch', blocks: [
			{lang: 'promql', executor: 'promql' as const, line: 3, inline: false, code: '# Error rate (should be zero)\nrate(errs_total[5m])\nhistogram_quantile(0.95, rate(lat_seconds_bucket[5m]))'},
			{lang: 'bash', executor: 'shell' as const, line: 9, inline: false, code: 'echo hi'},
		]};
		const tiles = blockTiles(step, undefined);
		expect(tiles.map(t => [t.id, t.title, t.unit, t.origin, t.stepId])).toEqual([
			['step:watch:1', 'Error rate', 'reqps', 'block', 'watch'],
			['step:watch:2', 'histogram_quantile(0.95, ra…', 'seconds', 'block', 'watch'],
		]);
	});
});
