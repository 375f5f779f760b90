// Stub: the rollback part owns this file. Shown in place of the panes while
// overlay === 'rollback' (key R); Esc closing it is handled by the layout
// unless this panel consumes Esc itself (useKeys with LAYER_OVERLAY).
import {Box, Text} from 'ink';
import {useCockpit} from '../use-cockpit.js';

export function RollbackPanel({width, height}: {width: number; height: number}) {
	const rollback = useCockpit(s => s.checklist.rollback);
	return (
		<Box width={width} height={height} flexDirection="column" overflow="hidden">
			<Text bold>Rollback</Text>
			<Text wrap="truncate-end">{rollback.default ? `default procedure: ${rollback.default}` : 'no rollback procedure in this checklist'}</Text>
			<Text dimColor>Esc closes</Text>
		</Box>
	);
}
