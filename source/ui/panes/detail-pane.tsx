// The selected step as one scrollable document: its code (coloured, long
// lines wrapped with a continuation mark, never cut), expectations, then the
// tail of its latest run. The title and status line stay on top.
//
// Scrolling (j/k, PgUp/PgDn, g/G with the pane focused) moves through the
// whole document. The position counts visual rows back from the end, so a
// running step follows its output; a step that has not run opens at the top
// of its code. Only what is on screen (plus the scroll-back) is wrapped.
import {useEffect} from 'react';
import {Box, Text} from 'ink';
import type {Step} from '../../checklist/model.js';
import {defaultTailLimits} from '../../engine/tail.js';
import {createMasker} from '../../safety/mask.js';
import type {StepRecord} from '../../session/types.js';
import {conflictText} from '../../session/conflict-text.js';
import {CONFLICT_MARK, formatDuration, STATUS_GLYPH, statusColor} from '../glyphs.js';
import {useTheme, type Theme} from '../theme.js';
import {useCockpit, useCockpitStore, useShallow} from '../use-cockpit.js';
import {CONTINUATION, wrapPieces, wrapTokens} from '../wrap.js';
import {colorOf, tokenize} from './highlight.js';
import {countVisual, outputWindow} from './output-lines.js';
import {PaneTitle} from './pane-title.js';
import {TerminalDetail} from './terminal-view.js';

export function StatusLine({step, record, theme, width}: {step: Step; record: StepRecord | undefined; theme: Theme; width: number}) {
	const status = record?.status ?? (step.checked ? 'done' : 'pending');
	const runnable = step.blocks.some(b => b.executor !== null);
	const parts: string[] = [status];
	if (record?.exitCode !== undefined && record.exitCode !== null) parts.push(`exit ${record.exitCode}`);
	// Where an errexit run stopped, before the details that may be cut at the pane's edge.
	if (record?.failedLine !== undefined) parts.push(`line ${record.failedLine}: ${record.failedCommand ?? ''}`);
	if (record?.signal) parts.push(record.signal);
	if (record?.durationMs !== undefined) parts.push(formatDuration(record.durationMs));
	if (record?.by) parts.push(`by ${record.by}`);
	if (!runnable) parts.push('manual: Space done · f failed');
	const conflicts = record?.conflict?.length ?? 0;
	return (
		<Box width={width} height={1}>
			<Text wrap="truncate-end">
				<Text color={statusColor(status, theme)}>{STATUS_GLYPH[status]} </Text>
				{conflicts > 0 ? <Text color={theme.crit} bold>{`${CONFLICT_MARK} CONFLICT: ran on ${conflicts} machines · `}</Text> : null}
				<Text>{parts.join(' · ')}</Text>
				{record?.error ? <Text color={theme.crit}> · {record.error}</Text> : null}
			</Text>
		</Box>
	);
}

// The pane redraws up to 10 times a second while a step runs: mask a block's code once, not per frame.
const maskedCode = new WeakMap<Step['blocks'][number], string[]>();

/** A block's code lines with credentials written in the checklist (`mysql -ppw`, `PASSWORD '...'`) masked; one masker a block, for PEM blocks. */
function maskedLines(block: Step['blocks'][number]): string[] {
	let lines = maskedCode.get(block);
	if (!lines) {
		const mask = createMasker();
		lines = block.code.replace(/\n$/, '').split('\n').map(line => mask(line));
		maskedCode.set(block, lines);
	}
	return lines;
}

function hhmmss(iso: string): string {
	const d = new Date(iso);
	return Number.isNaN(d.getTime()) ? iso : `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
}

/** The document rows before the output: a team conflict (whole), block heads, wrapped code, expectations. */
export function codeDocument(step: Step, width: number, theme: Theme, record?: StepRecord): React.ReactNode[] {
	const rows: React.ReactNode[] = [];
	const row = (node: React.ReactNode) =>
		rows.push(
			<Box key={`c${rows.length}`} width={width} height={1} overflow="hidden">
				{node}
			</Box>,
		);
	if (record?.conflict?.length) {
		for (const piece of wrapPieces(`${CONFLICT_MARK} CONFLICT: ${conflictText(record.conflict, hhmmss)}`, width)) row(<Text color={theme.crit}>{piece}</Text>);
	}
	for (const block of step.blocks) {
		const runs = block.executor !== null;
		const name = block.guessed ? 'guessed shell (asks first)' : block.lang || 'text';
		const endless = block.endless ? ' · runs until cancelled' : '';
		if (!block.inline || step.blocks.length > 1 || endless) {
			for (const piece of wrapPieces(`─ ${name}${runs ? '' : ' (display only)'} · line ${block.line}${endless}`, width)) row(<Text color={theme.muted}>{piece}</Text>);
		}
		for (const line of maskedLines(block)) {
			wrapTokens(tokenize(line, block.lang), width).forEach((piece, k) =>
				row(
					<Text>
						{k > 0 ? <Text color={theme.muted}>{CONTINUATION}</Text> : null}
						{piece.map((t, j) => (
							<Text key={j} color={colorOf(t.kind, theme)} bold={t.kind === 'command'}>
								{t.text}
							</Text>
						))}
					</Text>,
				),
			);
		}
	}
	for (const line of step.expect) {
		wrapPieces(`expect: ${line}`, width).forEach((piece, k) => row(<Text color={theme.accent}>{(k > 0 ? CONTINUATION : '') + piece}</Text>));
	}
	return rows;
}

/** True when the kept tail is at its limit: older output is only in the log. */
export function tailIsFull(tail: string): boolean {
	if (tail.length >= defaultTailLimits.maxChars * 0.98) return true;
	let lines = 0;
	for (let at = tail.indexOf('\n'); at >= 0; at = tail.indexOf('\n', at + 1)) if (++lines >= defaultTailLimits.maxLines) return true;
	return false;
}

export function DetailPane({width, height, focused, leaveKey = 'ctrl+]'}: {width: number; height: number; focused: boolean; leaveKey?: string}) {
	const theme = useTheme();
	const store = useCockpitStore();
	const step = useCockpit(s => s.checklist.steps.find(st => st.id === s.selectedStepId));
	const record = useCockpit(s => (s.selectedStepId ? s.session.steps[s.selectedStepId] : undefined));
	const [outputRev, scroll] = useCockpit(useShallow(s => [s.outputRev, s.outputScroll]));
	const outputTail = useCockpit(s => s.outputTail);
	const screenOf = useCockpit(s => s.screenOf);
	const screenRev = useCockpit(s => s.screenRev);
	void outputRev; // re-render when the (throttled) output changes
	void screenRev;
	const viewH0 = Math.max(1, height - 2);
	// The output area's size is the size of every terminal run (resizes reach the running ones).
	useEffect(() => {
		store.getState().setPaneSize(width, viewH0);
	}, [store, width, viewH0]);
	if (!step) {
		return (
			<Box flexDirection="column" width={width} height={height}>
				<PaneTitle title="Detail" focused={focused} width={width} />
				<Text color={theme.muted}>no step selected</Text>
			</Box>
		);
	}
	const viewH = Math.max(0, height - 2); // title + status line
	const screen = record?.terminal ? screenOf(step.id) : undefined;
	if (screen && record) {
		return (
			<TerminalDetail
				step={step}
				record={record}
				screen={screen}
				width={width}
				height={height}
				focused={focused}
				prefix={codeDocument(step, width, theme, record)}
				status={<StatusLine step={step} record={record} theme={theme} width={width} />}
				leaveKey={leaveKey}
			/>
		);
	}
	const tail = record?.runId || record?.status === 'running' ? outputTail(step.id) : '';
	const hasOutput = tail.length > 0 || record?.status === 'running' || record?.runId !== undefined;
	const prefix = codeDocument(step, width, theme, record);
	const full = hasOutput && tailIsFull(tail);
	// Rows after the code: the output header, then the output (or a placeholder line).
	// Following the end of a long output (the flood case) needs only the last
	// screen of it; the whole tail is counted only once the user scrolls back.
	let outputRows: number | null = hasOutput ? (tail.length > 0 ? null : 1) : 0;
	let probe: ReturnType<typeof outputWindow> | null = null;
	if (outputRows === null && scroll === 0) {
		probe = outputWindow(tail, width, viewH, 0, theme.color);
		if (probe.above === 0) outputRows = probe.lines.length;
	} else if (outputRows === null) outputRows = countVisual(tail, width, theme.color);
	if (outputRows === null && probe) {
		// More output than a screen and following it: the view is the probe,
		// under a line saying so when older output is only in the log.
		store.getState().viewport.detailMax = Number.MAX_SAFE_INTEGER;
		const full = tailIsFull(tail);
		return (
			<Box flexDirection="column" width={width} height={height} overflow="hidden">
				<PaneTitle title={step.title || '(untitled)'} focused={focused} width={width} right={`line ${step.line}`} />
				<StatusLine step={step} record={record} theme={theme} width={width} />
				{full ? (
					<Text color={theme.muted} wrap="truncate-end">
						… more in the log (o)
					</Text>
				) : null}
				{probe.lines.slice(full ? 1 : 0).map((line, k) => (
					<Text key={`o${k}`} wrap="truncate-end">
						{line || ' '}
					</Text>
				))}
			</Box>
		);
	}
	const total = prefix.length + (hasOutput ? 1 + (outputRows ?? 0) : 0);
	const max = Math.max(0, total - viewH);
	// The pane tells the store how far back scrolling can go (keys clamp to it).
	store.getState().viewport.detailMax = max;
	const back = Math.min(scroll, max);
	const start = Math.max(0, total - viewH - back);
	const end = Math.min(total, start + viewH);
	// Output rows needed: those of the window that fall after prefix + header.
	const outStart = prefix.length + 1;
	const wantOut = hasOutput && tail.length > 0 ? Math.max(0, end - Math.max(outStart, start)) : 0;
	const outBack = hasOutput ? Math.max(0, total - end) : 0;
	const view = wantOut > 0 ? outputWindow(tail, width, wantOut, outBack, theme.color) : {lines: [] as string[], scroll: 0, above: 0};
	const runInfo: string[] = [];
	if (record?.exitCode !== undefined && record.exitCode !== null) runInfo.push(`exit ${record.exitCode}`);
	if (record?.durationMs !== undefined) runInfo.push(formatDuration(record.durationMs));
	if (full) runInfo.push('more in the log (o)');
	if (record?.logPath && !full) runInfo.push(`log ${record.logPath}`);
	const shown: React.ReactNode[] = [];
	for (let i = start; i < end; i++) {
		if (i < prefix.length) shown.push(prefix[i]);
		else if (i === prefix.length && hasOutput) {
			shown.push(
				<Text key="oh" color={theme.muted} wrap="truncate-end">
					{`─ output${runInfo.length ? ' · ' + runInfo.join(' · ') : ''} `.padEnd(width, '─')}
				</Text>,
			);
		} else if (tail.length === 0) {
			shown.push(
				<Text key="ow" color={theme.muted}>
					{record?.status === 'running' ? 'waiting for output…' : '(no output)'}
				</Text>,
			);
			break;
		} else break;
	}
	const below = total - end;
	const above = start;
	// With output the position reads as rows back from the end (as `less` would); before a run, rows still below.
	const right = `line ${step.line}${!hasOutput && above > 0 ? ` ↑${above}` : ''}${below > 0 ? (hasOutput ? ` ↑${below} back` : ` ↓${below} more`) : ''}`;
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			<PaneTitle title={step.title || '(untitled)'} focused={focused} width={width} right={right} />
			<StatusLine step={step} record={record} theme={theme} width={width} />
			{shown}
			{view.lines.map((line, k) => (
				<Text key={`o${k}`} wrap="truncate-end">
					{line || ' '}
				</Text>
			))}
		</Box>
	);
}
