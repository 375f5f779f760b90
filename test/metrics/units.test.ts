import {describe, expect, it} from 'vitest';
import {combineSeries, parseCombine} from '../../source/metrics/combine.js';
import {parseDuration} from '../../source/metrics/duration.js';
import {formatAge, formatDelta, formatValue, sparkline} from '../../source/metrics/format.js';
import {guessUnit, splitPromql} from '../../source/metrics/promql-blocks.js';
import {crosses, parseThreshold} from '../../source/metrics/thresholds.js';
import {ReadError} from '../../source/metrics/types.js';

describe('formatValue by unit', () => {
	it.each([
		[0.0123, 'percent', '1.23%'],
		[0.5, 'percent', '50.0%'],
		[1, 'percent', '100%'],
		[0, 'percent', '0%'],
		[0.0123, 'ratio', '0.0123'],
		[0.123, 'seconds', '123ms'],
		[2.5, 'seconds', '2.5s'],
		[125, 'seconds', '2m05s'],
		[0.00004, 'seconds', '40µs'],
		[250, 'ms', '250ms'],
		[1536, 'bytes', '1.5 KiB'],
		[5 * 1024 ** 3, 'bytes', '5 GiB'],
		[12, 'bytes', '12 B'],
		[12.34, 'reqps', '12.3/s'],
		[15300, 'reqps', '15.3k/s'],
		[2_500_000, 'plain', '2.5M'],
		[7, 'plain', '7'],
	] as const)('%s %s → %s', (value, unit, text) => {
		expect(formatValue(value, unit)).toBe(text);
	});
	it('spells NaN, infinities and missing values', () => {
		expect(formatValue(Number.NaN, 'percent')).toBe('NaN');
		expect(formatValue(Number.POSITIVE_INFINITY, 'seconds')).toBe('+Inf');
		expect(formatValue(null, 'plain')).toBe('—');
	});
	it('formats signed deltas and ages', () => {
		expect(formatDelta(0.004, 'percent')).toBe('+0.40%');
		expect(formatDelta(-0.012, 'seconds')).toBe('-12ms');
		expect(formatAge(35_400)).toBe('35s');
		expect(formatAge(125_000)).toBe('2m');
	});
});

describe('sparkline', () => {
	it('scales to the window and keeps the last width points', () => {
		expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
		expect(sparkline([100, 0, 7], 2)).toBe('▁█');
		expect(sparkline([3, 3, 3], 5)).toBe('▁▁▁');
		expect(sparkline([1, Number.NaN, 2], 5)).toBe('▁█');
		expect(sparkline([], 5)).toBe('');
	});
});

describe('thresholds', () => {
	it('reads absolute, percent, unit-suffixed and relative forms', () => {
		expect(parseThreshold(0.05)).toMatchObject({op: '>', value: 0.05, relative: false});
		expect(parseThreshold('5%')?.value).toBeCloseTo(0.05);
		expect(parseThreshold('> 200ms')?.value).toBeCloseTo(0.2);
		expect(parseThreshold('< 1GiB')).toMatchObject({op: '<', value: 1024 ** 3});
		expect(parseThreshold('2x baseline')).toMatchObject({op: '>', value: 2, relative: true});
		expect(parseThreshold('2x')).toMatchObject({value: 2, relative: true});
		expect(parseThreshold('<0.5x')).toMatchObject({op: '<', value: 0.5, relative: true});
		expect(parseThreshold('very high')).toBeNull();
		expect(parseThreshold('2x%')).toBeNull();
	});
	it('compares against the baseline for relative thresholds, inactive without one', () => {
		const t = parseThreshold('2x baseline')!;
		expect(crosses(0.25, t, 0.1)).toBe(true);
		expect(crosses(0.15, t, 0.1)).toBe(false);
		expect(crosses(0.25, t, null)).toBe(false);
		expect(crosses(0.25, t, 0)).toBe(false);
		expect(crosses(5, parseThreshold('<10')!, null)).toBe(true);
		expect(crosses(Number.NaN, parseThreshold(1)!, null)).toBe(false);
	});
});

describe('durations and combine options', () => {
	it('parses intervals', () => {
		expect(parseDuration('5s')).toBe(5000);
		expect(parseDuration('1m')).toBe(60_000);
		expect(parseDuration('1m30s')).toBe(90_000);
		expect(parseDuration('500ms')).toBe(500);
		expect(parseDuration(10)).toBe(10_000);
		expect(parseDuration('soon')).toBeNull();
		expect(parseDuration('5x')).toBeNull();
	});
	it('sums series (skipping NaN) or keeps the top N', () => {
		const s = [{labels: {i: 'a'}, value: 1}, {labels: {i: 'b'}, value: 5}, {labels: {i: 'c'}, value: Number.NaN}, {labels: {i: 'd'}, value: 3}];
		expect(combineSeries(s, 'sum').value).toBe(9);
		const top = combineSeries(s, parseCombine('top2'));
		expect(top.value).toBe(5);
		expect(top.series?.map(x => x.labels.i)).toEqual(['b', 'd']);
		expect(parseCombine(undefined)).toBe('sum');
		expect(parseCombine('top')).toBe(3);
		expect(parseCombine('topN')).toBe(3);
		expect(parseCombine('top 5')).toBe(5);
		expect(parseCombine('average')).toBe('sum');
		expect(() => combineSeries([], 'sum')).toThrow(ReadError);
	});
});

describe('promql blocks', () => {
	it('splits queries, titles them from comments, joins multi-line queries', () => {
		const code = [
			'# Checkout errors (should stay near zero)',
			'sum(rate(shop_requests_total{code=~"5.."}[5m]))',
			'',
			'histogram_quantile(0.99,',
			'  sum by (le) (rate(shop_latency_seconds_bucket[5m])))',
			'shop_queue_depth',
		].join('\n');
		expect(splitPromql(code)).toEqual([
			{title: 'Checkout errors', query: 'sum(rate(shop_requests_total{code=~"5.."}[5m]))', line: 2},
			{title: undefined, query: 'histogram_quantile(0.99, sum by (le) (rate(shop_latency_seconds_bucket[5m])))', line: 4},
			{title: undefined, query: 'shop_queue_depth', line: 6},
		]);
	});
	it('guesses a unit from metric names', () => {
		expect(guessUnit('histogram_quantile(0.95, rate(x_seconds_bucket[5m]))')).toBe('seconds');
		expect(guessUnit('rate(x_requests_total[5m])')).toBe('reqps');
		expect(guessUnit('rate(x_seconds_count[5m])')).toBe('reqps');
		expect(guessUnit('sum(rate(e_total[5m])) / sum(rate(r_total[5m]))')).toBe('percent');
		expect(guessUnit('process_resident_memory_bytes')).toBe('bytes');
		expect(guessUnit('up')).toBe('plain');
	});
});
