// One rule for every overlay: Esc and q close it (q never quits from inside
// an overlay; where a value is being typed, q is text and only Esc closes),
// `?` shows that overlay's keys (again ?, Esc or q hides them), and the hint
// bar shows the keys of whatever has focus. The key lists live here so the
// `?` box and the hint bar say the same thing.
import {Box, Text} from 'ink';
import type {CockpitState} from '../../store/index.js';
import type {Key} from '../input/keys.js';
import {useTheme} from '../theme.js';

export type KeyList = Array<[keys: string, what: string]>;

export const OVERLAY_KEYS: Record<string, KeyList> = {
	help: [
		['Esc q ?', 'close'],
		['R', 'rollback panel'],
	],
	find: [
		['type', 'search (the first key replaces the last query)'],
		['↑ ↓', 'pick a match'],
		['Enter', 'jump to it'],
		['Esc', 'close (q and ? are text here)'],
		['N', 'later, from the panes: next match'],
	],
	preflight: [
		['y', 'run exactly this (once all of it was on screen)'],
		['j k ↓ ↑ PgDn PgUp Space', 'scroll (while values are typed: PgDn/PgUp)'],
		['Tab ↑ ↓', 'move between values'],
		['Enter', 'next value'],
		['n Esc q', 'abandon the run'],
	],
	'confirm-cancel': [
		['y', 'cancel the run'],
		['n Esc q', 'keep it running'],
	],
	'confirm-quit': [
		['y', 'quit (running commands keep running)'],
		['n Esc q', 'stay'],
	],
	'confirm-rerun': [
		['y', 'run it again'],
		['n Esc q', 'leave it done'],
	],
	'confirm-unclaimed': [
		['y', 'run it on your own, unclaimed (once all of it was on screen)'],
		['n Esc q', 'do not run it'],
	],
	rollback: [
		['y', 'start the rollback (once the whole plan was on screen)'],
		['PgDn PgUp Space g G', 'scroll the plan'],
		['j k ↓ ↑', 'choose the procedure (several) / scroll (one)'],
		['r s a', 'at a failure: retry, skip, abort'],
		['x / c', 'cancel this rollback step / forward steps'],
		['d', 'dismiss the trigger'],
		['Esc q', 'close (a running rollback carries on; R shows it)'],
	],
	flags: [
		['j k ↓ ↑ g G', 'select a flag'],
		['Enter Space', 'toggle (asks, shows what is written)'],
		['y / n', 'write it / do not'],
		['Esc q F', 'close'],
	],
};

/**
 * Esc / q / ? for an overlay. `text`: a value is being typed, so q and ?
 * are text. Returns true when the key was handled here.
 */
export function overlayRuleKey(s: CockpitState, key: Key, close: () => void, text = false): boolean {
	if (key.ctrl || key.meta || key.paste) return false;
	if (s.overlayKeys) {
		if (key.name === 'escape' || key.name === 'q' || key.name === '?') {
			s.toggleOverlayKeys();
			return true;
		}
		return false;
	}
	if (key.name === 'escape' || (!text && key.name === 'q')) {
		close();
		return true;
	}
	if (!text && key.name === '?') {
		s.toggleOverlayKeys();
		return true;
	}
	return false;
}

/** The `?` box of an overlay. */
export function OverlayKeysBox({overlay, width, height}: {overlay: string; width: number; height: number}) {
	const theme = useTheme();
	const list = OVERLAY_KEYS[overlay] ?? [['Esc q', 'close']];
	const keyWidth = Math.min(26, Math.max(...list.map(([k]) => k.length)) + 2);
	return (
		<Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={theme.accent} overflow="hidden">
			<Text bold color={theme.accent} wrap="truncate-end">
				Keys here
			</Text>
			{list.map(([keys, what]) => (
				<Box key={keys} height={1}>
					<Box width={keyWidth} flexShrink={0}>
						<Text color={theme.accent} bold wrap="truncate-end">
							{keys}
						</Text>
					</Box>
					<Text wrap="truncate-end">{what}</Text>
				</Box>
			))}
			<Text color={theme.muted} wrap="truncate-end">
				? / Esc / q hides this
			</Text>
		</Box>
	);
}
