// Stub: the rollback part owns this file. One line above the panes, or nothing.
import {Text} from 'ink';
import {useCockpit} from '../use-cockpit.js';

export function TriggerBanner({width}: {width: number}) {
	const banner = useCockpit(s => s.triggerBanner);
	if (!banner) return null;
	return (
		<Text color="red" bold wrap="truncate-end">
			{`⚑ ${banner}`.slice(0, width)}
		</Text>
	);
}
