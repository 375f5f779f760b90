// The tiles row. Each tile is its own component; values are picked up on the
// shared one-second tick (see useTileView), so twelve tiles polling every
// second cost no extra frames beyond the clock's, and a tick that changes
// nothing visible writes nothing (Ink's incremental rendering skips equal
// lines).
import {useMemo} from 'react';
import {Box, Text} from 'ink';
import {formatAge} from '../../metrics/format.js';
import {tileView, type TileView} from '../../metrics/tile.js';
import {useTheme, type Theme} from '../theme.js';
import {useSecond} from '../ticker.js';
import {useCockpit, useCockpitStore, useShallow} from '../use-cockpit.js';
import {GAP, layoutTiles} from './tile-layout.js';

type ViewNoAge = Omit<TileView, 'staleText' | 'ageText'> & {
	/** When the age is to be shown: `stale` (source failing) or `age` (answer overdue). */
	ageKind: 'stale' | 'age' | null;
	updatedAt: number | null;
};

/**
 * The tile's view, refreshed on the shared one-second tick rather than on
 * every store change: the header clock redraws on that tick anyway, so tile
 * values ride along in the same React commit and the same Ink frame instead
 * of costing a frame of their own (tiles poll at most once a second; values
 * are at most a second late on screen). The rollback banner does not wait:
 * it follows the store's tileStates directly.
 */
function useTileView(id: string, sparkWidth: number): ViewNoAge | null {
	const store = useCockpitStore();
	const second = useSecond();
	const json = useMemo(() => {
		const s = store.getState();
		const tile = s.tiles.find(t => t.id === id);
		if (!tile) return '';
		const snap = s.tileSnaps[id];
		const baselineAlerts = s.session.baselineAlerts ? new Set(s.session.baselineAlerts) : undefined;
		const base = s.session.baseline?.[id];
		const at = snap?.updatedAt ?? 0;
		const view = tileView(tile, snap, {now: at, baseline: base, baselineAlerts, sparkWidth});
		// The age is drawn by <Age>; here only whether it is shown.
		const overdueAt = at + tile.intervalMs * 2 + 1000;
		const {staleText: _s, ageText: _a, ...rest} = view;
		const ageKind = view.staleText ? 'stale' : snap && snap.updatedAt !== null && !snap.error ? 'age' : null;
		return JSON.stringify({...rest, ageKind, updatedAt: snap?.updatedAt ?? null, overdueAt});
		// `second` and `state` are the refresh triggers.
	}, [store, id, sparkWidth, second]);
	return useMemo(() => (json ? (JSON.parse(json) as ViewNoAge) : null), [json]);
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

/** `stale 35s` for a failing source; an age only once an answer is overdue. Ticks only while shown. */
function Age({kind, updatedAt, overdueAt, theme}: {kind: 'stale' | 'age'; updatedAt: number; overdueAt: number; theme: Theme}) {
	const second = useSecond();
	const now = Math.max(Date.now(), second * 1000);
	if (kind === 'age' && now < overdueAt) return null;
	const text = kind === 'stale' ? `stale ${formatAge(now - updatedAt)}` : `${formatAge(now - updatedAt)} old`;
	return <Text color={theme.warn}>{` ${text}`}</Text>;
}

/** Starts ticking (one re-render per second) only once the tile could be overdue. */
function MaybeAge({view, theme}: {view: ViewNoAge & {overdueAt?: number}; theme: Theme}) {
	if (!view.ageKind || view.updatedAt === null) return null;
	return <Age kind={view.ageKind} updatedAt={view.updatedAt} overdueAt={view.overdueAt ?? 0} theme={theme} />;
}

function TallTile({id, width, height}: {id: string; width: number; height: number}) {
	const theme = useTheme();
	const view = useTileView(id, width);
	if (!view) return <Box width={width} height={height} />;
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
				<MaybeAge view={view} theme={theme} />
			</Text>
			<Text wrap="truncate-end" color={view.dim ? theme.muted : theme.accent} dimColor={view.dim}>
				{height >= 3 ? view.spark || errorLines[0] || ' ' : ''}
			</Text>
			{extra.map((line, i) => (
				<Text key={i} wrap="truncate-end" color={line.startsWith('NEW ') ? theme.crit : theme.muted}>
					{line}
				</Text>
			))}
		</Box>
	);
}

function CompactTile({id, width}: {id: string; width: number}) {
	const theme = useTheme();
	const sparkWidth = width >= 40 ? 10 : width >= 30 ? 6 : 0;
	const view = useTileView(id, sparkWidth);
	if (!view) return <Box width={width} height={1} />;
	const color = stateColor(view, theme);
	const value = view.newAlerts.length > 0 ? `${view.valueText} ${view.newAlerts.length} NEW` : view.valueText;
	// Title gets what is left after glyph, value and sparkline; value and state always show.
	const titleWidth = Math.max(3, width - 2 - value.length - 1 - (view.spark ? view.spark.length + 1 : 0) - (view.ageKind === 'stale' ? 10 : 0));
	const title = view.title.length > titleWidth ? `${view.title.slice(0, titleWidth - 1)}…` : view.title;
	return (
		<Box width={width} height={1} flexShrink={0} overflow="hidden">
			<Text wrap="truncate-end">
				<Text color={color}>{view.glyph}</Text> <Text dimColor={view.dim}>{title}</Text>{' '}
				<Text color={color} bold={!view.dim && view.state !== 'ok'} dimColor={view.dim}>{value}</Text>
				<MaybeAge view={view} theme={theme} />
				{view.spark ? <Text color={theme.muted}>{` ${view.spark}`}</Text> : null}
			</Text>
		</Box>
	);
}

export function TilesRow({width, height}: {width: number; height: number}) {
	const theme = useTheme();
	const store = useCockpitStore();
	// A new tile set shows at once; states (for overflow ordering) are read on the tick.
	const ids = useCockpit(useShallow(s => s.tiles.map(t => t.id)));
	const second = useSecond();
	const order = useMemo(() => {
		const states = store.getState().tileStates;
		return ids.map(id => `${id}\u0000${states[id]?.state ?? 'unknown'}`).join('\u0001');
	}, [store, ids, second]);
	const layout = useMemo(() => {
		const tiles = order ? order.split('\u0001').map(k => {
			const [id = '', state = 'unknown'] = k.split('\u0000');
			return {id, state: state as 'ok' | 'warn' | 'crit' | 'unknown'};
		}) : [];
		return layoutTiles(tiles, width, height);
	}, [order, width, height]);
	if (height <= 0 || ids.length === 0) return null;
	if (layout.mode === 'tall') {
		return (
			<Box width={width} height={height} flexDirection="row" overflow="hidden">
				{layout.cells.map((c, i) => (
					<Box key={c.id} marginLeft={i === 0 ? 0 : GAP} flexShrink={0}>
						<TallTile id={c.id} width={c.width} height={height} />
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
								<CompactTile id={c.id} width={c.width} />
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
