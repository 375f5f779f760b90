// The checklist's rollback procedures once every section and step is known:
// weak names without steps dropped, a whole-document rollback runbook split
// into its procedures, the default chosen, numbered rollback lists kept.
import type {RollbackInfo, RollbackList, Section, Step} from './model.js';
import {chooseDefault, isImmediate, isRunbookTitle, procedureOwners, weakProcedureName} from './rollback.js';

function inSubtree(sections: Map<string, Section>, id: string | null, root: string): boolean {
	for (let cur = id; cur !== null; cur = sections.get(cur)?.parent ?? null) if (cur === root) return true;
	return false;
}

/**
 * A rollback runbook's procedures: the H1's sub-sections with commands, one
 * level down while there is a single one that only groups others.
 */
function runbookProcedures(sections: Section[], steps: Step[], titleId: string): Section[] {
	const byId = new Map(sections.map(s => [s.id, s]));
	const runnable = steps.filter(st => st.blocks.some(b => b.executor !== null));
	const hasCommands = (id: string) => runnable.some(st => inSubtree(byId, st.section, id));
	const candidates = (parent: string) => sections.filter(s => s.parent === parent && s.rollback !== 'trigger' && hasCommands(s.id));
	let level = candidates(titleId);
	while (level.length === 1) {
		const only = level[0]!;
		const below = candidates(only.id);
		if (below.length === 0 || runnable.some(st => st.section === only.id)) break;
		level = below;
	}
	if (level.length === 0 && runnable.some(st => st.section === titleId)) return [byId.get(titleId)!];
	return level;
}

export function finishRollback(sections: Section[], steps: Step[], titleId: string | null, references: RollbackInfo['references'], lists: RollbackList[]): RollbackInfo {
	const title = sections.find(s => s.id === titleId);
	if (title && isRunbookTitle(title.title)) {
		const procedures = runbookProcedures(sections, steps, title.id);
		if (procedures.length > 0) {
			const chosen = new Set(procedures.map(s => s.id));
			for (const s of sections) {
				if (chosen.has(s.id)) s.rollback = 'procedure';
				else if (s.rollback === 'procedure') s.rollback = null;
			}
			const def = procedures.find(s => isImmediate(s.title)) ?? procedures[0]!;
			return {default: def.id, procedures: procedures.map(s => s.id), references, ...(lists.length > 0 ? {lists} : {}), runbook: true};
		}
	}
	const owners = procedureOwners(sections, steps);
	for (const s of sections) {
		if (s.rollback === 'procedure' && weakProcedureName(s.title) && !owners.has(s.id)) s.rollback = null;
	}
	return {
		default: chooseDefault(sections, steps),
		procedures: sections.filter(s => s.rollback === 'procedure').map(s => s.id),
		references,
		...(lists.length > 0 ? {lists} : {}),
	};
}
