// Stub: the flags part owns this file. Shown in place of the panes while
// overlay === 'flags' (key F).
import {Box, Text} from 'ink';
import {useCockpit} from '../use-cockpit.js';

export function FlagPanel({width, height}: {width: number; height: number}) {
	const count = useCockpit(s => s.flags.length);
	return (
		<Box width={width} height={height} flexDirection="column" overflow="hidden">
			<Text bold>Feature flags</Text>
			<Text>{count === 0 ? 'no flags configured' : `${count} flags`}</Text>
			<Text dimColor>Esc closes</Text>
		</Box>
	);
}
