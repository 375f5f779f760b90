// Stub: the metrics part owns this file. Rendered in the reserved tiles row;
// must never be taller than `height` lines or wider than `width` columns.
import {Box, Text} from 'ink';
import {useCockpit} from '../use-cockpit.js';

export function TilesRow({width, height}: {width: number; height: number}) {
	const count = useCockpit(s => s.tiles.length);
	if (height <= 0) return null;
	return (
		<Box width={width} height={height}>
			<Text dimColor wrap="truncate-end">{count === 0 ? 'no tiles' : `${count} tiles`}</Text>
		</Box>
	);
}
