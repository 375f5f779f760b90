// The cockpit's own overlays: help and find (in place of the panes), and the
// confirmations — preflight before a run, cancel, quit, run a done step
// again — as pop-ups under the panes, so the step they are about stays in
// view. A pop-up shows the complete text it confirms (wrapped, scrollable);
// `y` is refused until all of it has been on screen, and accepted only when
// deliberate (not batched, not pasted: see input/keys.ts). Esc / q / ? follow
// the rule in overlay-rule.tsx.
import {useState} from 'react';
import {Box, Text} from 'ink';
import {createMasker} from '../../safety/mask.js';
import {findMatches, runningSteps} from '../../store/core-slice.js';
import type {CockpitState} from '../../store/index.js';
import {isDeliberate, isTextKey, type Key} from '../input/keys.js';
import {LAYER_OVERLAY, useKeys} from '../input/key-context.js';
import {ACTIONS, showKey} from '../keymap.js';
import {useTheme, type Theme} from '../theme.js';
import {useCockpit, useCockpitStore, useShallow} from '../use-cockpit.js';
import {CONTINUATION, wrapPieces} from '../wrap.js';
import {OverlayKeysBox, overlayRuleKey} from './overlay-rule.js';
import {frameView, ScrollFrame, useScrollGate} from './scroll-frame.js';

const PASTED = 'that key arrived with other input (a paste?) — press it again on its own';

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
			const s = store.getState();
			// ? toggles the help itself; Enter closes it too.
			if (key.name === 'escape' || key.name === '?' || key.name === 'q' || key.name === 'enter') s.closeOverlay();
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
		<Frame width={width} height={height} title="Keys" footer="Esc / q / ? closes · keys are remappable in the user config (keymap)">
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
	const [query, index, checklist, fresh] = useCockpit(useShallow(s => [s.findQuery, s.findIndex, s.checklist, s.findFresh] as const));
	useKeys(
		key => {
			const s = store.getState();
			if (overlayRuleKey(s, key, () => s.closeOverlay(), true)) return true;
			if (key.name === 'enter') s.findJump();
			else if (key.name === 'down' || (key.ctrl && key.name === 'n')) s.findMove(1);
			else if (key.name === 'up' || (key.ctrl && key.name === 'p')) s.findMove(-1);
			else {
				// Opened with the last query: the first typed key starts a new one (Backspace edits it).
				const base = s.findFresh && key.name !== 'backspace' ? '' : s.findQuery;
				const next = editText(base, key);
				if (next !== null) s.setFindQuery(next);
			}
			return true;
		},
		{active: open, layer: LAYER_OVERLAY},
	);
	const matches = findMatches(checklist, query);
	const sectionTitle = new Map(checklist.sections.map(s => [s.id, s.title] as const));
	const rows = Math.max(0, height - 5);
	const start = Math.max(0, Math.min(index - rows + 1, matches.length - rows));
	return (
		<Frame width={width} height={height} title="Find a step" footer="type to search · ↑/↓ pick · Enter jumps · Esc closes · N repeats the search later">
			<Text>
				<Text color={theme.accent}>/ </Text>
				<Text inverse={fresh}>{query}</Text>
				<Text inverse> </Text>
				<Text color={theme.muted}>
					{'  '}
					{query ? `${matches.length} match${matches.length === 1 ? '' : 'es'}` : ''}
					{fresh ? ' · the last search: type to replace it' : ''}
				</Text>
			</Text>
			{matches.slice(Math.max(0, start), Math.max(0, start) + rows).map((step, k) => {
				const selected = k + Math.max(0, start) === index;
				const section = step.section ? (sectionTitle.get(step.section) ?? '') : 'before the first heading';
				return (
					<Box key={step.id} height={1} width={width - 2}>
						<Box flexShrink={1}>
							<Text wrap="truncate-end" backgroundColor={selected ? theme.selection : undefined} color={selected ? theme.selectionText : undefined}>
								{selected ? '› ' : '  '}
								{step.title}
							</Text>
						</Box>
						<Box flexShrink={2}>
							<Text wrap="truncate-end" color={theme.muted}>
								{`  § ${section}`}
							</Text>
						</Box>
					</Box>
				);
			})}
		</Frame>
	);
}

// ── Pop-ups ────────────────────────────────────────────────────────────────

/** One wrapped line of a pop-up. */
export interface PopupRow {
	text: string;
	tone?: 'crit' | 'warn' | 'muted' | 'accent';
	bold?: boolean;
	/** Show a text cursor after it (the value being typed). */
	cursor?: boolean;
}

export interface PopupContent {
	title: string;
	rows: PopupRow[];
	footer: string;
	/** When it changes, the pop-up scrolls back to the top and must be read again. */
	key: string;
}

export const POPUPS = new Set(['preflight', 'confirm-cancel', 'confirm-quit', 'confirm-rerun', 'confirm-unclaimed']);

/** Pop-up rows never need more than this share of the body. */
export function popupHeight(content: PopupContent | null, body: number): number {
	if (!content) return 0;
	return Math.min(body, content.rows.length + 5);
}

function wrapRows(text: string, width: number, style: Omit<PopupRow, 'text'> = {}, indent = ''): PopupRow[] {
	return wrapPieces(text, Math.max(1, width - indent.length)).map((piece, k) => ({...style, text: indent + (k > 0 ? CONTINUATION : '') + piece}));
}

function fillValues(code: string, values: Record<string, string>): string {
	return code.replace(/<([A-Za-z_][\w-]*)>/g, (whole, name: string) => values[name] ?? whole);
}

function hhmm(iso: string | undefined): string {
	if (!iso) return '?';
	const d = new Date(iso);
	return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** What the open pop-up shows, as plain rows wrapped to `width` (the inner width). */
export function popupContent(s: CockpitState, width: number): PopupContent | null {
	const overlay = s.overlay;
	if (!overlay || !POPUPS.has(overlay)) return null;
	if (overlay === 'preflight') return preflightContent(s, width);
	if (overlay === 'confirm-unclaimed') return unclaimedContent(s, width);
	const step = s.checklist.steps.find(st => st.id === (overlay === 'confirm-rerun' ? s.pendingRerun?.stepId : s.selectedStepId));
	if (overlay === 'confirm-rerun') {
		const record = step ? s.session.steps[step.id] : undefined;
		const when = record?.endedAt ?? record?.startedAt;
		return {
			title: `Run again · ${step?.title ?? '?'}`,
			rows: [
				...wrapRows(`done ${hhmm(when)}${record?.by ? ` by ${record.by}` : ''}${record?.exitCode !== null && record?.exitCode !== undefined ? ` (exit ${record.exitCode})` : ''} — run again?`, width, {bold: true}),
				...wrapRows(step?.title ?? '', width, {tone: 'muted'}),
			],
			footer: 'y runs it again · n / Esc / q no · ? keys',
			key: `rerun:${step?.id}`,
		};
	}
	if (overlay === 'confirm-cancel') {
		return {
			title: 'Cancel run',
			rows: [...wrapRows(`Cancel the run of "${step?.title ?? '?'}"?`, width), ...wrapRows('The command gets SIGINT, then SIGTERM and SIGKILL; its output so far stays in the log.', width, {tone: 'muted'})],
			footer: 'y cancels it · n / Esc / q keep it running · ? keys',
			key: `cancel:${step?.id}`,
		};
	}
	const running = runningSteps(s.session);
	const lines =
		running.length > 0
			? [`${running.length} command${running.length === 1 ? ' is' : 's are'} still running.`, 'They keep running after the cockpit quits; reopen the checklist to reattach.', 'Quit the cockpit?']
			: ['Quit the cockpit?'];
	return {title: 'Quit', rows: lines.flatMap(l => wrapRows(l, width)), footer: 'y quits · n / Esc / q stay · ? keys', key: 'quit'};
}

/** Team mode, link down: the step cannot be claimed; running it anyway is asked, with what it risks. */
function unclaimedContent(s: CockpitState, width: number): PopupContent {
	const step = s.checklist.steps.find(st => st.id === s.pendingUnclaimed?.stepId);
	const since = s.teamLinkDownSince;
	const down = since !== null ? ` for ${Math.max(0, Math.round((Date.now() - since) / 1000))}s` : '';
	return {
		title: `Team link down · ${step?.title ?? '?'}`,
		rows: [
			...wrapRows(`The team link (Redis) is down${down}: this step cannot be claimed.`, width, {tone: 'warn', bold: true}),
			...wrapRows(step?.title ?? '', width, {tone: 'muted'}),
			...wrapRows('Another member may run the same step at the same time and nothing would stop either run. If both run it, every member is shown a conflict on this step once the link is back.', width),
			...wrapRows('Run it on your own, unclaimed?', width, {bold: true}),
		],
		footer: 'y runs it unclaimed · n / Esc / q no · ? keys',
		key: `unclaimed:${step?.id}`,
	};
}

function preflightContent(s: CockpitState, width: number): PopupContent | null {
	const pending = s.pendingRun;
	const step = s.checklist.steps.find(st => st.id === pending?.stepId);
	if (!pending || !step) return null;
	const pf = pending.preflight;
	const confirming = pending.field >= pending.fields.length;
	const dangerous = pf.dangerous.length > 0;
	const onlyWrites = dangerous && pf.dangerous.every(d => d.reason.startsWith('writes'));
	const rows: PopupRow[] = [];
	// Credentials written in the checklist (`mysql -ppw`) are shown masked; the values typed in stay visible to check.
	const mask = createMasker();
	for (const d of pf.dangerous) {
		rows.push(...wrapRows(`⚠ ${d.reason} (line ${d.line})`, width, {tone: 'crit', bold: true}));
		rows.push(...wrapRows(mask(fillValues(d.command, pending.values)), width, {}, '  '));
	}
	if (pending.fields.length > 0) {
		const what = [pf.placeholders.length > 0 ? 'placeholders' : '', pf.unsetVars.length > 0 ? 'unset variables' : ''].filter(Boolean).join(' and ');
		rows.push({text: `${what} need values:`, tone: 'warn'});
		pending.fields.forEach((name, k) => {
			const active = k === pending.field;
			const label = pf.placeholders.includes(name) ? `<${name}>` : `$${name}`;
			const value = pending.values[name] ?? '';
			const wrapped = wrapRows(`${active ? '› ' : '  '}${label} = ${value}`, width - 1, {bold: active, tone: active ? 'accent' : undefined});
			wrapped[wrapped.length - 1]!.cursor = active;
			rows.push(...wrapped);
		});
	}
	rows.push({text: pending.dryRun ? 'would run (dry run — nothing runs):' : 'will run, exactly:', tone: 'muted'});
	const runnable = step.blocks.filter(b => b.executor !== null);
	for (const block of runnable) {
		if (runnable.length > 1) rows.push({text: `─ ${block.lang || 'text'} · line ${block.line}`, tone: 'muted'});
		for (const line of mask(fillValues(block.code, pending.values)).replace(/\n$/, '').split('\n')) rows.push(...wrapRows(line, width, {}, '  '));
	}
	const title = pending.dryRun ? `Dry run · ${step.title}` : onlyWrites ? `Writes need a confirmation · ${step.title}` : dangerous ? `Dangerous command · ${step.title}` : `Before running · ${step.title}`;
	const footer = confirming
		? pending.dryRun
			? 'dry run: nothing runs · Enter / Esc / q closes'
			: 'y runs exactly this · j/k/PgDn scroll · n / Esc / q abandons · ? keys'
		: 'type a value · Tab/↑/↓ fields · Enter next · PgDn/PgUp scroll · Esc abandons';
	return {title, rows, footer, key: `preflight:${step.id}`};
}

function toneColor(tone: PopupRow['tone'], theme: Theme): string | undefined {
	return tone ? theme[tone] : undefined;
}

function PopupRows({rows, theme}: {rows: PopupRow[]; theme: Theme}): React.ReactNode[] {
	return rows.map((row, k) => (
		<Box key={k} height={1}>
			<Text color={toneColor(row.tone, theme)} bold={row.bold} wrap="truncate-end">
				{row.text}
				{row.cursor ? <Text inverse> </Text> : null}
			</Text>
		</Box>
	));
}

/** The open pop-up (preflight, cancel, quit, run again): `height` rows at the bottom of the body. */
export function Popup({width, height}: {width: number; height: number}) {
	const theme = useTheme();
	const store = useCockpitStore();
	const overlay = useCockpit(s => s.overlay);
	const overlayKeys = useCockpit(s => s.overlayKeys);
	const inner = Math.max(1, width - 2);
	// Re-render on what the content depends on.
	useCockpit(useShallow(s => [s.pendingRun, s.pendingRerun, s.pendingUnclaimed, s.session, s.selectedStepId]));
	const content = popupContent(store.getState(), inner);
	const gate = useScrollGate(content?.rows.length ?? 0, frameView(height), content?.key ?? '');
	const [message, setMessage] = useState<string | null>(null);
	const open = overlay !== null && POPUPS.has(overlay);

	useKeys(
		key => {
			const s = store.getState();
			setMessage(null);
			if (s.overlay === 'preflight') return preflightKey(s, key, gate, setMessage);
			const close = () => s.closeOverlay();
			if (overlayRuleKey(s, key, close)) return true;
			if (gate.scrollKey(key)) return true;
			if (key.name === 'y' || key.name === 'Y') {
				if (!isDeliberate(key)) setMessage(PASTED);
				else if (!gate.seenAll) setMessage(gate.refusal);
				else if (s.overlay === 'confirm-cancel') s.confirmCancel();
				else if (s.overlay === 'confirm-rerun') s.confirmRerun();
				else if (s.overlay === 'confirm-unclaimed') s.confirmUnclaimed();
				else s.confirmQuit();
			} else if (key.name === 'n' || key.name === 'N') close();
			return true;
		},
		{active: open, layer: LAYER_OVERLAY},
	);
	if (!open || !content) return null;
	if (overlayKeys) return <OverlayKeysBox overlay={overlay} width={width} height={height} />;
	return (
		<ScrollFrame
			width={width}
			height={height}
			title={content.title}
			rows={PopupRows({rows: content.rows, theme})}
			gate={gate}
			footer={content.footer}
			message={message ? {text: message} : null}
			borderColor={overlay === 'preflight' && content.title.startsWith('Dangerous') ? theme.crit : theme.accent}
		/>
	);
}

function preflightKey(s: CockpitState, key: Key, gate: ReturnType<typeof useScrollGate>, say: (text: string) => void): boolean {
	const p = s.pendingRun;
	if (!p) {
		s.closeOverlay();
		return true;
	}
	if (key.ctrl && key.name === 'c') {
		s.abandonRun();
		return true;
	}
	const confirming = p.field >= p.fields.length;
	// While a value is typed, q and ? are text; Esc still abandons.
	if (overlayRuleKey(s, key, () => s.abandonRun(), !confirming)) return true;
	if (confirming) {
		if (gate.scrollKey(key)) return true;
		if (p.dryRun && key.name === 'enter') s.confirmPending();
		else if (key.name === 'y' && !p.dryRun) {
			if (!isDeliberate(key)) say(PASTED);
			else if (!gate.seenAll) say(gate.refusal);
			else s.confirmPending();
		} else if (key.name === 'n') s.abandonRun();
		else if ((key.name === 'up' || (key.name === 'tab' && key.shift)) && p.fields.length > 0) s.pendingField(-1);
		return true;
	}
	if (gate.scrollKey(key, {arrows: false, letters: false})) return true;
	if (key.name === 'enter') {
		if (!isDeliberate(key)) {
			say(PASTED);
			return true;
		}
		// The Enter that would start the run needs the whole text read, like y.
		const name = p.fields[p.field]!;
		const filled = p.fields.every(f => (f === name ? p.values[f] : p.values[f]));
		const starts = filled && p.preflight.dangerous.length === 0 && !p.dryRun;
		if (starts && !gate.seenAll) {
			say(gate.refusal.replace('j / ↓ / PgDn / Space', 'PgDn'));
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
}
