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

export function rollbackRoleOf(title: string): RollbackRole {
	if (!rollbackWord.test(title)) return null;
	if (afterWord.test(title)) return null;
	if (triggerWord.test(title)) return 'trigger';
	if (subtitle.test(title)) return null;
	if (referenceWord.test(title)) return null;
	return 'procedure';
}

export function isImmediate(title: string): boolean {
	return immediateWord.test(title);
}

/**
 * Default procedure: the first immediate/instant/emergency one with steps;
 * otherwise the shallowest (top-level plan) with steps; otherwise the first.
 */
export function chooseDefault(sections: Section[], steps: Step[]): string | null {
	const procedures = sections.filter(s => s.rollback === 'procedure');
	if (procedures.length === 0) return null;
	const withSteps = new Set<string>();
	const parentOf = new Map(sections.map(s => [s.id, s.parent]));
	for (const step of steps) {
		for (let id = step.section; id !== null; id = parentOf.get(id) ?? null) withSteps.add(id);
	}
	const runnable = procedures.filter(s => withSteps.has(s.id));
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
