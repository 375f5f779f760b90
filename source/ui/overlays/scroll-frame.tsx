// A bordered box whose rows scroll, and the gate every confirmation uses:
// `y` (or the Enter that starts a run) is refused until the whole text has
// been on screen — scrolled to its end, or it fits. What you confirm is what
// you read.
import {useRef, useState} from 'react';
import {Box, Text} from 'ink';
import type {Key} from '../input/keys.js';
import {useTheme} from '../theme.js';

export interface ScrollGate {
	offset: number;
	/** The rows shown. */
	view: number;
	total: number;
	/** Every row has been on screen at least once. */
	seenAll: boolean;
	/** Handles j/k ↑/↓ PgUp/PgDn Space g/G Home/End; returns true when the key scrolled. */
	scrollKey(key: Key, options?: {arrows?: boolean; letters?: boolean}): boolean;
	/** One line saying why a confirmation is refused. */
	refusal: string;
}

/** Scroll state for `total` rows shown `view` at a time; resets when `resetKey` changes. */
export function useScrollGate(total: number, view: number, resetKey: string): ScrollGate {
	const [state, setState] = useState({offset: 0, key: resetKey});
	const seen = useRef({key: resetKey, max: 0});
	const offset0 = state.key === resetKey ? state.offset : 0;
	const max = Math.max(0, total - Math.max(1, view));
	const offset = Math.min(offset0, max);
	if (seen.current.key !== resetKey) seen.current = {key: resetKey, max: 0};
	seen.current.max = Math.max(seen.current.max, offset + Math.max(0, view));
	const seenAll = seen.current.max >= total;
	const page = Math.max(1, view - 1);
	const moveTo = (next: number) => {
		const clamped = Math.max(0, Math.min(max, next));
		setState({offset: clamped, key: resetKey});
	};
	return {
		offset,
		view,
		total,
		seenAll,
		refusal: `read it all first: ${Math.max(0, total - (offset + view))} more line(s) below — j / ↓ / PgDn / Space scroll`,
		scrollKey(key, {arrows = true, letters = true} = {}) {
			if (key.ctrl || key.meta) return false;
			const n = key.name;
			if ((arrows && n === 'down') || (letters && n === 'j')) moveTo(offset + 1);
			else if ((arrows && n === 'up') || (letters && n === 'k')) moveTo(offset - 1);
			else if (n === 'pagedown' || (letters && n === 'space')) moveTo(offset + page);
			else if (n === 'pageup') moveTo(offset - page);
			else if (n === 'home' || (letters && n === 'g')) moveTo(0);
			else if (n === 'end' || (letters && n === 'G')) moveTo(max);
			else return false;
			return true;
		},
	};
}

/** Rows (each one terminal line, already wrapped) in a round border with a title and footer. */
export function ScrollFrame({
	width,
	height,
	title,
	rows,
	gate,
	footer,
	message,
	borderColor,
}: {
	width: number;
	height: number;
	title: string;
	rows: React.ReactNode[];
	gate: ScrollGate;
	footer: string;
	message?: {text: string; color?: string} | null;
	borderColor?: string;
}) {
	const theme = useTheme();
	const shown = rows.slice(gate.offset, gate.offset + gate.view);
	const below = Math.max(0, gate.total - gate.offset - gate.view);
	const position = gate.total > gate.view ? ` · ${gate.offset + 1}–${gate.offset + shown.length} of ${gate.total}${below > 0 ? ` ↓${below}` : ' (end)'}` : '';
	return (
		<Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={borderColor ?? theme.accent} overflow="hidden">
			<Text bold color={theme.accent} wrap="truncate-end">
				{title}
				<Text color={theme.muted} bold={false}>
					{position}
				</Text>
			</Text>
			<Box flexDirection="column" height={gate.view} flexGrow={1} overflow="hidden">
				{shown}
			</Box>
			{message ? (
				<Text color={message.color ?? theme.warn} wrap="truncate-end">
					{message.text}
				</Text>
			) : null}
			<Text color={theme.muted} wrap="truncate-end">
				{footer}
			</Text>
		</Box>
	);
}

/** Rows a ScrollFrame of `height` shows (border, title, footer and a message line take the rest). */
export function frameView(height: number): number {
	return Math.max(1, height - 5);
}
