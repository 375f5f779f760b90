// Title, session, window clock and the current section's budget. The clock
// is its own component on the shared one-second ticker, so once a second only
// this line changes (Ink's incremental rendering rewrites just that line).
import {Box, Text} from 'ink';
import {budgetSection, plannedWindowMs, stepsBySection} from '../store/selectors.js';
import {clock, formatDuration} from './glyphs.js';
import {useTheme} from './theme.js';
import {useSecond} from './ticker.js';
import {useCockpit, useShallow} from './use-cockpit.js';

function sectionSpentMs(starts: Array<string | undefined>, ends: Array<string | undefined>, running: boolean, now: number): number | null {
	const s = starts.filter((x): x is string => !!x).map(Date.parse);
	if (s.length === 0) return null;
	const e = ends.filter((x): x is string => !!x).map(Date.parse);
	const end = running ? now : e.length ? Math.max(...e) : now;
	return Math.max(0, end - Math.min(...s));
}

function Clocks() {
	const theme = useTheme();
	useSecond();
	const now = Date.now();
	const [windowStartedAt, window] = useCockpit(useShallow(s => [s.session.windowStartedAt, s.checklist.settings.window] as const));
	const section = useCockpit(s => budgetSection(s.checklist, s.selectedSectionKey));
	const [starts, ends, running] = useCockpit(
		useShallow(s => {
			const steps = (section && stepsBySection(s.checklist).get(section.id)) || [];
			const recs = steps.map(st => s.session.steps[st.id]);
			return [recs.map(r => r?.startedAt).join('|'), recs.map(r => r?.endedAt).join('|'), recs.some(r => r?.status === 'running')] as const;
		}),
	);
	const planned = plannedWindowMs(window);
	const elapsed = now - Date.parse(windowStartedAt);
	const over = planned !== null && elapsed > planned;
	const budget = section?.meta.durationMinutes;
	const spent = sectionSpentMs(starts.split('|'), ends.split('|'), running, now);
	const overBudget = budget !== undefined && spent !== null && spent > budget * 60_000;
	return (
		<Text wrap="truncate-end">
			<Text color={over ? theme.crit : undefined}>
				{' ⏱ '}
				{clock(elapsed)}
				{planned !== null ? ` / ${clock(planned)}` : ''}
				{over ? ' over' : ''}
			</Text>
			{budget !== undefined ? (
				<Text color={overBudget ? theme.warn : theme.muted}>
					{'  § '}
					{spent === null ? '0s' : formatDuration(spent)}/{budget}m{overBudget ? ' over' : ''}
				</Text>
			) : null}
		</Text>
	);
}

function shortId(id: string, max: number): string {
	return id.length > max ? id.slice(0, max - 1) + '…' : id;
}

export function Header({width}: {width: number}) {
	const theme = useTheme();
	const [title, sessionId, readOnly, readOnlyReason, writeProblem, dryRun] = useCockpit(
		useShallow(s => [s.checklist.title, s.session.id, s.readOnly, s.readOnlyReason, s.writeProblem, s.dryRun] as const),
	);
	return (
		<Box width={width} height={1}>
			<Box flexShrink={1}>
				<Text bold color={theme.accent} wrap="truncate-end">
					{title || 'deploycockpit'}
				</Text>
			</Box>
			<Box flexShrink={0}>
				<Text color={theme.muted}>
					{'  '}session {shortId(sessionId, width < 100 ? 12 : 28)}
				</Text>
				{readOnly ? (
					<Text color={theme.warn} bold>
						{`  read-only: ${readOnlyReason ?? 'followed'}`}
					</Text>
				) : null}
				{writeProblem && !readOnly ? (
					<Text color={theme.crit} bold>
						{`  ✗ NOT SAVED: ${writeProblem}`}
					</Text>
				) : null}
				{dryRun ? (
					<Text color={theme.warn} bold>
						{'  DRY RUN'}
					</Text>
				) : null}
			</Box>
			<Box flexShrink={2} flexGrow={1} justifyContent="flex-end">
				<Clocks />
			</Box>
		</Box>
	);
}
