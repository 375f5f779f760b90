// The steps of the current section. Only the visible rows are rendered, and
// each row subscribes to its own step's record only, so a 500-step checklist
// costs the same as a 20-step one. The selected row's title wraps onto as
// many rows as it needs (up to SELECTED_MAX_ROWS), so it is always complete.
import {memo, useMemo} from 'react';
import {Box, Text} from 'ink';
import type {Step} from '../../checklist/model.js';
import {statusOf, stepsBySection} from '../../store/selectors.js';
import {badgeOf, CONFLICT_MARK, CURSOR, formatDuration, STATUS_GLYPH, statusColor} from '../glyphs.js';
import {useTheme} from '../theme.js';
import {useSecond, useTick, SPINNER_FRAMES} from '../ticker.js';
import {useCockpit, useShallow} from '../use-cockpit.js';
import {PaneTitle, windowStart} from './pane-title.js';
import {wordWrap} from '../wrap.js';

export const SELECTED_MAX_ROWS = 4;
/** Columns around a step title: cursor, glyph, space (left); badge and duration (right). */
const ROW_CHROME = 3 + 15;

/** The selected title's rows at this width. */
export function selectedTitleRows(title: string, width: number, depth: number): string[] {
	return wordWrap(title || '(untitled)', Math.max(8, width - ROW_CHROME - 2 * depth)).slice(0, SELECTED_MAX_ROWS);
}

function Spinner({color}: {color?: string}) {
	const tick = useTick();
	return <Text color={color}>{SPINNER_FRAMES[tick % SPINNER_FRAMES.length]}</Text>;
}

function Elapsed({since}: {since: string}) {
	useSecond();
	return <Text>{formatDuration(Date.now() - Date.parse(since))}</Text>;
}

function depthOf(step: Step, byId: Map<string, Step>): number {
	let depth = 0;
	let parent = step.parent;
	while (parent && depth < 6) {
		depth++;
		parent = byId.get(parent)?.parent ?? null;
	}
	return depth;
}

const StepRow = memo(function StepRow({step, selected, width, depth}: {step: Step; selected: boolean; width: number; depth: number}) {
	const theme = useTheme();
	const [status, durationMs, startedAt, conflict] = useCockpit(
		useShallow(s => {
			const r = s.session.steps[step.id];
			return [r?.status ?? (step.checked ? 'done' : 'pending'), r?.durationMs, r?.startedAt, (r?.conflict?.length ?? 0) > 0] as const;
		}),
	);
	// `?` guessed shell (confirmed before it runs), `∞` runs until cancelled.
	const badge = badgeOf(step.blocks.map(b => b.executor)) + (step.blocks.some(b => b.guessed) ? '?' : '') + (step.blocks.some(b => b.endless) ? '∞' : '');
	const bg = selected ? theme.selection : undefined;
	const fg = selected ? theme.selectionText : undefined;
	const color = statusColor(status, theme);
	const titleRows = selected ? selectedTitleRows(step.title, width, depth) : [step.title || '(untitled)'];
	return (
		<Box width={width} height={titleRows.length} flexDirection="column">
		<Box width={width} height={1}>
			<Box flexShrink={0}>
				<Text backgroundColor={bg} color={fg} bold={selected}>
					{selected ? CURSOR : ' '}
				</Text>
				<Text backgroundColor={bg}>
					{status === 'running' ? <Spinner color={selected ? fg : color} /> : <Text color={selected ? fg : color}>{STATUS_GLYPH[status]}</Text>}
				</Text>
				<Text backgroundColor={bg}>{' ' + '  '.repeat(depth)}</Text>
			</Box>
			<Box flexGrow={1} flexShrink={1}>
				<Text wrap="truncate-end" backgroundColor={bg} color={fg} bold={selected}>
					{titleRows[0]}
				</Text>
			</Box>
			<Box flexShrink={0}>
				<Text backgroundColor={bg} color={selected ? fg : theme.muted}>
					{' '}
				</Text>
				{/* Team mode: ran on two machines unordered (a partition): marked in the row, said in the detail pane. */}
				<Text backgroundColor={bg} color={selected ? fg : conflict ? theme.crit : theme.muted} bold={conflict}>
					{(conflict ? CONFLICT_MARK + badge : badge).padStart(6)}
				</Text>
				<Text backgroundColor={bg} color={selected ? fg : theme.muted}>
					{' '}
				</Text>
				<Text backgroundColor={bg} color={selected ? fg : theme.muted}>
					{status === 'running' && startedAt ? <Elapsed since={startedAt} /> : formatDuration(durationMs).padStart(6)}
				</Text>
			</Box>
		</Box>
		{titleRows.slice(1).map((line, k) => (
			<Box key={k} width={width} height={1}>
				<Text backgroundColor={bg} color={fg} bold wrap="truncate-end">
					{' '.repeat(3 + 2 * depth)}
					{line.padEnd(Math.max(0, width - ROW_CHROME - 2 * depth))}
					{' '.repeat(15)}
				</Text>
			</Box>
		))}
		</Box>
	);
});

export function StepsPane({width, height, focused}: {width: number; height: number; focused: boolean}) {
	const checklist = useCockpit(s => s.checklist);
	const sectionKeyNow = useCockpit(s => s.selectedSectionKey);
	const selectedId = useCockpit(s => s.selectedStepId);
	const steps = stepsBySection(checklist).get(sectionKeyNow) ?? [];
	const byId = useMemo(() => new Map(checklist.steps.map(s => [s.id, s] as const)), [checklist]);
	const section = checklist.sections.find(s => s.id === sectionKeyNow);
	const done = useCockpit(s => steps.filter(st => ['done', 'skipped'].includes(statusOf(s.session, st))).length);
	const selectedIndex = steps.findIndex(s => s.id === selectedId);
	const selectedStep = steps[selectedIndex];
	const extra = selectedStep ? selectedTitleRows(selectedStep.title, width, depthOf(selectedStep, byId)).length - 1 : 0;
	const rows = Math.max(0, height - 1 - extra);
	const start = windowStart(selectedIndex, steps.length, rows);
	const visible = steps.slice(start, start + rows);
	const theme = useTheme();
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			<PaneTitle title={`Steps · ${section?.title ?? 'before the first heading'}`} focused={focused} width={width} right={`${done}/${steps.length}`} />
			{visible.length === 0 ? <Text color={theme.muted}>  no steps in this section</Text> : null}
			{visible.map(step => (
				<StepRow key={step.id} step={step} selected={step.id === selectedId} width={width} depth={depthOf(step, byId)} />
			))}
		</Box>
	);
}
