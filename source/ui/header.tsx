// Title, overall progress, session, window clock and the current section's
// budget on one line. Widths are computed here, not left to flexbox, so the
// order of what gives way is fixed: the session id goes first (it is shown
// whole or not at all), then the title is cut; progress (done/total), the
// window clock and the section's elapsed time are never cut.
import {Box, Text} from 'ink';
import stringWidth from 'string-width';
import {budgetSection, plannedWindowMs, statusOf, stepsBySection} from '../store/selectors.js';
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

/** The window clock text: "not started" until the first run or mark (or W). */
export function windowClockText(windowStartedAt: string | undefined, planned: number | null, now: number): {text: string; over: boolean} {
	if (!windowStartedAt) return {text: `⏱ not started${planned !== null ? ` · ${clock(planned)} planned` : ''}`, over: false};
	const elapsed = Math.max(0, now - Date.parse(windowStartedAt));
	const over = planned !== null && elapsed > planned;
	return {text: `⏱ ${clock(elapsed)}${planned !== null ? ` / ${clock(planned)}` : ''}${over ? ' over' : ''}`, over};
}

function cut(text: string, width: number): string {
	if (width <= 0) return '';
	if (stringWidth(text) <= width) return text;
	let out = '';
	for (const ch of text) {
		if (stringWidth(out + ch) > width - 1) break;
		out += ch;
	}
	return out + '…';
}

export function Header({width}: {width: number}) {
	const theme = useTheme();
	useSecond();
	const now = Date.now();
	const [title, sessionId, readOnly, readOnlyReason, writeProblem, dryRun, windowStartedAt, window] = useCockpit(
		useShallow(s => [s.checklist.title, s.session.id, s.readOnly, s.readOnlyReason, s.writeProblem, s.dryRun, s.session.windowStartedAt, s.checklist.settings.window] as const),
	);
	const [done, total] = useCockpit(
		useShallow(s => {
			let d = 0;
			for (const st of s.checklist.steps) {
				const status = statusOf(s.session, st);
				if (status === 'done' || status === 'skipped') d++;
			}
			return [d, s.checklist.steps.length] as const;
		}),
	);
	const section = useCockpit(s => budgetSection(s.checklist, s.selectedSectionKey));
	const [starts, ends, running] = useCockpit(
		useShallow(s => {
			const steps = (section && stepsBySection(s.checklist).get(section.id)) || [];
			const recs = steps.map(st => s.session.steps[st.id]);
			return [recs.map(r => r?.startedAt).join('|'), recs.map(r => r?.endedAt).join('|'), recs.some(r => r?.status === 'running')] as const;
		}),
	);
	const planned = plannedWindowMs(window);
	const windowClock = windowClockText(windowStartedAt, planned, now);
	const budget = section?.meta.durationMinutes;
	const spent = sectionSpentMs(starts.split('|'), ends.split('|'), running, now);
	const overBudget = budget !== undefined && spent !== null && spent > budget * 60_000;
	const sectionText = budget !== undefined ? `  § ${spent === null ? '0s' : formatDuration(spent)}/${budget}m${overBudget ? ' over' : ''}` : '';
	const progress = `  ${done}/${total} done`;
	const teamDownSince = useCockpit(s => s.teamLinkDownSince);
	const teamDown = teamDownSince !== null ? `  team link down ${Math.max(0, Math.round((now - teamDownSince) / 1000))}s — on your own` : '';
	const flags = `${readOnly ? `  read-only: ${readOnlyReason ?? 'followed'}` : ''}${dryRun ? '  DRY RUN' : ''}${teamDown}`;
	const notSaved = writeProblem && !readOnly ? `  ✗ NOT SAVED: ${writeProblem}` : '';
	const clockText = `  ${windowClock.text}`;
	const fixed = stringWidth(progress) + stringWidth(flags) + stringWidth(notSaved) + stringWidth(clockText) + stringWidth(sectionText);
	const fullTitle = title || 'deploycockpit';
	const sessionText = `  session ${sessionId}`;
	// The session id only when the whole title and the whole id both fit.
	const showSession = stringWidth(fullTitle) + stringWidth(sessionText) + fixed <= width;
	const titleRoom = Math.max(0, width - fixed - (showSession ? stringWidth(sessionText) : 0));
	const titleText = cut(fullTitle, titleRoom);
	const gap = Math.max(0, width - stringWidth(titleText) - (showSession ? stringWidth(sessionText) : 0) - fixed);
	return (
		<Box width={width} height={1}>
			<Text wrap="truncate-end">
				<Text bold color={theme.accent}>
					{titleText}
				</Text>
				<Text color={theme.muted}>{showSession ? sessionText : ''}</Text>
				<Text>{' '.repeat(gap)}</Text>
				<Text color={done === total && total > 0 ? theme.ok : undefined}>{progress}</Text>
				{flags ? (
					<Text color={theme.warn} bold>
						{flags}
					</Text>
				) : null}
				{notSaved ? (
					<Text color={theme.crit} bold>
						{notSaved}
					</Text>
				) : null}
				<Text color={windowClock.over ? theme.crit : windowStartedAt ? undefined : theme.muted}>{clockText}</Text>
				{sectionText ? <Text color={overBudget ? theme.warn : theme.muted}>{sectionText}</Text> : null}
			</Text>
		</Box>
	);
}
