// Derived views of the store that several components need.
import type {Checklist, Step} from '../checklist/model.js';
import type {StepStatus} from '../engine/types.js';
import type {SessionState} from '../session/types.js';

/** Steps before the first heading live in a pseudo-section with this key. */
export const TOP_SECTION = '(top)';

export function sectionKey(section: string | null): string {
	return section ?? TOP_SECTION;
}

export function stepStatus(state: SessionState, stepId: string): StepStatus {
	return state.steps[stepId]?.status ?? 'pending';
}

export function isRunnable(step: Step): boolean {
	return step.blocks.some(b => b.executor !== null);
}

const bySectionCache = new WeakMap<Checklist, Map<string, Step[]>>();

export function stepsBySection(checklist: Checklist): Map<string, Step[]> {
	let map = bySectionCache.get(checklist);
	if (map) return map;
	map = new Map();
	for (const step of checklist.steps) {
		const key = sectionKey(step.section);
		const list = map.get(key);
		if (list) list.push(step);
		else map.set(key, [step]);
	}
	bySectionCache.set(checklist, map);
	return map;
}

/** Planned window in ms from `window: 4h` / `90m` / minutes; null when none. */
export function plannedWindowMs(window: string | number | undefined): number | null {
	if (window === undefined || window === null) return null;
	if (typeof window === 'number') return window * 60_000;
	const m = /^\s*(\d+(?:\.\d+)?)\s*(h|hours?|m|min|minutes?|s|sec|seconds?)?\s*$/i.exec(window);
	if (!m) return null;
	const n = Number(m[1]);
	const unit = (m[2] ?? 'm').toLowerCase();
	if (unit.startsWith('h')) return n * 3_600_000;
	if (unit.startsWith('s')) return n * 1000;
	return n * 60_000;
}
