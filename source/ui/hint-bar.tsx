// The bottom line: a message when there is one (it fades after a few
// seconds, or clears when it stops being true: see Flash.about), otherwise
// the keys of whatever has focus — the open overlay, else the focused pane.
import {useEffect} from 'react';
import {Box, Text} from 'ink';
import {showKey} from './keymap.js';
import {OVERLAY_KEYS} from './overlays/overlay-rule.js';
import {useTheme} from './theme.js';
import {useCockpit, useCockpitStore} from './use-cockpit.js';

export const FLASH_MS = 5000;

const SECTION_HINTS: Array<[string, string]> = [
	['run', 'open'],
	['down', 'section'],
	['nextPane', 'steps'],
	['nextPending', 'next'],
	['find', 'find'],
	['rollback', 'rollback'],
	['help', 'help'],
	['quit', 'quit'],
];

const DETAIL_HINTS: Array<[string, string]> = [
	['down', 'scroll'],
	['pageDown', 'page'],
	['last', 'end'],
	['run', 'run'],
	['openLog', 'log'],
	['prevPane', 'steps'],
	['rollback', 'rollback'],
	['help', 'help'],
	['quit', 'quit'],
];

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
	const pane = useCockpit(s => s.pane);
	const overlay = useCockpit(s => s.overlay);
	const overlayKeys = useCockpit(s => s.overlayKeys);
	const interacting = useCockpit(s => (s.interacting ? (s.checklist.steps.find(st => st.id === s.interacting)?.title ?? s.interacting) : null));
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
	if (interacting !== null) {
		const leave = showKey(keysOf('leaveInteract')[0] ?? 'ctrl+]');
		return (
			<Box width={width} height={1}>
				<Text wrap="truncate-end" color={theme.warn} bold>
					{`⌨ typing into ${interacting} · ${leave} leave · every other key goes to the program`}
				</Text>
			</Box>
		);
	}
	if (overlay) {
		const list = overlayKeys ? [['? Esc q', 'hide the keys'] as [string, string]] : (OVERLAY_KEYS[overlay] ?? [['Esc q', 'close']]);
		return (
			<Box width={width} height={1}>
				<Text wrap="truncate-end">
					{list.map(([keys, what]) => (
						<Text key={keys}>
							<Text color={theme.accent} bold>
								{keys}
							</Text>
							<Text color={theme.muted}> {what.replace(/ \(.*\)$/, '')}  </Text>
						</Text>
					))}
					{overlayKeys ? null : (
						<Text>
							<Text color={theme.accent} bold>
								?
							</Text>
							<Text color={theme.muted}> keys</Text>
						</Text>
					)}
				</Text>
			</Box>
		);
	}
	const table = pane === 'sections' ? SECTION_HINTS : pane === 'detail' ? DETAIL_HINTS : HINTS;
	const hints = table.filter(([action]) => !readOnly || !['run', 'toggleDone', 'skip', 'cancel'].includes(action));
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
