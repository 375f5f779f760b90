import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {histogramSeries, matches, parseExposition, parseSampleValue, parseSelector, summarySeries} from '../../source/metrics/exposition.js';

const sample = readFileSync(new URL('../fixtures/metrics/sample.prom', import.meta.url), 'utf8');

describe('parseExposition on a realistic body', () => {
	const parsed = parseExposition(sample);
	const byName = (name: string) => parsed.families.find(f => f.name === name);
	const one = (name: string) => parsed.samples.find(s => s.name === name);

	it('reads HELP and TYPE, unescaping HELP text', () => {
		expect(byName('shop_requests_total')?.type).toBe('counter');
		expect(byName('shop_requests_total')?.help).toBe('Requests served, by code.');
		expect(byName('shop_temperature_celsius')?.help).toBe('Oven temperature.\nSecond line \\ with backslash');
		expect(byName('shop_temperature_celsius')?.type).toBe('gauge');
	});

	it('reads labels and timestamps', () => {
		const rows = parsed.samples.filter(s => s.name === 'shop_requests_total');
		expect(rows.map(r => [r.labels.code, r.labels.path, r.value, r.timestampMs])).toEqual([
			['200', '/cart', 1027, 1700000000000],
			['500', '/cart', 3, 1700000000000],
		]);
		expect(one('shop_tabbed')).toMatchObject({value: 3, timestampMs: 1700000000123});
		expect(one('shop_ok_after_junk')?.timestampMs).toBeUndefined();
	});

	it('unescapes \\\\, \\" and \\n in label values', () => {
		expect(one('shop_label_escapes')?.labels).toEqual({path: 'C:\\oven\\door', quote: 'say "hi"', nl: 'a\nb'});
	});

	it('reads NaN and ±Inf', () => {
		expect(one('shop_temperature_celsius')?.value).toBeNaN();
		expect(one('shop_queue_free')?.value).toBe(Number.POSITIVE_INFINITY);
		expect(one('shop_queue_debt')?.value).toBe(Number.NEGATIVE_INFINITY);
	});

	it('groups histogram buckets, sum and count under the family', () => {
		const fam = byName('shop_latency_seconds');
		expect(fam?.type).toBe('histogram');
		expect(fam?.samples).toHaveLength(6);
		const [series] = histogramSeries(fam!);
		expect(series?.buckets.map(b => b.le)).toEqual([0.05, 0.1, 0.5, Number.POSITIVE_INFINITY]);
		expect(series?.buckets.at(-1)?.count).toBe(144320);
		expect(series?.sum).toBe(53423);
		expect(series?.count).toBe(144320);
		expect(parsed.families.some(f => f.name === 'shop_latency_seconds_bucket')).toBe(false);
	});

	it('groups summary quantiles', () => {
		const fam = byName('shop_rpc_seconds');
		const [series] = summarySeries(fam!);
		expect(series?.quantiles).toEqual([{quantile: 0.5, value: 0.012}, {quantile: 0.99, value: 0.31}]);
		expect(series?.sum).toBeCloseTo(1756.0473);
		expect(series?.count).toBe(2693);
	});

	it('skips junk lines as warnings with their line numbers and keeps going', () => {
		const lines = sample.split('\n');
		const lineOf = (prefix: string) => lines.findIndex(l => l.startsWith(prefix)) + 1;
		expect(parsed.warnings.map(w => w.line)).toEqual([
			lineOf('this is not'),
			lineOf('shop_bad_value'),
			lineOf('shop_unclosed'),
			lineOf('# TYPE shop_weird'),
		]);
		expect(parsed.warnings[1]?.message).toMatch(/bad value/);
		expect(one('shop_ok_after_junk')?.value).toBe(7);
		expect(one('shop_bad_value')).toBeUndefined();
	});

	it('accepts a trailing comma in labels', () => {
		expect(one('shop_trailing_comma')?.labels).toEqual({a: '1'});
	});
});

describe('parseExposition edge cases', () => {
	it('handles CRLF line endings', () => {
		const parsed = parseExposition('# TYPE up gauge\r\nup{job="a"} 1\r\nup{job="b"} 0\r\n');
		expect(parsed.warnings).toEqual([]);
		expect(parsed.samples.map(s => [s.labels.job, s.value])).toEqual([['a', 1], ['b', 0]]);
		expect(parsed.families[0]?.type).toBe('gauge');
	});

	it('never throws, whatever it is given', () => {
		for (const body of ['', '\n\n', '{}', '"', 'x{', 'x{a="\\q"} 1', 'x{a=1} 1', 'x 1 2 3', 'x 1 notatime', '# TYPE', '\u0000\u0001', 'x{a="1",a="2"} 1']) {
			expect(() => parseExposition(body)).not.toThrow();
		}
		const parsed = parseExposition('x{a="\\q"} 1\nx{a=1} 1\nx 1 2 3\nx 1 notatime\nx{a="1",a="2"} 1\ny 2');
		expect(parsed.warnings.map(w => w.line)).toEqual([1, 2, 3, 4, 5]);
		expect(parsed.samples.map(s => s.name)).toEqual(['y']);
	});

	it('reads exponents, signs and Go float spellings', () => {
		expect(parseSampleValue('1.5e3')).toBe(1500);
		expect(parseSampleValue('-0.25')).toBe(-0.25);
		expect(parseSampleValue('Inf')).toBe(Number.POSITIVE_INFINITY);
		expect(parseSampleValue('nan')).toBeNaN();
		expect(parseSampleValue('1,5')).toBeNull();
		expect(parseSampleValue('')).toBeNull();
	});

	it('keeps the untyped family for samples without TYPE and ignores plain comments', () => {
		const parsed = parseExposition('# a comment\n# HELP\nfoo 1\nfoo_bucket{le="1"} 2\n');
		expect(parsed.families.map(f => [f.name, f.type])).toEqual([['foo', 'untyped'], ['foo_bucket', 'untyped']]);
		expect(parsed.warnings).toEqual([]);
	});

	it('rejects a TYPE that contradicts samples already seen, keeping the samples', () => {
		const parsed = parseExposition('foo 1\n# TYPE foo counter\nfoo 2');
		expect(parsed.warnings).toHaveLength(1);
		expect(parsed.samples.map(s => s.value)).toEqual([1, 2]);
	});
});

describe('selectors', () => {
	const parsed = parseExposition(sample);
	it('matches =, !=, =~ (anchored) and !~', () => {
		const count = (sel: string) => parsed.samples.filter(s => matches(s, parseSelector(sel))).length;
		expect(count('shop_requests_total')).toBe(2);
		expect(count('shop_requests_total{code="500"}')).toBe(1);
		expect(count('shop_requests_total{code!="500"}')).toBe(1);
		expect(count('shop_requests_total{code=~"5.."}')).toBe(1);
		expect(count('shop_requests_total{code=~"5"}')).toBe(0);
		expect(count('shop_requests_total{code!~"2.*"}')).toBe(1);
	});
	it('refuses malformed selectors with a message', () => {
		expect(() => parseSelector('foo{code=')).toThrow(/bad selector/);
		expect(() => parseSelector('foo{code=~"("}')).toThrow(/bad regex/);
		expect(() => parseSelector('')).toThrow(/bad selector/);
	});
});
