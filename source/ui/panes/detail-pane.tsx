// The selected step: its status line, code (coloured), expectations, then
// the tail of its latest run. Every part is cut to the pane's height: the
// code gets at most ~40% when there is output, the output the rest.
import {Box, Text} from 'ink';
import type {Step} from '../../checklist/model.js';
import {createMasker} from '../../safety/mask.js';
import type {StepRecord} from '../../session/types.js';
import {formatDuration, STATUS_GLYPH, statusColor} from '../glyphs.js';
import {useTheme, type Theme} from '../theme.js';
import {useCockpit, useShallow} from '../use-cockpit.js';
import {CodeLine} from './highlight.js';
import {outputWindow} from './output-lines.js';
import {PaneTitle} from './pane-title.js';

interface CodeRow {
	kind: 'code' | 'blockHead';
	text: string;
	lang: string;
}

function codeRows(step: Step): CodeRow[] {
	const rows: CodeRow[] = [];
	for (const block of step.blocks) {
		const runs = block.executor !== null;
		if (!block.inline || step.blocks.length > 1) rows.push({kind: 'blockHead', text: `${block.lang || 'text'}${runs ? '' : ' (display only)'} · line ${block.line}`, lang: block.lang});
		// Credentials written in the checklist (`mysql -ppw`, `PASSWORD '...'`) are masked on screen too; one masker a block, for PEM blocks.
		const mask = createMasker();
		for (const line of block.code.replace(/\n$/, '').split('\n')) rows.push({kind: 'code', text: mask(line), lang: block.lang});
	}
	return rows;
}

function StatusLine({step, record, theme, width}: {step: Step; record: StepRecord | undefined; theme: Theme; width: number}) {
	const status = record?.status ?? (step.checked ? 'done' : 'pending');
	const runnable = step.blocks.some(b => b.executor !== null);
	const parts: string[] = [status];
	if (record?.exitCode !== undefined && record.exitCode !== null) parts.push(`exit ${record.exitCode}`);
	if (record?.signal) parts.push(record.signal);
	if (record?.durationMs !== undefined) parts.push(formatDuration(record.durationMs));
	if (record?.by) parts.push(`by ${record.by}`);
	if (!runnable) parts.push('manual: Space done · f failed');
	return (
		<Box width={width} height={1}>
			<Text wrap="truncate-end">
				<Text color={statusColor(status, theme)}>{STATUS_GLYPH[status]} </Text>
				<Text>{parts.join(' · ')}</Text>
				{record?.error ? <Text color={theme.crit}> · {record.error}</Text> : null}
			</Text>
		</Box>
	);
}

export function DetailPane({width, height, focused}: {width: number; height: number; focused: boolean}) {
	const theme = useTheme();
	const step = useCockpit(s => s.checklist.steps.find(st => st.id === s.selectedStepId));
	const record = useCockpit(s => (s.selectedStepId ? s.session.steps[s.selectedStepId] : undefined));
	const [outputRev, scroll] = useCockpit(useShallow(s => [s.outputRev, s.outputScroll]));
	const outputTail = useCockpit(s => s.outputTail);
	void outputRev; // re-render when the (throttled) output changes
	if (!step) {
		return (
			<Box flexDirection="column" width={width} height={height}>
				<PaneTitle title="Detail" focused={focused} width={width} />
				<Text color={theme.muted}>no step selected</Text>
			</Box>
		);
	}
	const inner = Math.max(0, height - 1);
	const tail = record?.runId || record?.status === 'running' ? outputTail(step.id) : '';
	const hasOutput = tail.length > 0 || record?.status === 'running' || record?.runId !== undefined;
	const code = codeRows(step);
	const expect = step.expect;
	let budget = inner - 1; // status line
	const expectRows = Math.min(expect.length, hasOutput ? 2 : expect.length, Math.max(0, budget));
	budget -= expectRows;
	const outputMin = hasOutput ? Math.max(2, Math.ceil(budget * 0.6)) : 0;
	const codeRowsShown = Math.max(0, Math.min(code.length, budget - outputMin));
	budget -= codeRowsShown;
	const codeCut = code.length - codeRowsShown;
	const outHeight = hasOutput ? Math.max(0, budget - 1) : 0; // minus the output header
	const view = outputWindow(tail, width, outHeight, scroll, theme.color);
	const runInfo: string[] = [];
	if (record?.exitCode !== undefined && record.exitCode !== null) runInfo.push(`exit ${record.exitCode}`);
	if (record?.durationMs !== undefined) runInfo.push(formatDuration(record.durationMs));
	if (view.scroll > 0) runInfo.push(`↑${view.scroll} back`);
	if (record?.logPath) runInfo.push(`log ${record.logPath}`);
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			<PaneTitle title={step.title || '(untitled)'} focused={focused} width={width} right={`line ${step.line}`} />
			<StatusLine step={step} record={record} theme={theme} width={width} />
			{code.slice(0, codeRowsShown).map((row, k) =>
				row.kind === 'blockHead' ? (
					<Text key={k} color={theme.muted} wrap="truncate-end">
						{(k === codeRowsShown - 1 && codeCut > 0 ? `… ${codeCut} more lines · ` : '─ ') + row.text}
					</Text>
				) : k === codeRowsShown - 1 && codeCut > 0 ? (
					<Text key={k} color={theme.muted} wrap="truncate-end">
						{`… ${codeCut} more lines`}
					</Text>
				) : (
					<Box key={k} width={width} height={1}>
						<CodeLine line={row.text} lang={row.lang} theme={theme} />
					</Box>
				),
			)}
			{expect.slice(0, expectRows).map((line, k) => (
				<Text key={`e${k}`} color={theme.accent} wrap="truncate-end">
					expect: {line}
				</Text>
			))}
			{hasOutput && budget > 0 ? (
				<Text color={theme.muted} wrap="truncate-end">
					{`─ output${runInfo.length ? ' · ' + runInfo.join(' · ') : ''} `.padEnd(width, '─')}
				</Text>
			) : null}
			{view.lines.map((line, k) => (
				<Text key={`o${k}`} wrap="truncate-end">
					{line || ' '}
				</Text>
			))}
			{hasOutput && tail.length === 0 && outHeight > 0 ? <Text color={theme.muted}>{record?.status === 'running' ? 'waiting for output…' : '(no output)'}</Text> : null}
		</Box>
	);
}
