import {describe, expect, it} from 'vitest';
import type {TileSnapshot} from '../../source/metrics/poller.js';
import {tileView, type TileMeta} from '../../source/metrics/tile.js';

const meta: TileMeta = {id: 'err', title: 'Error rate', unit: 'percent', kind: 'prometheus', intervalMs: 5000, warn: 0.01, crit: '2x baseline'};
const at = 1_700_000_000_000;

function snap(over: Partial<TileSnapshot>): TileSnapshot {
	return {id: 'err', value: null, updatedAt: at, checkedAt: at, error: null, stale: false, history: [], failures: 0, ...over};
}

describe('tileView', () => {
	it('formats value, delta, sparkline and state with a glyph', () => {
		const v = tileView(meta, snap({value: 0.012, history: [0.004, 0.008, 0.012]}), {now: at, baseline: {value: 0.004, at: ''}});
		expect(v).toMatchObject({valueText: '1.20%', deltaText: '+0.80%', spark: '▁▅█', state: 'crit', glyph: '✖', dim: false, staleText: '', crossed: '> 2x baseline (0.80%)'});
	});

	it('is warn under the relative crit, and relative thresholds wait for a baseline', () => {
		expect(tileView(meta, snap({value: 0.012}), {now: at, baseline: {value: 0.01, at: ''}})).toMatchObject({state: 'warn', glyph: '▲'});
		expect(tileView(meta, snap({value: 0.5}), {now: at})).toMatchObject({state: 'warn', deltaText: ''});
		expect(tileView(meta, snap({value: 0.001}), {now: at})).toMatchObject({state: 'ok', glyph: '✓'});
	});

	it('keeps a stale value, dimmed, with `stale 35s` and the reason', () => {
		const v = tileView(meta, snap({value: 0.002, stale: true, error: {kind: 'unreachable', message: 'cannot reach http://p:9090: ECONNREFUSED'}}), {now: at + 35_400});
		expect(v).toMatchObject({valueText: '0.20%', staleText: 'stale 35s', dim: true, errorText: 'cannot reach http://p:9090: ECONNREFUSED'});
	});

	it('shows `no data` for an empty result and the error text for a bad query', () => {
		expect(tileView(meta, snap({error: {kind: 'no-data', message: 'no data'}}), {now: at})).toMatchObject({valueText: 'no data', state: 'unknown', glyph: '·', dim: true});
		expect(tileView(meta, snap({error: {kind: 'query', message: 'parse error at char 9: unclosed'}}), {now: at})).toMatchObject({valueText: 'error', errorText: 'parse error at char 9: unclosed'});
	});

	it('says how old an answer is once it is overdue, and nothing before', () => {
		expect(tileView(meta, snap({value: 0.001}), {now: at + 4000}).ageText).toBe('');
		expect(tileView(meta, snap({value: 0.001}), {now: at + 20_000}).ageText).toBe('20s');
	});

	it('before the first answer shows an ellipsis, dimmed', () => {
		expect(tileView(meta, undefined, {now: at})).toMatchObject({valueText: '…', dim: true, state: 'unknown'});
	});

	it('lists top-N series by their distinguishing labels', () => {
		const v = tileView({...meta, warn: undefined, crit: undefined}, snap({value: 0.3, series: [{labels: {pod: 'a', job: 'x'}, value: 0.3}, {labels: {pod: 'b', job: 'x'}, value: 0.1}]}), {now: at});
		expect(v.lines).toEqual(['a 30.0%', 'b 10.0%']);
	});

	it('alerts: NEW only against a baseline, crit when there are NEW ones', () => {
		const alerts = [
			{name: 'Old', state: 'firing' as const, labels: {alertname: 'Old'}, annotations: {}, key: 'alertname=Old'},
			{name: 'Fresh', state: 'firing' as const, labels: {alertname: 'Fresh'}, annotations: {}, key: 'alertname=Fresh'},
		];
		const alertsMeta: TileMeta = {id: 'alerts', title: 'alerts', unit: 'plain', kind: 'alerts', intervalMs: 5000};
		const s = snap({id: 'alerts', value: 2, alerts});
		expect(tileView(alertsMeta, s, {now: at})).toMatchObject({valueText: '2 firing', newAlerts: [], state: 'warn', lines: ['Old', 'Fresh']});
		const v = tileView(alertsMeta, s, {now: at, baselineAlerts: new Set(['alertname=Old'])});
		expect(v).toMatchObject({newAlerts: ['Fresh'], state: 'crit', lines: ['Old', 'NEW Fresh']});
		expect(tileView(alertsMeta, snap({id: 'alerts', value: 0, alerts: []}), {now: at, baselineAlerts: new Set()})).toMatchObject({state: 'ok', valueText: '0 firing'});
	});

	it('targets: down count, warn when any is down', () => {
		const targetsMeta: TileMeta = {id: 'targets', title: 'targets', unit: 'plain', kind: 'targets', intervalMs: 15_000};
		expect(tileView(targetsMeta, snap({value: 2, down: [{job: 'api', instance: 'h1:80', lastError: 'x'}]}), {now: at})).toMatchObject({valueText: '2 down', state: 'warn', lines: ['api h1:80']});
		expect(tileView(targetsMeta, snap({value: 0}), {now: at}).state).toBe('ok');
	});
});
