// The cockpit's own overlays: help, find, preflight/confirm before a run,
// cancel and quit confirmations. Each is drawn in place of the panes and
// takes every key while open (LAYER_OVERLAY). Confirmations accept only a
// deliberate `y` (not batched, not pasted: see input/keys.ts).
import {useState} from 'react';
import {Box, Text} from 'ink';
import {createMasker} from '../../safety/mask.js';
import {findMatches, runningSteps} from '../../store/core-slice.js';
import {isDeliberate, isTextKey, type Key} from '../input/keys.js';
import {LAYER_OVERLAY, useKeys} from '../input/key-context.js';
import {ACTIONS, showKey} from '../keymap.js';
import {useTheme} from '../theme.js';
import {useCockpit, useCockpitStore, useShallow} from '../use-cockpit.js';

function Frame({width, height, title, children, footer}: {width: number; height: number; title: string; children: React.ReactNode; footer?: string}) {
	const theme = useTheme();
	return (
		<Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={theme.accent} overflow="hidden">
			<Text bold color={theme.accent} wrap="truncate-end">
				{title}
			</Text>
			<Box flexDirection="column" flexGrow={1} overflow="hidden">
				{children}
			</Box>
			{footer ? (
				<Text color={theme.muted} wrap="truncate-end">
					{footer}
				</Text>
			) : null}
		</Box>
	);
}

export function HelpOverlay({width, height, keysOf}: {width: number; height: number; keysOf: (action: string) => string[]}) {
	const theme = useTheme();
	const store = useCockpitStore();
	const open = useCockpit(s => s.overlay === 'help');
	useKeys(
		key => {
			if (key.name === 'escape' || key.name === '?' || key.name === 'q' || key.name === 'enter') store.getState().closeOverlay();
			return true;
		},
		{active: open, layer: LAYER_OVERLAY},
	);
	const inner = Math.max(1, height - 4);
	const columns = Math.max(1, Math.ceil(ACTIONS.length / inner));
	const colWidth = Math.floor((width - 2) / columns);
	const keyWidth = Math.min(16, Math.max(8, Math.floor(colWidth * 0.3)));
	const cols = Array.from({length: columns}, (_, c) => ACTIONS.slice(c * inner, (c + 1) * inner));
	return (
		<Frame width={width} height={height} title="Keys" footer="Esc closes · keys are remappable in the user config (keymap)">
			<Box flexDirection="row">
				{cols.map((col, c) => (
					<Box key={c} flexDirection="column" width={colWidth}>
						{col.map(def => (
							<Box key={def.action} height={1} width={colWidth} paddingRight={1}>
								<Box width={keyWidth} flexShrink={0}>
									<Text color={theme.accent} bold wrap="truncate-end">
										{keysOf(def.action).map(showKey).join(' ')}
									</Text>
								</Box>
								<Text wrap="truncate-end">{def.help}</Text>
							</Box>
						))}
					</Box>
				))}
			</Box>
		</Frame>
	);
}

/** Edits a one-line text value with typed keys; returns true when the key was text editing. */
export function editText(value: string, key: Key): string | null {
	if (key.name === 'backspace') return value.slice(0, -1);
	if (key.ctrl && key.name === 'u') return '';
	if (key.name === 'paste') return value + key.ch.replace(/[\r\n]+/g, ' ');
	if (isTextKey(key)) return value + key.ch;
	return null;
}

export function FindOverlay({width, height}: {width: number; height: number}) {
	const theme = useTheme();
	const store = useCockpitStore();
	const open = useCockpit(s => s.overlay === 'find');
	const [query, index, checklist] = useCockpit(useShallow(s => [s.findQuery, s.findIndex, s.checklist] as const));
	useKeys(
		key => {
			const s = store.getState();
			if (key.name === 'escape') s.closeOverlay();
			else if (key.name === 'enter') s.findJump();
			else if (key.name === 'down' || (key.ctrl && key.name === 'n')) s.findMove(1);
			else if (key.name === 'up' || (key.ctrl && key.name === 'p')) s.findMove(-1);
			else {
				const next = editText(s.findQuery, key);
				if (next !== null) s.setFindQuery(next);
			}
			return true;
		},
		{active: open, layer: LAYER_OVERLAY},
	);
	const matches = findMatches(checklist, query);
	const rows = Math.max(0, height - 5);
	const start = Math.max(0, Math.min(index - rows + 1, matches.length - rows));
	return (
		<Frame width={width} height={height} title="Find a step" footer="type to search · ↑/↓ pick · Enter jumps · Esc closes">
			<Text>
				<Text color={theme.accent}>/ </Text>
				{query}
				<Text inverse> </Text>
				<Text color={theme.muted}>  {query ? `${matches.length} match${matches.length === 1 ? '' : 'es'}` : ''}</Text>
			</Text>
			{matches.slice(Math.max(0, start), Math.max(0, start) + rows).map((step, k) => {
				const selected = k + Math.max(0, start) === index;
				return (
					<Text key={step.id} wrap="truncate-end" backgroundColor={selected ? theme.selection : undefined} color={selected ? theme.selectionText : undefined}>
						{selected ? '› ' : '  '}
						{step.title}
					</Text>
				);
			})}
		</Frame>
	);
}

export function PreflightOverlay({width, height}: {width: number; height: number}) {
	const theme = useTheme();
	const store = useCockpitStore();
	const open = useCockpit(s => s.overlay === 'preflight');
	const pending = useCockpit(s => s.pendingRun);
	const step = useCockpit(s => s.checklist.steps.find(st => st.id === s.pendingRun?.stepId));
	const [refused, setRefused] = useState(false);
	useKeys(
		key => {
			const s = store.getState();
			const p = s.pendingRun;
			if (!p) {
				s.closeOverlay();
				return true;
			}
			if (key.name === 'escape' || (key.ctrl && key.name === 'c')) {
				s.abandonRun();
				return true;
			}
			const confirming = p.field >= p.fields.length;
			if (confirming) {
				if (p.dryRun && key.name === 'enter') {
					s.confirmPending();
				} else if (key.name === 'y' && !p.dryRun) {
					if (!isDeliberate(key)) {
						setRefused(true);
						return true;
					}
					s.confirmPending();
				} else if (key.name === 'n') s.abandonRun();
				else if ((key.name === 'up' || (key.name === 'tab' && key.shift)) && p.fields.length > 0) s.pendingField(-1);
				return true;
			}
			if (key.name === 'enter') {
				if (!isDeliberate(key)) {
					setRefused(true);
					return true;
				}
				s.confirmPending();
			} else if (key.name === 'tab' || key.name === 'down') s.pendingField(key.shift ? -1 : 1);
			else if (key.name === 'up') s.pendingField(-1);
			else {
				const name = p.fields[p.field]!;
				const next = editText(p.values[name] ?? '', key);
				if (next !== null) s.setPendingValue(next);
			}
			return true;
		},
		{active: open, layer: LAYER_OVERLAY},
	);
	if (!pending || !step) return null;
	const {preflight: pf} = pending;
	const confirming = pending.field >= pending.fields.length;
	const dangerous = pf.dangerous.length > 0;
	const onlyWrites = dangerous && pf.dangerous.every(d => d.reason.startsWith('writes'));
	const title = pending.dryRun ? `Dry run · ${step.title}` : onlyWrites ? `Writes need a confirmation · ${step.title}` : dangerous ? `Dangerous command · ${step.title}` : `Before running · ${step.title}`;
	const footer = confirming
		? pending.dryRun
			? 'dry run: nothing runs · Enter/Esc closes'
			: 'y runs exactly this · n / Esc abandons'
		: 'type a value · Tab/↑/↓ move between fields · Enter next · Esc abandons the run';
	// Credentials written in the checklist (`mysql -ppw`) are shown masked; the values typed in stay visible to check.
	const mask = createMasker();
	const commands = step.blocks.filter(b => b.executor !== null).flatMap(b => mask(fillValues(b.code, pending.values)).replace(/\n$/, '').split('\n'));
	return (
		<Frame width={width} height={height} title={title} footer={footer}>
			{dangerous ? (
				<>
					{pf.dangerous.map((d, k) => (
						<Box key={k} flexDirection="column">
							<Text color={theme.crit} bold wrap="truncate-end">
								⚠ {d.reason} (line {d.line})
							</Text>
							<Text wrap="wrap">{'  ' + mask(fillValues(d.command, pending.values))}</Text>
						</Box>
					))}
				</>
			) : null}
			{pending.fields.length > 0 ? (
				<Text color={theme.warn} wrap="truncate-end">
					{pf.placeholders.length > 0 ? 'placeholders' : ''}
					{pf.placeholders.length > 0 && pf.unsetVars.length > 0 ? ' and ' : ''}
					{pf.unsetVars.length > 0 ? 'unset variables' : ''} need values:
				</Text>
			) : null}
			{pending.fields.map((name, k) => {
				const active = k === pending.field;
				const isPlaceholder = pf.placeholders.includes(name);
				return (
					<Text key={name} wrap="truncate-end">
						<Text color={active ? theme.accent : theme.muted}>{active ? '› ' : '  '}</Text>
						<Text bold={active}>{isPlaceholder ? `<${name}>` : `$${name}`}</Text>
						{' = '}
						{pending.values[name] ?? ''}
						{active ? <Text inverse> </Text> : null}
					</Text>
				);
			})}
			{!dangerous || pending.dryRun ? (
				<Box flexDirection="column">
					<Text color={theme.muted}>{pending.dryRun ? 'would run:' : 'will run:'}</Text>
					{commands.slice(0, Math.max(1, height - 6 - pending.fields.length)).map((line, k) => (
						<Text key={k} wrap="truncate-end">
							{'  ' + line}
						</Text>
					))}
				</Box>
			) : null}
			{refused ? <Text color={theme.warn}>that key arrived with other input (paste?) — press it on its own</Text> : null}
		</Frame>
	);
}

function fillValues(code: string, values: Record<string, string>): string {
	return code.replace(/<([A-Za-z_][\w-]*)>/g, (whole, name: string) => values[name] ?? whole);
}

export function ConfirmOverlay({width, height, kind}: {width: number; height: number; kind: 'confirm-cancel' | 'confirm-quit'}) {
	const theme = useTheme();
	const store = useCockpitStore();
	const open = useCockpit(s => s.overlay === kind);
	const running = useCockpit(useShallow(s => runningSteps(s.session)));
	const step = useCockpit(s => s.checklist.steps.find(st => st.id === s.selectedStepId));
	const [refused, setRefused] = useState(false);
	useKeys(
		key => {
			const s = store.getState();
			if (key.name === 'y' || key.name === 'Y') {
				if (!isDeliberate(key)) {
					setRefused(true);
					return true;
				}
				if (kind === 'confirm-cancel') s.confirmCancel();
				else s.confirmQuit();
			} else if (key.name === 'n' || key.name === 'escape' || key.name === 'N') s.closeOverlay();
			return true;
		},
		{active: open, layer: LAYER_OVERLAY},
	);
	const lines: string[] =
		kind === 'confirm-cancel'
			? [`Cancel the run of "${step?.title ?? '?'}"?`, 'The command gets SIGTERM (then SIGKILL); its output so far stays in the log.']
			: running.length > 0
				? [`${running.length} command${running.length === 1 ? ' is' : 's are'} still running.`, 'They keep running after the cockpit quits; reopen the checklist to reattach.', 'Quit the cockpit?']
				: ['Quit the cockpit?'];
	return (
		<Frame width={width} height={Math.min(height, lines.length + 5)} title={kind === 'confirm-cancel' ? 'Cancel run' : 'Quit'} footer={`${showKey('y')} yes · n / Esc no`}>
			{lines.map((line, k) => (
				<Text key={k} wrap="wrap">
					{line}
				</Text>
			))}
			{refused ? <Text color={theme.warn}>that key arrived with other input (paste?) — press y on its own</Text> : null}
		</Frame>
	);
}
