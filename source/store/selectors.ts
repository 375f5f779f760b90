// Derived views of the store that several components need.
import type {Checklist, Section, Step} from '../checklist/model.js';
import type {StepStatus} from '../engine/types.js';
import type {SessionState} from '../session/types.js';

/** Steps before the first heading live in a pseudo-section with this key. */
export const TOP_SECTION = '(top)';

export function sectionKey(section: string | null): string {
	return section ?? TOP_SECTION;
}

export function stepStatus(state: SessionState, stepId: string, checked = false): StepStatus {
	return state.steps[stepId]?.status ?? (checked ? 'done' : 'pending');
}

export function isRunnable(step: Step): boolean {
	return step.blocks.some(b => b.executor !== null);
}

const bySectionCache = new WeakMap<Checklist, Map<string, Step[]>>();

/**
 * Steps of each section including its sub-sections' (a "Rollout" heading
 * with three stages shows all their steps); steps before the first heading
 * under TOP_SECTION.
 */
export function stepsBySection(checklist: Checklist): Map<string, Step[]> {
	let map = bySectionCache.get(checklist);
	if (map) return map;
	map = new Map();
	const parentOf = new Map(checklist.sections.map(s => [s.id, s.parent] as const));
	const add = (key: string, step: Step) => {
		const list = map!.get(key);
		if (list) list.push(step);
		else map!.set(key, [step]);
	};
	for (const step of checklist.steps) {
		if (step.section === null) {
			add(TOP_SECTION, step);
			continue;
		}
		for (let id: string | null = step.section, guard = 0; id !== null && guard < 32; id = parentOf.get(id) ?? null, guard++) add(id, step);
	}
	bySectionCache.set(checklist, map);
	return map;
}

/** True when the step is in the section or one of its sub-sections. */
export function inSection(checklist: Checklist, key: string, stepId: string): boolean {
	return (stepsBySection(checklist).get(key) ?? []).some(s => s.id === stepId);
}

/** The step's status; a step ticked `[x]` in the markdown and never touched counts as done. */
export function statusOf(state: SessionState, step: Step): StepStatus {
	return state.steps[step.id]?.status ?? (step.checked ? 'done' : 'pending');
}

/** The nearest section (the step's own, else an ancestor) with a Duration budget. */
export function budgetSection(checklist: Checklist, key: string): Section | undefined {
	const byId = new Map(checklist.sections.map(s => [s.id, s] as const));
	for (let section = byId.get(key), guard = 0; section && guard < 32; section = section.parent ? byId.get(section.parent) : undefined, guard++) {
		if (section.meta.durationMinutes !== undefined) return section;
	}
	return undefined;
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
