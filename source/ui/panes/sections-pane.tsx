// Sections with their progress (done or skipped / steps), rollback ⟲ and
// trigger ⚑ marks, and a ✗ when a step in them failed.
import {memo} from 'react';
import {Box, Text} from 'ink';
import type {Section} from '../../checklist/model.js';
import {sectionKeys} from '../../store/core-slice.js';
import {statusOf, stepsBySection, TOP_SECTION} from '../../store/selectors.js';
import {CURSOR, ROLLBACK_MARK, TRIGGER_MARK} from '../glyphs.js';
import {useTheme} from '../theme.js';
import {useCockpit, useShallow} from '../use-cockpit.js';
import {PaneTitle, windowStart} from './pane-title.js';

const NO_STEPS: never[] = [];

export interface SectionProgress {
	done: number;
	total: number;
	failed: number;
	running: number;
}

const SectionRow = memo(function SectionRow({sectionKey, section, selected, width, indent}: {sectionKey: string; section?: Section; selected: boolean; width: number; indent: number}) {
	const theme = useTheme();
	const steps = useCockpit(s => stepsBySection(s.checklist).get(sectionKey)) ?? NO_STEPS;
	const [done, failed, running] = useCockpit(
		useShallow(s => {
			let d = 0;
			let f = 0;
			let r = 0;
			for (const step of steps) {
				const status = statusOf(s.session, step);
				if (status === 'done' || status === 'skipped') d++;
				else if (status === 'failed' || status === 'interrupted') f++;
				else if (status === 'running') r++;
			}
			return [d, f, r];
		}),
	);
	const mark = section?.rollback === 'procedure' ? ROLLBACK_MARK : section?.rollback === 'trigger' ? TRIGGER_MARK : ' ';
	const bg = selected ? theme.selection : undefined;
	const fg = selected ? theme.selectionText : undefined;
	const complete = steps.length > 0 && done === steps.length;
	return (
		<Box width={width} height={1}>
			<Box flexShrink={0}>
				<Text backgroundColor={bg} color={fg}>
					{selected ? CURSOR : ' '}
					{'  '.repeat(indent)}
				</Text>
			</Box>
			<Box flexGrow={1} flexShrink={1}>
				<Text wrap="truncate-end" backgroundColor={bg} color={fg ?? (complete ? theme.ok : undefined)} bold={selected}>
					{section?.title ?? 'before the first heading'}
				</Text>
			</Box>
			<Box flexShrink={0}>
				<Text backgroundColor={bg} color={fg ?? theme.crit}>{failed > 0 ? ' ✗' : running > 0 ? ' ◐' : '  '}</Text>
				<Text backgroundColor={bg} color={fg ?? theme.muted}>
					{steps.length > 0 ? ` ${done}/${steps.length}` : ''}
				</Text>
				<Text backgroundColor={bg} color={fg ?? theme.warn}>
					{' '}
					{mark}
				</Text>
			</Box>
		</Box>
	);
});

export function SectionsPane({width, height, focused}: {width: number; height: number; focused: boolean}) {
	const checklist = useCockpit(s => s.checklist);
	const selectedKey = useCockpit(s => s.selectedSectionKey);
	const keys = sectionKeys(checklist);
	const byId = new Map(checklist.sections.map(s => [s.id, s] as const));
	const minDepth = Math.min(...checklist.sections.map(s => s.depth), 6);
	const rows = Math.max(0, height - 1);
	const index = keys.indexOf(selectedKey);
	const start = windowStart(index, keys.length, rows);
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			<PaneTitle title="Sections" focused={focused} width={width} right={`${index + 1}/${keys.length}`} />
			{keys.slice(start, start + rows).map(key => {
				const section = key === TOP_SECTION ? undefined : byId.get(key);
				return <SectionRow key={key} sectionKey={key} section={section} selected={key === selectedKey} width={width} indent={section ? Math.max(0, section.depth - minDepth) : 0} />;
			})}
		</Box>
	);
}
