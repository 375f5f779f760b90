import {Box, Text} from 'ink';
import {useTheme} from '../theme.js';

/** A pane's one-line title; the focused pane is marked by ▸ and bold, not colour alone. */
export function PaneTitle({title, focused, width, right}: {title: string; focused: boolean; width: number; right?: string}) {
	const theme = useTheme();
	return (
		<Box width={width} height={1}>
			<Box flexGrow={1} flexShrink={1}>
				<Text wrap="truncate-end" bold={focused} color={focused ? theme.accent : theme.muted}>
					{focused ? '▸ ' : '  '}
					{title}
				</Text>
			</Box>
			{right ? (
				<Box flexShrink={0}>
					<Text color={theme.muted}> {right}</Text>
				</Box>
			) : null}
		</Box>
	);
}

/** First row index so `selected` stays in view, keeping it near the middle. */
export function windowStart(selected: number, count: number, rows: number): number {
	if (count <= rows || selected < 0) return 0;
	return Math.max(0, Math.min(selected - Math.floor(rows / 2), count - rows));
}
