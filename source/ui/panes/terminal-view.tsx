// The detail pane of a step whose run is a terminal run: the step's code and
// expectations, then the run's screen (a headless xterm in the store, see
// terminal-slice.ts) drawn line by line as styled Ink <Text> runs, with the
// scrollback above it. While the step has the keys (`i`) the title says so in
// the warning colour and the cursor is drawn; Ctrl-] (the leave chord) ends it.
import {Box, Text} from 'ink';
import type {Step} from '../../checklist/model.js';
import type {RunScreen} from '../../engine/run-screen.js';
import type {StyledLine} from '../../engine/screen-runs.js';
import type {StepRecord} from '../../session/types.js';
import {formatDuration} from '../glyphs.js';
import {showKey} from '../keymap.js';
import {useTheme} from '../theme.js';
import {useCockpit, useCockpitStore} from '../use-cockpit.js';
import {PaneTitle} from './pane-title.js';

/** One screen line as Ink text; `cursorCol` draws the cursor (an inverse cell) there. */
export function ScreenLine({line, width, colour, cursorCol}: {line: StyledLine; width: number; colour: boolean; cursorCol?: number}) {
	const runs = cursorCol === undefined ? line : withCursor(line, cursorCol);
	return (
		<Box width={width} height={1} overflow="hidden">
			<Text wrap="truncate-end">
				{runs.length === 0 ? ' ' : null}
				{runs.map((run, k) => (
					<Text
						key={k}
						{...(colour && run.fg ? {color: run.fg} : {})}
						{...(colour && run.bg ? {backgroundColor: run.bg} : {})}
						bold={run.bold ?? false}
						dimColor={run.dim ?? false}
						italic={run.italic ?? false}
						underline={run.underline ?? false}
						inverse={run.inverse ?? false}
					>
						{run.text}
					</Text>
				))}
			</Text>
		</Box>
	);
}

/** The line with the cell at `col` inverted (padded with blanks when the cursor is past the text). */
export function withCursor(line: StyledLine, col: number): StyledLine {
	const out: StyledLine = [];
	let at = 0;
	let placed = false;
	for (const run of line) {
		const chars = [...run.text];
		if (placed || col >= at + chars.length) {
			out.push(run);
			at += chars.length;
			continue;
		}
		const cut = col - at;
		if (cut > 0) out.push({...run, text: chars.slice(0, cut).join('')});
		out.push({...run, text: chars[cut]!, inverse: !run.inverse});
		if (cut + 1 < chars.length) out.push({...run, text: chars.slice(cut + 1).join('')});
		placed = true;
		at += chars.length;
	}
	if (!placed) out.push({text: ' '.repeat(Math.max(0, col - at))}, {text: ' ', inverse: true});
	return out;
}

export interface TerminalDetailProps {
	step: Step;
	record: StepRecord;
	screen: RunScreen;
	width: number;
	height: number;
	focused: boolean;
	/** Rows of the step's code and expectations, drawn above the screen. */
	prefix: React.ReactNode[];
	status: React.ReactNode;
	leaveKey: string;
}

export function TerminalDetail({step, record, screen, width, height, focused, prefix, status, leaveKey}: TerminalDetailProps) {
	const theme = useTheme();
	const store = useCockpitStore();
	const interacting = useCockpit(s => s.interacting === step.id);
	const scroll = useCockpit(s => s.outputScroll);
	const viewH = Math.max(0, height - 2);
	const {lines, cursor} = screen.lines();
	const outRows = Math.max(1, lines.length);
	const total = prefix.length + 1 + outRows;
	const max = Math.max(0, total - viewH);
	store.getState().viewport.detailMax = max;
	const back = interacting ? 0 : Math.min(scroll, max);
	const start = Math.max(0, total - viewH - back);
	const end = Math.min(total, start + viewH);
	const info: string[] = ['terminal'];
	if (record.exitCode !== undefined && record.exitCode !== null) info.push(`exit ${record.exitCode}`);
	if (record.durationMs !== undefined) info.push(formatDuration(record.durationMs));
	if (record.status === 'running' && !interacting) info.push('i to type');
	const shown: React.ReactNode[] = [];
	for (let i = start; i < end; i++) {
		if (i < prefix.length) shown.push(prefix[i]);
		else if (i === prefix.length) {
			shown.push(
				<Text key="oh" color={interacting ? theme.warn : theme.muted} wrap="truncate-end">
					{`─ output · ${info.join(' · ')} `.padEnd(width, '─')}
				</Text>,
			);
		} else {
			const k = i - prefix.length - 1;
			const line = lines[k];
			if (!line) {
				shown.push(
					<Text key={`w${k}`} color={theme.muted}>
						{lines.length === 0 ? (record.status === 'running' ? 'waiting for output…' : '(no output)') : ' '}
					</Text>,
				);
				continue;
			}
			shown.push(<ScreenLine key={`s${k}`} line={line} width={width} colour={theme.color} {...(interacting && cursor?.line === k ? {cursorCol: cursor.col} : {})} />);
		}
	}
	const below = total - end;
	const title = interacting ? `typing into ${step.title || step.id} — ${showKey(leaveKey)} to leave` : step.title || '(untitled)';
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			{interacting ? (
				<Box width={width} height={1}>
					<Text wrap="truncate-end" bold inverse color={theme.warn}>
						{`⌨ ${title}`.padEnd(width)}
					</Text>
				</Box>
			) : (
				<PaneTitle title={title} focused={focused} width={width} right={`line ${step.line}${below > 0 ? ` ↑${below} back` : ''}`} />
			)}
			{status}
			{shown}
		</Box>
	);
}
