// Finding steps by text: `/` (the find overlay) and `N` (the next match of
// the last query, after the selected step, wrapping around).
import type {Checklist, Step} from '../checklist/model.js';

export function findMatches(checklist: Checklist, query: string): Step[] {
	const q = query.trim().toLowerCase();
	if (!q) return [];
	return checklist.steps.filter(s => s.title.toLowerCase().includes(q) || s.blocks.some(b => b.code.toLowerCase().includes(q)));
}

/** The first match after `selectedId` (wrapping), with what to tell the user. */
export function nextMatch(checklist: Checklist, query: string, selectedId: string | null): {step?: Step; message: string} {
	if (!query.trim()) return {message: 'no search yet: / finds a step'};
	const matches = findMatches(checklist, query);
	if (matches.length === 0) return {message: `no step matches "${query}"`};
	const at = checklist.steps.findIndex(st => st.id === selectedId);
	const ids = new Set(matches.map(m => m.id));
	for (let i = 1; i <= checklist.steps.length; i++) {
		const candidate = checklist.steps[(at + i) % checklist.steps.length]!;
		if (ids.has(candidate.id)) return {step: candidate, message: `"${query}": match ${matches.findIndex(m => m.id === candidate.id) + 1} of ${matches.length}`};
	}
	return {message: `no step matches "${query}"`};
}
