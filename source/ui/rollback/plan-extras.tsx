// Parts of the rollback panel kept apart from its layout: the section picker
// shown when the checklist names no rollback procedure, and the lines of one
// plan step (commands with `$`, comments dimmed, "runs until cancelled").
import {Text} from 'ink';
import type {PlanStep} from '../../workflows/rollback-plan.js';
import type {RollbackView} from '../../store/rollback-slice.js';
import type {useTheme} from '../theme.js';

type Theme = ReturnType<typeof useTheme>;
type Push = (node: React.ReactNode) => void;

const PICK_ROWS = 8;

/** "Pick a section as the rollback": ↑/↓ and Enter, right here, no restart. */
export function pickLines(view: RollbackView, theme: Theme, push: Push): void {
	const {sections, index} = view.pick;
	if (sections.length === 0) {
		push(<Text color={theme.muted} wrap="truncate-end">No section holds steps. Start the cockpit with --rollback FILE to load a rollback runbook.</Text>);
		return;
	}
	push(<Text wrap="truncate-end">Pick a section of this checklist as the rollback (↑/↓, Enter):</Text>);
	const first = Math.max(0, Math.min(index - Math.floor(PICK_ROWS / 2), sections.length - PICK_ROWS));
	sections.slice(first, first + PICK_ROWS).forEach((s, k) => {
		const sel = first + k === index;
		push(
			<Text wrap="truncate-end" bold={sel} color={sel ? theme.accent : undefined}>
				{`${sel ? '› ' : '  '}${'  '.repeat(Math.max(0, s.depth - 2))}${s.title} (${s.steps} step${s.steps === 1 ? '' : 's'})`}
			</Text>,
		);
	});
	if (sections.length > PICK_ROWS) push(<Text color={theme.muted}>{`  ${index + 1}/${sections.length}`}</Text>);
	push(<Text color={theme.muted} wrap="truncate-end">Or start the cockpit with --rollback FILE to load a rollback runbook.</Text>);
}

/** A plan step's commands: `$ cmd` (dangerous ones marked), `# comment` dimmed, and what never ends by itself. */
export function stepCommandLines(step: PlanStep, theme: Theme, push: Push): void {
	const dangerous = new Map(step.preflight.dangerous.map(d => [d.command, d.reason]));
	for (const line of step.lines) {
		if (line.kind === 'comment') {
			push(<Text color={theme.muted} dimColor wrap="truncate-end">{`     ${line.text.trim()}`}</Text>);
			continue;
		}
		const hit = [...dangerous.entries()].find(([cmd]) => line.text.includes(cmd.split('\n')[0]!));
		push(
			<Text wrap="truncate-end" color={hit ? theme.crit : undefined}>
				{`   $ ${line.text}`}
				{hit ? `   ⚠ ${hit[1]}` : ''}
			</Text>,
		);
	}
	if (step.guessed) push(<Text color={theme.warn} wrap="truncate-end">{'   guessed shell (unlabeled block): check the code above'}</Text>);
	if (step.endless) push(<Text color={theme.warn} wrap="truncate-end">{'   ∞ runs until cancelled: x stops it and the rollback moves on'}</Text>);
}
