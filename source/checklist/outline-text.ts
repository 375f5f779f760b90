// The human-readable tree `deploycockpit outline` prints.
import type {Block, Checklist, Section, Step} from './model.js';

const badge: Record<string, string> = {shell: 'sh', sql: 'sql', promql: 'promql', redis: 'redis'};

function badges(blocks: Block[]): string {
	const out: string[] = [];
	for (const b of blocks) {
		const name = b.executor ? `[${badge[b.executor]}${b.inline ? ' inline' : ''}${b.guessed ? ' guessed' : ''}${b.gate ? ' gate' : ''}]` : '';
		if (name && !out.includes(name)) out.push(name);
	}
	const display = blocks.filter(b => !b.executor).length;
	if (display > 0) out.push(`(${display} display block${display > 1 ? 's' : ''})`);
	if (blocks.some(b => b.endless)) out.push('runs until cancelled');
	return out.join(' ');
}

function sectionNote(checklist: Checklist, s: Section): string {
	const parts: string[] = [];
	if (s.rollback === 'procedure') parts.push(checklist.rollback.default === s.id ? 'ROLLBACK (default)' : 'rollback');
	if (s.rollback === 'trigger') parts.push('rollback triggers');
	if (typeof s.meta.durationMinutes === 'number') parts.push(`${s.meta.durationMinutes} min`);
	if (typeof s.meta.risk === 'string') parts.push(`risk: ${s.meta.risk.length > 40 ? s.meta.risk.slice(0, 39) + '…' : s.meta.risk}`);
	if (typeof s.meta.windowMinutes === 'number') parts.push(`window ${s.meta.windowMinutes} min`);
	if (s.blocks.length > 0) parts.push(`${s.blocks.length} display block${s.blocks.length > 1 ? 's' : ''}`);
	return parts.length > 0 ? `  [${parts.join(', ')}]` : '';
}

function stepLine(step: Step, depth: number, ids: boolean): string {
	const box = step.checkbox ? (step.checked ? '[x]' : '[ ]') : step.number !== undefined ? `${step.number}.`.padStart(3) : ' • ';
	const extra = [badges(step.blocks)];
	if (step.placeholders.length > 0) extra.push(`needs ${step.placeholders.map(p => `<${p}>`).join(' ')}`);
	if (step.expect.length > 0) extra.push(`expects ${step.expect.length}`);
	const tail = extra.filter(Boolean).join('  ');
	return `${'  '.repeat(depth)}${box} ${step.title}${tail ? '  ' + tail : ''}${ids ? `  {${step.id}}` : ''}`;
}

/** Sections indented by depth, their steps below them, executor badges and the rollback default marked. */
export function formatOutline(checklist: Checklist, options: {ids?: boolean} = {}): string {
	const ids = options.ids ?? false;
	const first = checklist.sections[0];
	// The H1 heading already prints the title; a document without one gets it as a header line.
	const lines: string[] = first && first.depth === 1 && first.title === checklist.title ? [] : [checklist.title];
	const stepsBySection = new Map<string | null, Step[]>();
	for (const step of checklist.steps) {
		const list = stepsBySection.get(step.section) ?? [];
		list.push(step);
		stepsBySection.set(step.section, list);
	}
	const stepDepth = new Map<string, number>();
	const printSteps = (section: string | null, base: number) => {
		for (const step of stepsBySection.get(section) ?? []) {
			const depth = (step.parent ? (stepDepth.get(step.parent) ?? base) + 1 : base);
			stepDepth.set(step.id, depth);
			lines.push(stepLine(step, depth, ids));
		}
	};
	printSteps(null, 1);
	const minDepth = Math.min(...checklist.sections.map(s => s.depth), 6);
	for (const s of checklist.sections) {
		const indent = s.depth - minDepth + 1;
		lines.push(`${'  '.repeat(indent)}${'#'.repeat(s.depth)} ${s.title}${sectionNote(checklist, s)}${ids ? `  {${s.id}}` : ''}`);
		printSteps(s.id, indent + 1);
	}
	const runnable = checklist.steps.filter(s => s.blocks.some(b => b.executor)).length;
	const summary = [`${checklist.sections.length} sections`, `${checklist.steps.length} steps (${runnable} runnable)`];
	const def = checklist.sections.find(s => s.id === checklist.rollback.default);
	const list = checklist.rollback.lists?.[0];
	summary.push(`rollback: ${def ? def.title : list ? `list "${list.title}"` : checklist.rollback.references[0] ? `see ${checklist.rollback.references[0].target}` : 'none found'}${checklist.rollback.runbook ? ' (rollback runbook)' : ''}`);
	if (checklist.windowMinutes !== undefined) summary.push(`window ${checklist.windowMinutes} min`);
	if (checklist.warnings.length > 0) summary.push(`${checklist.warnings.length} warning${checklist.warnings.length > 1 ? 's' : ''}`);
	lines.push('', summary.join(' · '));
	return lines.join('\n');
}

/** The documented `outline --json` shape: the model without `file`/`hash`, `settings` only when set. */
export function outlineJson(checklist: Checklist): Record<string, unknown> {
	const out: Record<string, unknown> = {
		title: checklist.title,
		sections: checklist.sections,
		steps: checklist.steps,
		rollback: checklist.rollback,
		warnings: checklist.warnings,
	};
	if (Object.keys(checklist.settings).length > 0) out.settings = checklist.settings;
	if (checklist.windowMinutes !== undefined) out.windowMinutes = checklist.windowMinutes;
	return out;
}
