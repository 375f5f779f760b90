// Which rollback procedures a checklist offers and what each would run:
// pure functions over the checklist model, used by the rollback slice.
import {existsSync} from 'node:fs';
import {dirname, isAbsolute, resolve} from 'node:path';
import type {Block, Checklist, Step} from '../checklist/model.js';
import {isImmediate, procedureStepsOf} from '../checklist/rollback.js';
import {preflight, type Preflight} from '../safety/analyze.js';

export interface RollbackProcedure {
	/** Section id for procedures of the checklist (also one the engineer picked); `list:<step id>` for a numbered rollback list; `file:<path>` for a separate runbook. */
	key: string;
	title: string;
	/** 'picked': a section the engineer chose with R when the checklist had no procedure. */
	source: 'checklist' | 'file' | 'picked';
	/** The runbook file (source 'file'). */
	file?: string;
	steps: Step[];
	immediate: boolean;
}

/** Steps of a procedure: its own and those of sub-sections that are neither procedures nor trigger lists. */
export function procedureSteps(checklist: Checklist, sectionId: string): Step[] {
	return procedureStepsOf(checklist.sections, checklist.steps, sectionId);
}

/**
 * The checklist's own procedures with steps (sections, then numbered rollback
 * lists), and the section the engineer picked earlier in this session.
 */
export function checklistProcedures(checklist: Checklist, picked?: string): RollbackProcedure[] {
	const out: RollbackProcedure[] = [];
	for (const id of checklist.rollback.procedures) {
		const section = checklist.sections.find(s => s.id === id);
		if (!section) continue;
		const steps = procedureSteps(checklist, id);
		if (steps.length === 0) continue;
		out.push({key: id, title: section.title, source: 'checklist', steps, immediate: isImmediate(section.title)});
	}
	const byId = new Map(checklist.steps.map(s => [s.id, s]));
	for (const list of checklist.rollback.lists ?? []) {
		const steps = list.steps.map(id => byId.get(id)).filter((s): s is Step => s !== undefined);
		if (steps.length > 0) out.push({key: list.id, title: list.title, source: 'checklist', steps, immediate: isImmediate(list.title)});
	}
	if (picked !== undefined && !out.some(p => p.key === picked)) {
		const procedure = pickedProcedure(checklist, picked);
		if (procedure) out.push(procedure);
	}
	return out;
}

/** Sections that could serve as the rollback (they hold steps), for `R` when the checklist names none. */
export function pickableSections(checklist: Checklist): Array<{id: string; title: string; depth: number; steps: number}> {
	return checklist.sections
		.map(s => ({id: s.id, title: s.title, depth: s.depth, steps: sectionSteps(checklist, s.id).length}))
		.filter(s => s.steps > 0);
}

/** Every step in the section and its sub-sections, in document order. */
function sectionSteps(checklist: Checklist, sectionId: string): Step[] {
	const parentOf = new Map(checklist.sections.map(s => [s.id, s.parent]));
	const inside = (id: string | null): boolean => {
		for (let cur = id; cur !== null; cur = parentOf.get(cur) ?? null) if (cur === sectionId) return true;
		return false;
	};
	return checklist.steps.filter(s => inside(s.section));
}

/** A section the engineer picked as the rollback: all its steps. */
export function pickedProcedure(checklist: Checklist, sectionId: string): RollbackProcedure | null {
	const section = checklist.sections.find(s => s.id === sectionId);
	if (!section) return null;
	const steps = sectionSteps(checklist, sectionId);
	return steps.length > 0 ? {key: section.id, title: section.title, source: 'picked', steps, immediate: false} : null;
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

export interface PlanLine {
	text: string;
	/** A comment is shown dimmed, without `$`; it does nothing. */
	kind: 'command' | 'comment';
}

export interface PlanStep {
	id: string;
	title: string;
	/** "3. Restore the database": numbered once (a title that carries its own number keeps it). */
	heading: string;
	/** The exact commands, block by block ('' for a manual step). */
	commands: string[];
	/** What the plan shows: command and comment lines, blank lines dropped. */
	lines: PlanLine[];
	manual: boolean;
	/** A command runs until cancelled: the rollback moves on when the engineer cancels it (x). */
	endless: boolean;
	/** Shell code guessed from an unlabeled fence. */
	guessed: boolean;
	preflight: Preflight;
}

const ownNumber = /^\s*(?:step\s+)?\d+[a-z]?[.):]\s/i;

function planLines(block: Block): PlanLine[] {
	const comment = block.executor === 'sql' ? /^\s*--/ : /^\s*#/;
	return block.code
		.split('\n')
		.filter(line => line.trim() !== '')
		.map(line => ({text: line, kind: comment.test(line) ? 'comment' : 'command'}));
}

export function planOf(procedure: RollbackProcedure, env: Record<string, string | undefined>, extraPatterns: string[]): PlanStep[] {
	// Later steps may read what earlier ones assign: treat every assignment in the procedure as known.
	return procedure.steps.map((step, k) => {
		const runnable = step.blocks.filter(b => b.executor !== null);
		return {
			id: step.id,
			title: step.title,
			heading: ownNumber.test(step.title) ? step.title : `${k + 1}. ${step.title}`,
			commands: runnable.map(b => b.code),
			lines: runnable.flatMap(planLines),
			manual: runnable.length === 0,
			endless: runnable.some(b => b.endless === true),
			guessed: runnable.some(b => b.guessed === true),
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
