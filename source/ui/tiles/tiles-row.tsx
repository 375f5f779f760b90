// The tiles row. One component subscribes to the shared one-second tick (the
// header clock redraws on it anyway) and reads the store then, so twelve tiles
// polling every second ride along in the clock's React commit and Ink frame
// instead of costing frames of their own; values are at most a second late on
// screen (the rollback banner does not wait: it follows the store's
// tileStates directly). Each tile gets its view as a string prop and is
// memoised, so only tiles whose text changed re-render, and lines that did not
// change are not rewritten (Ink's incremental rendering).
import {memo, useMemo} from 'react';
import {Box, Text} from 'ink';
import {tileView, type TileView} from '../../metrics/tile.js';
import type {CockpitState} from '../../store/index.js';
import {useTheme, type Theme} from '../theme.js';
import {useSecond} from '../ticker.js';
import {useCockpit, useCockpitStore, useShallow} from '../use-cockpit.js';
import {GAP, layoutTiles, type TileLayout} from './tile-layout.js';

/** The view plus the age text to show (`stale 35s`, or `40s old` once an answer is overdue). */
type ShownView = Omit<TileView, 'staleText' | 'ageText'> & {age: string};

function viewOf(s: CockpitState, id: string, now: number, sparkWidth: number): ShownView | null {
	const tile = s.tiles.find(t => t.id === id);
	if (!tile) return null;
	const snap = s.tileSnaps[id];
	const baselineAlerts = s.session.baselineAlerts ? new Set(s.session.baselineAlerts) : undefined;
	const view = tileView(tile, snap, {now, baseline: s.session.baseline?.[id], baselineAlerts, sparkWidth});
	const {staleText, ageText, ...rest} = view;
	return {...rest, age: staleText || (ageText ? `${ageText} old` : '')};
}

function chunk(text: string, width: number, max: number): string[] {
	const out: string[] = [];
	let rest = text;
	while (rest && out.length < max) {
		if (rest.length <= width || out.length === max - 1) {
			out.push(rest);
			break;
		}
		const cut = rest.lastIndexOf(' ', width);
		const at = cut > width / 2 ? cut : width;
		out.push(rest.slice(0, at));
		rest = rest.slice(at).trimStart();
	}
	return out;
}

function stateColor(view: Pick<TileView, 'state' | 'dim'>, theme: Theme): string | undefined {
	if (view.dim) return theme.muted;
	if (view.state === 'crit') return theme.crit;
	if (view.state === 'warn') return theme.warn;
	if (view.state === 'ok') return theme.ok;
	return theme.muted;
}

const TallTile = memo(function TallTile({json, width, height}: {json: string; width: number; height: number}) {
	const theme = useTheme();
	const view = JSON.parse(json) as ShownView;
	const color = stateColor(view, theme);
	const spare = Math.max(0, height - 3);
	// An error message gets the spare lines first, wrapped to the tile's width.
	const errorLines = view.errorText ? chunk(view.errorText, width, view.spark ? spare : spare + 1) : [];
	const extra = [...(view.spark ? errorLines : errorLines.slice(1)), ...view.lines].slice(0, spare);
	return (
		<Box width={width} height={height} flexDirection="column" flexShrink={0} overflow="hidden">
			<Text wrap="truncate-end">
				<Text color={color}>{view.glyph}</Text> <Text bold={!view.dim} dimColor={view.dim}>{view.title}</Text>
			</Text>
			<Text wrap="truncate-end">
				<Text color={color} bold={!view.dim && view.state !== 'ok'} dimColor={view.dim}>{view.valueText}</Text>
				{view.deltaText ? <Text color={theme.muted}>{` ${view.deltaText}`}</Text> : null}
				{view.newAlerts.length > 0 ? <Text color={theme.crit} bold>{` ${view.newAlerts.length} NEW`}</Text> : null}
				{view.age ? <Text color={theme.warn}>{` ${view.age}`}</Text> : null}
			</Text>
			<Text wrap="truncate-end" color={view.dim ? theme.muted : theme.accent} dimColor={view.dim}>
				{view.spark || errorLines[0] || ' '}
			</Text>
			{extra.map((line, i) => (
				<Text key={i} wrap="truncate-end" color={line.startsWith('NEW ') ? theme.crit : theme.muted}>
					{line}
				</Text>
			))}
		</Box>
	);
});

const CompactTile = memo(function CompactTile({json, width}: {json: string; width: number}) {
	const theme = useTheme();
	const view = JSON.parse(json) as ShownView;
	const color = stateColor(view, theme);
	const value = view.newAlerts.length > 0 ? `${view.valueText} ${view.newAlerts.length} NEW` : view.valueText;
	const age = view.age ? ` ${view.age}` : '';
	// The title gets what is left after glyph, value, age and sparkline; value and state always show.
	const titleWidth = Math.max(3, width - 2 - value.length - 1 - age.length - (view.spark ? view.spark.length + 1 : 0));
	const title = view.title.length > titleWidth ? `${view.title.slice(0, titleWidth - 1)}…` : view.title;
	return (
		<Box width={width} height={1} flexShrink={0} overflow="hidden">
			<Text wrap="truncate-end">
				<Text color={color}>{view.glyph}</Text> <Text dimColor={view.dim}>{title}</Text>{' '}
				<Text color={color} bold={!view.dim && view.state !== 'ok'} dimColor={view.dim}>{value}</Text>
				{age ? <Text color={theme.warn}>{age}</Text> : null}
				{view.spark ? <Text color={theme.muted}>{` ${view.spark}`}</Text> : null}
			</Text>
		</Box>
	);
});

function compactSpark(width: number): number {
	return width >= 40 ? 10 : width >= 30 ? 6 : 0;
}

export function TilesRow({width, height}: {width: number; height: number}) {
	const theme = useTheme();
	const store = useCockpitStore();
	// A new set of tiles shows at once; everything else is read on the tick.
	const ids = useCockpit(useShallow(s => s.tiles.map(t => t.id)));
	const second = useSecond();
	const {layout, views} = useMemo((): {layout: TileLayout; views: Map<string, string>} => {
		const s = store.getState();
		const now = Date.now();
		const order = ids.map(id => ({id, state: s.tileStates[id]?.state ?? ('unknown' as const)}));
		const l = layoutTiles(order, width, height);
		const spark = l.mode === 'tall' ? l.cellWidth : compactSpark(l.cellWidth);
		const out = new Map<string, string>();
		for (const c of l.cells) {
			const v = viewOf(s, c.id, now, spark);
			if (v) out.set(c.id, JSON.stringify(v));
		}
		return {layout: l, views: out};
		// `second` is the refresh trigger: the store is read on the tick, not on each change.
	}, [store, ids, second, width, height]);
	if (height <= 0 || ids.length === 0) return null;

	if (layout.mode === 'tall') {
		return (
			<Box width={width} height={height} flexDirection="row" overflow="hidden">
				{layout.cells.map((c, i) => (
					<Box key={c.id} marginLeft={i === 0 ? 0 : GAP} flexShrink={0}>
						{views.has(c.id) ? <TallTile json={views.get(c.id) ?? ''} width={c.width} height={height} /> : <Box width={c.width} />}
					</Box>
				))}
			</Box>
		);
	}
	const rows: Array<typeof layout.cells> = [];
	for (const c of layout.cells) (rows[c.row] ??= []).push(c);
	return (
		<Box width={width} height={height} flexDirection="column" overflow="hidden">
			{Array.from({length: height}, (_, r) => {
				const row = rows[r] ?? [];
				const moreHere = layout.more && layout.more.row === r ? layout.more : null;
				if (row.length === 0 && !moreHere) return <Box key={r} height={1} />;
				return (
					<Box key={r} height={1} flexDirection="row">
						{row.map((c, i) => (
							<Box key={c.id} marginLeft={i === 0 ? 0 : GAP} flexShrink={0}>
								{views.has(c.id) ? <CompactTile json={views.get(c.id) ?? ''} width={c.width} /> : <Box width={c.width} />}
							</Box>
						))}
						{moreHere ? (
							<Box marginLeft={row.length === 0 ? 0 : GAP} width={moreHere.width} flexShrink={0}>
								<Text color={theme.muted} wrap="truncate-end">{`+${layout.hidden.length} more`}</Text>
							</Box>
						) : null}
					</Box>
				);
			})}
		</Box>
	);
}
