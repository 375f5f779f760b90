// The bottom line: a message when there is one (it fades after a few
// seconds), otherwise the keys that matter in the focused pane.
import {useEffect} from 'react';
import {Box, Text} from 'ink';
import {showKey} from './keymap.js';
import {useTheme} from './theme.js';
import {useCockpit, useCockpitStore} from './use-cockpit.js';

export const FLASH_MS = 5000;

const HINTS: Array<[string, string]> = [
	['run', 'run'],
	['toggleDone', 'done'],
	['skip', 'skip'],
	['cancel', 'cancel'],
	['nextPending', 'next'],
	['find', 'find'],
	['rollback', 'rollback'],
	['flags', 'flags'],
	['help', 'help'],
	['quit', 'quit'],
];

export function HintBar({width, keysOf}: {width: number; keysOf: (action: string) => string[]}) {
	const theme = useTheme();
	const store = useCockpitStore();
	const flash = useCockpit(s => s.flash);
	const readOnly = useCockpit(s => s.readOnly);
	useEffect(() => {
		if (!flash) return;
		const timer = setTimeout(() => {
			if (store.getState().flash?.seq === flash.seq) store.getState().clearFlash();
		}, FLASH_MS);
		return () => clearTimeout(timer);
	}, [flash, store]);
	if (flash) {
		const color = flash.level === 'error' ? theme.crit : flash.level === 'warn' ? theme.warn : theme.accent;
		return (
			<Box width={width} height={1}>
				<Text color={color} wrap="truncate-end">
					{flash.level === 'error' ? '✗ ' : flash.level === 'warn' ? '! ' : '» '}
					{flash.text}
				</Text>
			</Box>
		);
	}
	const hints = HINTS.filter(([action]) => !readOnly || !['run', 'toggleDone', 'skip', 'cancel'].includes(action));
	return (
		<Box width={width} height={1}>
			<Text wrap="truncate-end">
				{hints.map(([action, label]) => {
					const key = keysOf(action)[0];
					if (!key) return null;
					return (
						<Text key={action}>
							<Text color={theme.accent} bold>
								{showKey(key)}
							</Text>
							<Text color={theme.muted}> {label}  </Text>
						</Text>
					);
				})}
			</Text>
		</Box>
	);
}
