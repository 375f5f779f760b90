// Which rollback procedures a checklist offers and what each would run:
// pure functions over the checklist model, used by the rollback slice.
import {existsSync} from 'node:fs';
import {dirname, isAbsolute, resolve} from 'node:path';
import type {Checklist, Section, Step} from '../checklist/model.js';
import {isImmediate} from '../checklist/rollback.js';
import {preflight, type Preflight} from '../safety/analyze.js';

export interface RollbackProcedure {
	/** Section id for procedures of the checklist; `file:<path>` for a separate runbook. */
	key: string;
	title: string;
	source: 'checklist' | 'file';
	/** The runbook file (source 'file'). */
	file?: string;
	steps: Step[];
	immediate: boolean;
}

/** Steps of a procedure: its own and those of sub-sections that are neither procedures nor trigger lists. */
export function procedureSteps(checklist: Checklist, sectionId: string): Step[] {
	const byId = new Map(checklist.sections.map(s => [s.id, s]));
	const belongs = (id: string | null): boolean => {
		for (let cur = id; cur !== null; ) {
			if (cur === sectionId) return true;
			const section: Section | undefined = byId.get(cur);
			if (!section || section.rollback !== null) return false;
			cur = section.parent;
		}
		return false;
	};
	return checklist.steps.filter(s => s.section === sectionId || belongs(s.section));
}

/** The checklist's own procedures with steps, default first-class: index of the preselected one. */
export function checklistProcedures(checklist: Checklist): RollbackProcedure[] {
	const out: RollbackProcedure[] = [];
	for (const id of checklist.rollback.procedures) {
		const section = checklist.sections.find(s => s.id === id);
		if (!section) continue;
		const steps = procedureSteps(checklist, id);
		if (steps.length === 0) continue;
		out.push({key: id, title: section.title, source: 'checklist', steps, immediate: isImmediate(section.title)});
	}
	return out;
}

/** A separate rollback runbook: every step of it except trigger lists. */
export function runbookProcedure(file: string, runbook: Checklist): RollbackProcedure {
	const triggerSections = new Set(runbook.sections.filter(s => s.rollback === 'trigger').map(s => s.id));
	const steps = runbook.steps.filter(s => s.section === null || !triggerSections.has(s.section));
	return {key: `file:${file}`, title: runbook.title || file, source: 'file', file, steps, immediate: true};
}

/** `--rollback FILE` (relative to the cwd), else a frontmatter `rollback:` that names an existing file (relative to the checklist). */
export function externalRunbookPath(checklist: Checklist, optionFile: string | undefined, cwd = process.cwd()): string | null {
	if (optionFile) return isAbsolute(optionFile) ? optionFile : resolve(cwd, optionFile);
	const setting = checklist.settings.rollback;
	if (typeof setting !== 'string' || setting.trim() === '') return null;
	if (checklist.sections.some(s => s.id === setting || s.title.toLowerCase() === setting.trim().toLowerCase())) return null;
	const base = checklist.file ? dirname(checklist.file) : cwd;
	const path = isAbsolute(setting) ? setting : resolve(base, setting.trim());
	return existsSync(path) ? path : null;
}

export function preselect(procedures: RollbackProcedure[], checklist: Checklist): number {
	const file = procedures.findIndex(p => p.source === 'file');
	if (file >= 0) return file;
	const byDefault = procedures.findIndex(p => p.key === checklist.rollback.default);
	if (byDefault >= 0) return byDefault;
	const immediate = procedures.findIndex(p => p.immediate);
	return immediate >= 0 ? immediate : 0;
}

export interface PlanStep {
	id: string;
	title: string;
	/** The exact commands, block by block ('' for a manual step). */
	commands: string[];
	manual: boolean;
	preflight: Preflight;
}

export function planOf(procedure: RollbackProcedure, env: Record<string, string | undefined>, extraPatterns: string[]): PlanStep[] {
	// Later steps may read what earlier ones assign: treat every assignment in the procedure as known.
	return procedure.steps.map(step => {
		const runnable = step.blocks.filter(b => b.executor !== null);
		return {
			id: step.id,
			title: step.title,
			commands: runnable.map(b => b.code),
			manual: runnable.length === 0,
			preflight: preflight(step, env, extraPatterns),
		};
	});
}

/** Names the operator should fill before the rollback: placeholders (required) then unset variables (optional). */
export function fieldsOf(plan: PlanStep[], assignedInProcedure: Set<string>): {placeholders: string[]; unsetVars: string[]} {
	const placeholders: string[] = [];
	const unsetVars: string[] = [];
	for (const s of plan) {
		for (const p of s.preflight.placeholders) if (!placeholders.includes(p)) placeholders.push(p);
		for (const v of s.preflight.unsetVars) if (!unsetVars.includes(v) && !assignedInProcedure.has(v)) unsetVars.push(v);
	}
	return {placeholders, unsetVars};
}
