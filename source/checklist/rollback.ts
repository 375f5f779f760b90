// Which sections are rollback procedures, which are trigger lists, and which
// only mention rollback. Titles decide; the section tree breaks ties.
import type {RollbackRole, Section, Step} from './model.js';

const rollbackWord = /\broll[\s-]?back(?:s)?\b|\bback[\s-]?out\b/i;
const triggerWord = /\b(?:triggers?|conditions?|criteria|when\s+to|decision|signals?|thresholds?)\b/i;
const afterWord = /\b(?:post|after|pre|before|following)[\s-]+roll[\s-]?back/i;
// "Deployment and Rollback Procedures": a title for everything, not a procedure.
const deployWords = '(?:deploy(?:ment|ing)?s?|releases?|rollouts?|roll[\\s-]?outs?|upgrades?|migrations?|install(?:ation)?s?|cutover)';
const joiner = '(?:\\band\\b|&|\\+|/)';
const subtitle = new RegExp(`\\b${deployWords}\\b[^\\n]*${joiner}[^\\n]*roll[\\s-]?back|roll[\\s-]?back[^\\n]*${joiner}[^\\n]*\\b${deployWords}\\b`, 'i');
const immediateWord = /\b(?:immediate|instant|emergency|quick|fast|urgent|one[\s-]?click|panic)\b/i;
const referenceWord = /\b(?:references?|see also|links?|contacts?|authority|drill|history|log)\b/i;

// "Emergency Procedures", "Revert", "Undo the migration": procedures only when
// they hold steps (a list of emergency contacts is none).
const emergencyWord = /\bemergency\b/i;
const undoWord = /\b(?:revert(?:ing)?|undo(?:ing)?)\b/i;
const quickReference = /\bquick[\s-]?reference\b/i;

export function rollbackRoleOf(title: string): RollbackRole {
	if (!rollbackWord.test(title)) {
		if (!emergencyWord.test(title) && !undoWord.test(title)) return null;
		if (afterWord.test(title) || triggerWord.test(title) || referenceWord.test(title)) return null;
		return 'procedure';
	}
	if (afterWord.test(title)) return null;
	if (triggerWord.test(title)) return 'trigger';
	if (subtitle.test(title)) return null;
	if (referenceWord.test(title) && !quickReference.test(title)) return null;
	return 'procedure';
}

/** A procedure named without the word rollback ("Emergency Procedures", "Revert"): kept only with steps. */
export function weakProcedureName(title: string): boolean {
	return !rollbackWord.test(title);
}

/** The H1 of a document that is itself a rollback runbook ("Payments Rollback Runbook", "Revert plan"). */
export function isRunbookTitle(title: string): boolean {
	return rollbackRoleOf(title) === 'procedure' && (rollbackWord.test(title) || undoWord.test(title));
}

/** A paragraph that introduces a numbered rollback list: "To roll back:", "Rollback steps:", "Undo:". */
export function rollbackListIntro(text: string): boolean {
	if (!/(?:\broll(?:ing)?[\s-]?back\b|\bback[\s-]?out\b|\brevert\b|\bundo\b)/i.test(text)) return false;
	if (triggerWord.test(text) || afterWord.test(text) || referenceWord.test(text)) return false;
	return /:\s*$/.test(text) || text.split(/\s+/).length <= 6;
}

/** "Quick Reference" is a card to read fast, not a fast procedure. */
export function isImmediate(title: string): boolean {
	return immediateWord.test(title.replace(quickReference, ''));
}

/** Steps of a procedure section: its own and those of sub-sections that are neither procedures nor trigger lists. */
export function procedureStepsOf(sections: Section[], steps: Step[], sectionId: string): Step[] {
	const byId = new Map(sections.map(s => [s.id, s]));
	const belongs = (id: string | null): boolean => {
		for (let cur = id; cur !== null; ) {
			if (cur === sectionId) return true;
			const section = byId.get(cur);
			if (!section || section.rollback !== null) return false;
			cur = section.parent;
		}
		return false;
	};
	return steps.filter(s => s.section === sectionId || belongs(s.section));
}

/** Ids of the rollback sections that own steps (directly or through plain sub-sections), in one pass. */
export function procedureOwners(sections: Section[], steps: Step[]): Set<string> {
	const byId = new Map(sections.map(s => [s.id, s]));
	const out = new Set<string>();
	for (const step of steps) {
		for (let cur = step.section; cur !== null; ) {
			const section = byId.get(cur);
			if (!section) break;
			if (section.rollback !== null) {
				out.add(section.id);
				break;
			}
			cur = section.parent;
		}
	}
	return out;
}

/**
 * Default procedure: the first immediate/instant/emergency/quick one with steps;
 * otherwise the shallowest (top-level plan) with steps; otherwise the first.
 */
export function chooseDefault(sections: Section[], steps: Step[]): string | null {
	const procedures = sections.filter(s => s.rollback === 'procedure');
	if (procedures.length === 0) return null;
	const owners = procedureOwners(sections, steps);
	const runnable = procedures.filter(s => owners.has(s.id));
	const pool = runnable.length > 0 ? runnable : procedures;
	const immediate = pool.find(s => isImmediate(s.title));
	if (immediate) return immediate.id;
	const minDepth = Math.min(...pool.map(s => s.depth));
	return pool.find(s => s.depth === minDepth)!.id;
}

/** Looks like a link or path to a rollback document (`rollback_plan.md`, `docs/rollback/`). */
export function isRollbackReference(target: string): boolean {
	const t = target.trim();
	if (!/roll[_\s-]?back|revert/i.test(t) || /\s/.test(t)) return false;
	return /\//.test(t) || /\.(?:md|markdown|txt|html?|pdf|adoc|rst)(?:#\S*)?$/i.test(t);
}

/** Rollback-document names in plain text ("see rollback_plan.md §3"). */
export function rollbackReferencesInText(text: string): string[] {
	const out: string[] = [];
	if (!/roll[_-]?back/i.test(text)) return out;
	for (const m of text.matchAll(/[\w./~-]*roll[_-]?back[\w./-]*\.(?:md|markdown|txt|html?|pdf|adoc|rst)\b/gi)) out.push(m[0]);
	return out;
}
