// The feature-flag panel (overlay 'flags', key F): every watched flag with its
// value and when it last changed. Enter/Space asks to toggle the selected
// flag and shows exactly what will be written; `y` (typed on its own, never
// pasted or batched) writes it. Flags changed outside show up at the next poll.
import {Box, Text} from 'ink';
import type {Flag} from '../../flags/types.js';
import {isDeliberate, type Key} from '../input/keys.js';
import {LAYER_OVERLAY, useKeys} from '../input/key-context.js';
import {overlayRuleKey} from '../overlays/overlay-rule.js';
import {CURSOR} from '../glyphs.js';
import {useSecond} from '../ticker.js';
import {useTheme, type Theme} from '../theme.js';
import {useCockpit, useCockpitStore} from '../use-cockpit.js';

const REFUSED = 'that key arrived together with other input (a paste?) — press it again on its own';

/** "just now", "12s ago", "4m ago", "2h ago", "3d ago". */
export function formatAgo(ms: number): string {
	const s = Math.max(0, Math.floor(ms / 1000));
	if (s < 2) return 'just now';
	if (s < 60) return `${s}s ago`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m}m ago`;
	const h = Math.floor(m / 60);
	if (h < 48) return `${h}h ago`;
	return `${Math.floor(h / 24)}d ago`;
}

function clock(ms: number): string {
	return new Date(ms).toISOString().slice(11, 19);
}

function glyphOf(flag: Flag): string {
	if (flag.value === null) return '✕';
	if (flag.enabled === true) return '●';
	if (flag.enabled === false) return '○';
	return '·';
}

function colorOf(flag: Flag, theme: Theme): string | undefined {
	if (flag.stale || flag.value === null) return theme.muted;
	if (flag.enabled === true) return theme.ok;
	if (flag.enabled === false) return theme.warn;
	return undefined;
}

/** The "when" column: changed Ns ago (was X), or unchanged since first seen. */
export function describeChange(flag: Flag, now: number): string {
	const stale = flag.stale ? 'stale · ' : '';
	if (flag.changedAt === null) return `${stale}unchanged since ${clock(flag.firstSeenAt)} UTC (first seen)`;
	const was = flag.previous === undefined ? '' : flag.previous === null ? ' (new)' : ` (was ${flag.previous})`;
	return `${stale}${flag.value === null ? 'deleted' : 'changed'} ${formatAgo(now - flag.changedAt)}${was}`;
}

function trim(text: string, width: number): string {
	if (width <= 0) return '';
	return text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text;
}

export function FlagPanel({width, height}: {width: number; height: number}) {
	const theme = useTheme();
	const store = useCockpitStore();
	const open = useCockpit(s => s.overlay === 'flags');
	const view = useCockpit(s => s.flags);
	useSecond();
	const now = store.getState().flagsNow();

	useKeys(
		(key: Key) => {
			const s = store.getState();
			const pending = s.flags.pending;
			// Esc / q / ? as in every overlay (with a write pending, they cancel the write first).
			if (overlayRuleKey(s, key, () => (pending ? s.flagCancelToggle() : s.closeOverlay()))) return true;
			// The rollback key works from here too.
			if (key.name === 'R' && !key.ctrl && !key.meta && !pending) {
				s.openOverlay('rollback');
				return true;
			}
			if (pending) {
				if (key.name === 'y' && !key.ctrl && !key.meta) {
					if (isDeliberate(key)) void s.flagConfirmToggle();
					else store.setState({flags: {...s.flags, message: {text: REFUSED, level: 'warn'}}});
				} else if (key.name === 'n') s.flagCancelToggle();
				else if (key.name === 'enter' || key.name === 'space') store.setState({flags: {...s.flags, message: {text: 'press y to write it, n or Esc to cancel', level: 'info'}}});
				return true;
			}
			if (key.name === 'down' || key.name === 'j') s.flagMove(1);
			else if (key.name === 'up' || key.name === 'k') s.flagMove(-1);
			else if (key.name === 'home' || key.name === 'g') s.flagMove(-Infinity);
			else if (key.name === 'end' || key.name === 'G') s.flagMove(Infinity);
			else if (key.name === 'F' || key.name === 'q') s.closeOverlay();
			else if (key.name === 'enter' || key.name === 'space') {
				if (isDeliberate(key)) s.flagRequestToggle();
				else store.setState({flags: {...s.flags, message: {text: REFUSED, level: 'warn'}}});
			}
			return true;
		},
		{active: open, layer: LAYER_OVERLAY},
	);

	const inner = Math.max(10, width - 2);
	const lines: React.ReactNode[] = [];
	const push = (node: React.ReactNode) =>
		lines.push(
			<Box key={lines.length} height={1} width={inner} overflow="hidden">
				{node}
			</Box>,
		);

	push(
		<Text wrap="truncate-end">
			<Text bold>Feature flags</Text>
			<Text color={theme.muted}>{view.pending ? '   y write · n/Esc cancel' : '   j/k select · Enter/Space toggle · Esc close'}</Text>
		</Text>,
	);
	if (!view.configured) {
		push(<Text color={theme.muted}>No flags configured. Add to the checklist&apos;s frontmatter:</Text>);
		push(<Text color={theme.muted}>{'  deploycockpit:'}</Text>);
		push(<Text color={theme.muted}>{'    flags: {redis: "feature:*", env: .env.infra, prefix: USE_NEW_}'}</Text>);
	}
	for (const source of view.sources) {
		const state = source.ok ? (source.error ? `⚠ ${source.error}` : 'ok') : source.lastPollAt === undefined ? 'reading…' : `✗ ${source.error ?? 'unavailable'} — values shown are stale`;
		const polled = source.lastPollAt !== undefined ? ` · read ${formatAgo(now - source.lastPollAt)}` : '';
		push(
			<Text wrap="truncate-end" color={source.ok && !source.error ? theme.muted : source.ok ? theme.warn : theme.crit}>
				{`${source.kind === 'redis' ? 'redis' : 'env  '} ${source.label} — ${state}${polled}`}
			</Text>,
		);
	}

	if (view.sources.length > 0) push(<Text> </Text>);

	const footer: React.ReactNode[] = [];
	const pushFooter = (node: React.ReactNode) =>
		footer.push(
			<Box key={`f${footer.length}`} height={1} width={inner} overflow="hidden">
				{node}
			</Box>,
		);
	if (view.pending) {
		pushFooter(<Text color={theme.border}>{'─'.repeat(Math.min(inner, 60))}</Text>);
		pushFooter(
			<Text bold color={theme.warn} wrap="truncate-end">
				{`Toggle ${view.pending.key}: ${view.pending.from} → ${view.pending.to}?  This writes exactly:`}
			</Text>,
		);
		pushFooter(<Text wrap="truncate-end">{`  ${view.pending.description}`}</Text>);
		pushFooter(<Text color={theme.muted}>{view.writing ? 'writing…' : 'y writes it (and records it in the audit log) · n or Esc cancels'}</Text>);
	}
	if (view.message) {
		const color = view.message.level === 'error' ? theme.crit : view.message.level === 'warn' ? theme.warn : theme.ok;
		pushFooter(
			<Text color={color} wrap="truncate-end">
				{view.message.text}
			</Text>,
		);
	}

	const listHeight = Math.max(1, height - lines.length - footer.length - 1);
	if (view.configured && view.items.length === 0 && view.sources.some(s => s.lastPollAt !== undefined)) {
		push(<Text color={theme.muted}>(no flags found yet)</Text>);
	} else if (view.items.length > 0) {
		const keyWidth = Math.min(Math.max(...view.items.map(f => f.key.length + (f.source === 'env' && f.line ? String(f.line).length + 1 : 0))), Math.floor(inner * 0.45));
		const valueWidth = Math.min(Math.max(5, ...view.items.map(f => (f.value ?? '(deleted)').length)), 16);
		// When the list scrolls, two of its lines say how many flags are above and below.
		const rows = view.items.length > listHeight ? Math.max(1, listHeight - 2) : listHeight;
		const start = Math.max(0, Math.min(view.selected - Math.floor(rows / 2), view.items.length - rows));
		const visible = view.items.slice(start, start + rows);
		if (start > 0) push(<Text color={theme.muted}>{`  … ${start} more above`}</Text>);
		visible.forEach((flag, i) => {
			const index = start + i;
			const selected = index === view.selected;
			const name = flag.source === 'env' && flag.line ? `${flag.key}:${flag.line}` : flag.key;
			const value = flag.value ?? '(deleted)';
			push(
				<Text wrap="truncate-end" inverse={selected && theme.color === false}>
					<Text color={theme.accent}>{selected ? `${CURSOR} ` : '  '}</Text>
					<Text color={colorOf(flag, theme)}>{`${glyphOf(flag)} `}</Text>
					<Text bold={selected}>{trim(name, keyWidth).padEnd(keyWidth)}</Text>
					<Text color={colorOf(flag, theme)}>{`  ${trim(value, valueWidth).padEnd(valueWidth)}`}</Text>
					<Text color={flag.stale ? theme.warn : flag.changedAt !== null && now - flag.changedAt < 60_000 ? theme.accent : theme.muted}>{`  ${describeChange(flag, now)}`}</Text>
				</Text>,
			);
		});
		const below = view.items.length - start - visible.length;
		if (below > 0) push(<Text color={theme.muted}>{`  … ${below} more below`}</Text>);
	}

	return (
		<Box width={width} height={height} flexDirection="column" overflow="hidden" paddingX={1}>
			{lines}
			<Box flexGrow={1} />
			{footer}
		</Box>
	);
}
