// Issue 16, item 8: a stale tile value must not keep the ✓ glyph
// (`✓ Up 1 stale 20s`): the value is old, so the glyph says so.
import {describe, expect, it} from 'vitest';
import type {TileSnapshot} from '../../source/metrics/poller.js';
import {STALE_GLYPH, STATE_GLYPH, tileView, type TileMeta} from '../../source/metrics/tile.js';

const up: TileMeta = {id: 'up', title: 'Up', unit: 'plain', kind: 'prometheus', intervalMs: 5000};
const at = 1_700_000_000_000;
const snap = (over: Partial<TileSnapshot>): TileSnapshot => ({id: 'up', value: 1, updatedAt: at, checkedAt: at, error: null, stale: false, history: [1], failures: 0, ...over});

describe('a stale tile', () => {
	it('shows the stale glyph, not ✓, while its source fails', () => {
		const view = tileView(up, snap({stale: true, error: {kind: 'unreachable', message: 'cannot reach Prometheus'}}), {now: at + 20_000});
		expect(view.staleText).toBe('stale 20s');
		expect(view.glyph).toBe(STALE_GLYPH);
		expect(Object.values(STATE_GLYPH)).not.toContain(STALE_GLYPH);
	});

	it('shows the stale glyph when an answer is overdue (a poll hangs)', () => {
		const view = tileView(up, snap({}), {now: at + 30_000});
		expect(view.ageText).toBe('30s');
		expect(view.glyph).toBe(STALE_GLYPH);
	});

	it('keeps the state glyph for a fresh value', () => {
		expect(tileView(up, snap({}), {now: at + 1000}).glyph).toBe(STATE_GLYPH.ok);
	});
});
