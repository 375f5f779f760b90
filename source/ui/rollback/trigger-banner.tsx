// One line above the panes while a rollback trigger is active (a tile over
// crit, a NEW firing alert, a high-risk step failed). It stays until a
// rollback starts or the trigger is dismissed in the rollback panel (d).
import {Text} from 'ink';
import {TRIGGER_MARK} from '../glyphs.js';
import {useTheme} from '../theme.js';
import {useCockpit} from '../use-cockpit.js';

export function TriggerBanner({width}: {width: number}) {
	const theme = useTheme();
	const banner = useCockpit(s => s.triggerBanner);
	if (!banner) return null;
	return (
		<Text color={theme.crit} bold inverse wrap="truncate-end">
			{` ${TRIGGER_MARK} ${banner} `.slice(0, Math.max(0, width))}
		</Text>
	);
}
