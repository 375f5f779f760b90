// Markdown → checklist model. markdown-it does the markdown; this file only
// walks its tokens, so nested fences, tables and HTML comments behave exactly
// as CommonMark says. Pure: no I/O, never throws.
import MarkdownIt from 'markdown-it';
import type {Token} from 'markdown-it';
import type {Block, Checklist, RollbackInfo, RollbackList, Section, SectionMeta, Step, Warning} from './model.js';
import {makeBlock, expectationsOf, placeholdersOf, withTraits} from './blocks.js';
import {buildTree, plainText, type Node} from './tree.js';
import {splitFrontmatter} from './frontmatter.js';
import {inlineCommandExecutor} from './inline-command.js';
import {isProseIntro, isProseSection, readsAsAction} from './list-steps.js';
import {isInlinePromql} from './promql-inline.js';
import {labelKey, parseDuration, parseWindowRange, parseWindowSetting} from './meta.js';
import {isRollbackReference, rollbackListIntro, rollbackReferencesInText, rollbackRoleOf} from './rollback.js';
import {finishRollback} from './rollback-doc.js';
import {normalizeNewlines, repairMojibake, slugify, squash} from './text.js';

const md = new MarkdownIt('default', {html: true, linkify: false, typographer: false});

function cleanTitle(text: string): string {
	return squash(text).replace(/\s*:\s*$/, '');
}

interface State {
	lines: string[];
	sections: Section[];
	steps: Step[];
	warnings: Warning[];
	references: RollbackInfo['references'];
	referenceTargets: Set<string>;
	section: Section | null;
	/** Nearest preceding heading or paragraph: the title of a standalone block. */
	lastTitle: string;
	usedIds: Map<string, number>;
	sectionIds: Map<string, number>;
	preambleMeta: SectionMeta;
	/** The document title's section: window-ish labels are copied there for the UI. */
	titleSection: Section | null;
	windowMinutes?: number;
	mojibakeLine?: number;
	lastContent?: number;
	rollbackLists: RollbackList[];
	/** The open headings, outermost first (openSection keeps it). */
	sectionStack: Section[];
}

function repaired(state: State, text: string, line: number): string {
	const fixed = repairMojibake(text);
	if (fixed !== text && state.mojibakeLine === undefined) state.mojibakeLine = line;
	return fixed;
}

/** base, then base-2, base-3… skipping ids already taken (a title may itself end in "-2"). */
function uniqueId(used: Map<string, number>, base: string): string {
	if (!used.has(base)) {
		used.set(base, 1);
		return base;
	}
	let n = used.get(base)!;
	let id: string;
	do id = `${base}-${++n}`;
	while (used.has(id));
	used.set(base, n);
	used.set(id, 1);
	return id;
}

function collectReferences(state: State, inline: Token, line: number): void {
	const children = inline.children ?? [];
	const context = () => squash(plainText(inline)).replace(/^\[[ xX]\]\s*/, '').slice(0, 120);
	const add = (target: string, text: string) => {
		if (state.referenceTargets.has(target)) return;
		state.referenceTargets.add(target);
		state.references.push({text, target, line});
	};
	for (let i = 0; i < children.length; i++) {
		const c = children[i]!;
		if (c.type === 'link_open') {
			const href = c.attrGet('href') ?? '';
			let text = '';
			for (let j = i + 1; j < children.length && children[j]!.type !== 'link_close'; j++) text += children[j]!.content;
			if (isRollbackReference(href) || (/roll[\s-]?back/i.test(text) && href)) add(href, squash(text) || context());
		} else if (c.type === 'code_inline') {
			if (isRollbackReference(c.content)) add(c.content.trim(), context());
		} else if (c.type === 'text') {
			for (const target of rollbackReferencesInText(c.content)) add(target, context());
		}
	}
}

const durationLabels = new Set(['duration', 'estimated-duration', 'estimated-time', 'time', 'eta', 'time-estimate', 'expected-duration']);
const windowLabels = new Set(['schedule', 'window', 'maintenance-window', 'deployment-window', 'when', 'time-window', 'planned-window']);

/** `**Label**: value` lines; returns false when the paragraph is not a label paragraph. */
function readMeta(state: State, inline: Token, line: number): boolean {
	const text = plainText(inline, true, true);
	const rows = text.split('\n');
	const first = /^\*\*([^*\n]{1,48}?)\s*(:?)\s*\*\*\s*(:?)\s*(.*)$/.exec(rows[0]!.trim());
	if (!first || (first[2] !== ':' && first[3] !== ':')) return false;
	const meta = state.section?.meta ?? state.preambleMeta;
	const values: Array<[string, string]> = [];
	for (const row of rows) {
		const m = /^\*\*([^*\n]{1,48}?)\s*(:?)\s*\*\*\s*(:?)\s*(.*)$/.exec(row.trim());
		if (m && (m[2] === ':' || m[3] === ':')) {
			values.push([labelKey(repaired(state, m[1]!, line)), m[4]!]);
		} else if (values.length > 0) {
			values[values.length - 1]![1] += ' ' + row;
		}
	}
	for (const [k, raw] of values) {
		if (!k || Object.hasOwn(meta, k)) continue;
		const value = squash(repaired(state, raw.replace(/\*\*/g, ''), line));
		meta[k] = value;
		if (durationLabels.has(k) && meta.durationMinutes === undefined) {
			const minutes = parseDuration(value);
			if (minutes !== undefined) meta.durationMinutes = minutes;
		}
		if (windowLabels.has(k)) {
			const minutes = parseWindowRange(value);
			if (minutes !== undefined) {
				meta.windowMinutes ??= minutes;
				state.windowMinutes ??= minutes;
			}
			const doc = state.titleSection;
			if (minutes !== undefined && doc && doc.meta !== meta && !Object.hasOwn(doc.meta, k)) {
				doc.meta[k] = value;
				doc.meta.windowMinutes ??= minutes;
			}
		}
	}
	return true;
}

function openSection(state: State, node: Node & {kind: 'heading'}, stack: Section[], titleSection: {id: string | null}): void {
	const title = cleanTitle(repaired(state, plainText(node.inline), node.line)) || '(untitled)';
	while (stack.length > 0 && stack[stack.length - 1]!.depth >= node.level) stack.pop();
	const parent = stack[stack.length - 1] ?? null;
	const own = slugify(title, 'section');
	// The document title (first H1) is left out of its descendants' ids, so renaming it keeps them.
	const base = parent && parent.id !== titleSection.id ? `${parent.id}/${own}` : own;
	const id = uniqueId(state.sectionIds, base);
	const section: Section = {id, title, depth: node.level, line: node.line, parent: parent?.id ?? null, rollback: rollbackRoleOf(title), meta: {}, blocks: []};
	if (state.sections.length === 0 && Object.keys(state.preambleMeta).length > 0) Object.assign(section.meta, state.preambleMeta);
	if (node.level === 1 && titleSection.id === null) {
		titleSection.id = id;
		state.titleSection = section;
	}
	state.sections.push(section);
	stack.push(section);
	state.section = section;
	state.lastTitle = title;
	collectReferences(state, node.inline, node.line);
}

function newStep(state: State, title: string, line: number, parent: Step | null, checkbox: boolean, checked: boolean): Step {
	const sectionId = state.section?.id ?? null;
	// Like section ids, step ids leave the document title out: renaming it changes nothing.
	const prefix = sectionId && state.section !== state.titleSection ? `${sectionId}/` : '';
	const base = prefix + slugify(title, 'step');
	const step: Step = {id: uniqueId(state.usedIds, base), section: sectionId, parent: parent?.id ?? null, title, line, checkbox, checked, blocks: [], expect: [], placeholders: []};
	state.steps.push(step);
	return step;
}

function fenceBlock(state: State, node: Node & {kind: 'fence'}): Block {
	const t = node.token;
	const block = makeBlock(t.info, t.content, node.line);
	const end = t.map?.[1] ?? node.line;
	const closing = state.lines[end - 1] ?? '';
	const char = t.markup[0] ?? '`';
	const stripped = closing.replace(/^[\s>]*/, '');
	const fenceRun = stripped.length - stripped.replace(char === '`' ? /^`+/ : /^~+/, '').length;
	const closed = end - 1 > node.line - 1 && fenceRun >= t.markup.length && stripped.slice(fenceRun).trim() === '';
	if (!closed) {
		block.unclosed = true;
		const atEnd = end >= lastContentLine(state);
		state.warnings.push({line: node.line, message: `code fence opened at line ${node.line} is never closed; it runs to line ${end}, the end of ${atEnd ? 'the document' : 'its list item or quote'}`});
	}
	return block;
}

/** 1-based number of the last non-blank line, computed once. */
function lastContentLine(state: State): number {
	if (state.lastContent === undefined) {
		let i = state.lines.length;
		while (i > 0 && state.lines[i - 1]!.trim() === '') i--;
		state.lastContent = i;
	}
	return state.lastContent;
}

function codeBlock(node: Node & {kind: 'code'}): Block {
	const content = node.token.content.replace(/\n$/, '');
	return {lang: '', executor: null, line: node.line, code: content, inline: false, indented: true};
}

function finishStep(step: Step): void {
	for (const block of step.blocks) {
		for (const e of expectationsOf(block)) if (!step.expect.includes(e)) step.expect.push(e);
		if (block.executor === null) continue;
		for (const p of placeholdersOf(block.code)) if (!step.placeholders.includes(p)) step.placeholders.push(p);
	}
}

/** What an inline `code` span runs: 'shell' / 'sql' for commands, 'promql' for PromQL; null for text. */
function inlineExecutor(code: string): Block['executor'] {
	return inlineCommandExecutor(code) ?? (isInlinePromql(code) ? 'promql' : null);
}

/** Runnable inline `code` spans of a step's paragraphs and plain sub-bullets, in document order. */
function inlineBlocks(paras: Array<Node & {kind: 'para'}>): Block[] {
	const out: Block[] = [];
	for (const para of paras) {
		let line = para.line;
		for (const c of para.inline.children ?? []) {
			if (c.type === 'softbreak' || c.type === 'hardbreak') line++;
			if (c.type !== 'code_inline') continue;
			const executor = inlineExecutor(c.content);
			if (executor) out.push(withTraits({lang: executor === 'shell' ? 'sh' : executor, executor, line, code: c.content.trim(), inline: true}));
		}
	}
	return out;
}

/** Paragraphs of a plain (non-step) sub-list, for the commands in them. */
function parasOf(nodes: Node[], into: Array<Node & {kind: 'para'}>): void {
	for (const node of nodes) {
		if (node.kind === 'para') into.push(node);
		else if (node.kind === 'item' && !node.runnable) parasOf(node.children, into);
	}
}

/** An inline code span of the paragraph is a command or PromQL. */
function hasInlineCommand(inline: Token): boolean {
	return (inline.children ?? []).some(c => c.type === 'code_inline' && inlineExecutor(c.content) !== null);
}

function noteText(state: State, nodes: Node[], into: string[]): void {
	for (const node of nodes) {
		if (node.kind === 'para' || node.kind === 'heading') {
			collectReferences(state, node.inline, node.line);
			const text = squash(repaired(state, plainText(node.inline), node.line));
			if (text) into.push(text);
		} else if (node.kind === 'item') noteText(state, node.children, into);
	}
}

/**
 * A list item: a step when it is runnable (a task, or holds a fence or a task)
 * or when its list is a list of steps (`asStep`); otherwise notes of `parent`.
 */
function walkItem(state: State, item: Node & {kind: 'item'}, parent: Step | null, asStep = false): Step | null {
	if (!item.runnable && !asStep) {
		const notes: string[] = [];
		noteText(state, item.children, notes);
		if (parent && notes.length > 0) (parent.notes ??= []).push(...notes);
		return null;
	}
	const first = item.children[0];
	const task = item.task;
	let title = '';
	let rest = item.children;
	const ownParas: Array<Node & {kind: 'para'}> = [];
	if (first?.kind === 'para') {
		title = cleanTitle(repaired(state, plainText(first.inline), first.line));
		if (task) title = title.replace(/^\[[ xX]\]\s*/, '');
		collectReferences(state, first.inline, first.line);
		ownParas.push(first);
		rest = item.children.slice(1);
	}
	if (!title) title = task ? '(untitled task)' : state.lastTitle || 'Step';
	const step = newStep(state, title, item.line, parent, task !== null, task !== null && task[1] !== ' ');
	if (item.list.ordered) step.number = item.number;
	for (const node of rest) {
		switch (node.kind) {
			case 'fence':
				step.blocks.push(fenceBlock(state, node));
				break;
			case 'code':
				step.blocks.push(codeBlock(node));
				break;
			case 'item':
				// Numbered items under a numbered step are its child steps; plain
				// sub-bullets are notes whose commands belong to the step.
				if (!node.runnable && !(item.list.ordered && !task && node.list.ordered)) parasOf([node], ownParas);
				walkItem(state, node, step, item.list.ordered && !task && node.list.ordered);
				break;
			case 'para':
				ownParas.push(node);
				noteText(state, [node], (step.notes ??= []));
				break;
			case 'heading':
				noteText(state, [node], (step.notes ??= []));
				break;
			default:
				break;
		}
	}
	// A step that already has runnable fences keeps its inline code as description,
	// so the same command is never offered twice.
	if (!step.blocks.some(b => b.executor !== null)) step.blocks.push(...inlineBlocks(ownParas));
	if (step.notes?.length === 0) delete step.notes;
	finishStep(step);
	return step;
}

/** Any task item in the nodes, at any depth. */
function holdsTask(nodes: Node[]): boolean {
	return nodes.some(n => n.kind === 'item' && (n.task !== null || holdsTask(n.children)));
}

/** The section's own content (up to the next heading) has a task item. */
function sectionHasTasks(nodes: Node[], from: number): boolean {
	for (let k = from; k < nodes.length && nodes[k]!.kind !== 'heading'; k++) if (holdsTask([nodes[k]!])) return true;
	return false;
}

/** Only a link (a table of contents, a list of links), perhaps with a short description after it. */
function linkOnly(item: Node & {kind: 'item'}): boolean {
	const first = item.children[0];
	if (first?.kind !== 'para') return false;
	const children = first.inline.children ?? [];
	return children[0]?.type === 'link_open' || (children[0]?.type === 'text' && children[0].content.trim() === '' && children[1]?.type === 'link_open');
}

/** Is this list (its items at this level) a list of steps? */
function listOfSteps(state: State, items: Array<Node & {kind: 'item'}>, sectionTasks: boolean, intro: Node | undefined): boolean {
	const section = state.section;
	if (intro?.kind === 'para' && isProseIntro(squash(plainText(intro.inline)))) return false;
	const parent = section?.parent ? state.sectionStack.find(s => s.id === section.parent) : undefined;
	// "Rollback Quick Reference" is a procedure, not a list of references.
	const prose = (s: Section | undefined) => s !== undefined && s.rollback === null && isProseSection(s.title);
	if (prose(section ?? undefined) || (section !== state.titleSection && parent?.rollback !== 'procedure' && prose(parent))) return false;
	if (items.every(linkOnly)) return false;
	// Numbered lists are steps; bulleted ones, and numbered ones among task items, when every item reads as an action.
	if (items[0]!.list.ordered && !sectionTasks) return true;
	if (sectionTasks && !items[0]!.list.ordered) return false;
	const command = (item: Node & {kind: 'item'}) => item.runnable || (item.children[0]?.kind === 'para' && hasInlineCommand(item.children[0].inline));
	// In a rollback section ("Emergency Procedures": `- **Full**: \`./rollback.sh all\``) a list with commands is the procedure.
	if (section?.rollback === 'procedure' && items.some(command)) return true;
	return items.every(item => {
		if (item.runnable) return true;
		const first = item.children[0];
		return first?.kind === 'para' && readsAsAction(plainText(first.inline, false, true), hasInlineCommand(first.inline));
	});
}

/** "To roll back:", "**Rollback steps**", "Undo:" — a paragraph that introduces a rollback list. */
function rollbackIntro(state: State, node: Node | undefined): string | null {
	if (node?.kind !== 'para' || state.section?.rollback) return null;
	const text = squash(plainText(node.inline));
	if (text.length > 120 || !rollbackListIntro(text)) return null;
	return cleanTitle(text);
}

function walkDocument(state: State, nodes: Node[]): string | null {
	const stack = state.sectionStack;
	const titleSection = {id: null as string | null};
	const listSteps = new Map<number, boolean>();
	const rollbackLists = new Map<number, RollbackList>();
	let sectionTasks = sectionHasTasks(nodes, 0);
	// Top-level items by list, gathered once (a 10 MB file has thousands of lists).
	const itemsOf = new Map<number, Array<Node & {kind: 'item'}>>();
	for (const n of nodes) if (n.kind === 'item') (itemsOf.get(n.list.id) ?? itemsOf.set(n.list.id, []).get(n.list.id)!).push(n);
	nodes.forEach((node, k) => {
		switch (node.kind) {
			case 'heading':
				openSection(state, node, stack, titleSection);
				sectionTasks = sectionHasTasks(nodes, k + 1);
				break;
			case 'para': {
				collectReferences(state, node.inline, node.line);
				if (readMeta(state, node.inline, node.line)) break;
				const text = cleanTitle(repaired(state, plainText(node.inline), node.line));
				if (text) state.lastTitle = text.length > 100 ? text.slice(0, 97) + '…' : text;
				break;
			}
			case 'fence': {
				const block = fenceBlock(state, node);
				if (block.executor === null && state.section) {
					state.section.blocks.push(block);
				} else {
					const step = newStep(state, state.lastTitle || `${block.lang || 'code'} block`, node.line, null, false, false);
					step.blocks.push(block);
					finishStep(step);
				}
				break;
			}
			case 'code':
				state.section?.blocks.push(codeBlock(node));
				break;
			case 'item': {
				const id = node.list.id;
				let steps = listSteps.get(id);
				if (steps === undefined) {
					steps = listOfSteps(state, itemsOf.get(id)!, sectionTasks, nodes[k - 1]);
					listSteps.set(id, steps);
					const intro = steps && node.list.ordered ? rollbackIntro(state, nodes[k - 1]) : null;
					if (intro) rollbackLists.set(id, {id: '', title: intro, line: nodes[k - 1]!.line, section: state.section?.id ?? null, steps: []});
				}
				const step = walkItem(state, node, null, steps);
				const list = rollbackLists.get(id);
				if (step && list) list.steps.push(step.id);
				break;
			}
			default:
				break;
		}
	});
	for (const list of rollbackLists.values()) {
		if (list.steps.length === 0) continue;
		list.id = `list:${list.steps[0]}`;
		state.rollbackLists.push(list);
	}
	return titleSection.id;
}

function applySettings(checklist: Checklist, state: State, frontmatterLines: number): void {
	const s = checklist.settings;
	if (s.window !== undefined) {
		const minutes = parseWindowSetting(s.window);
		if (minutes === undefined) state.warnings.push({line: 1, message: `frontmatter window ${JSON.stringify(s.window)} is not a duration like 2h or 90m (ignored)`});
		else checklist.windowMinutes = minutes;
	}
	if (s.tiles !== undefined && !Array.isArray(s.tiles)) state.warnings.push({line: 1, message: 'frontmatter tiles must be a list (ignored)'});
	if (s.rollback === undefined) return;
	if (typeof s.rollback !== 'string' || s.rollback.trim() === '') {
		state.warnings.push({line: 1, message: 'frontmatter rollback must be a section title, a section id or a path'});
		return;
	}
	const wanted = s.rollback.trim();
	const section = checklist.sections.find(x => x.id === wanted) ?? checklist.sections.find(x => x.title.toLowerCase() === wanted.toLowerCase());
	if (section) {
		section.rollback = 'procedure';
		checklist.rollback.default = section.id;
		if (!checklist.rollback.procedures.includes(section.id)) {
			checklist.rollback.procedures = checklist.sections.filter(x => x.rollback === 'procedure').map(x => x.id);
		}
	} else if (/[/\\]|\.(?:md|markdown|txt)$/i.test(wanted)) {
		if (!checklist.rollback.references.some(r => r.target === wanted)) {
			checklist.rollback.references.unshift({text: 'frontmatter rollback', target: wanted, line: Math.max(1, frontmatterLines)});
		}
	} else {
		state.warnings.push({line: 1, message: `frontmatter rollback "${wanted}" matches no section title or id`});
	}
}

function basename(file: string | undefined): string {
	if (!file) return '';
	return file.replace(/^.*[/\\]/, '').replace(/\.[^.]*$/, '');
}

function parseUnsafe(input: string, file?: string): Checklist {
	const text = normalizeNewlines(input.includes('\0') ? input.replace(/\0/g, '\uFFFD') : input);
	const front = splitFrontmatter(text);
	const state: State = {
		lines: front.body.split('\n'),
		sections: [],
		steps: [],
		warnings: [...front.warnings],
		references: [],
		referenceTargets: new Set(),
		section: null,
		lastTitle: '',
		usedIds: new Map(),
		sectionIds: new Map(),
		preambleMeta: {},
		titleSection: null,
		rollbackLists: [],
		sectionStack: [],
	};
	const tree = buildTree(md.parse(front.body, {}));
	const titleId = walkDocument(state, tree);
	const titleSection = state.sections.find(s => s.id === titleId) ?? state.sections[0];
	let title = titleSection?.title ?? '';
	if (!titleId) {
		if (text.trim() !== '') state.warnings.push({line: 1, message: 'no "# Title" heading; using ' + (titleSection ? 'the first heading' : 'the file name')});
		if (!titleSection) title = basename(file) || 'Untitled checklist';
	}
	if (state.steps.length === 0 && text.trim() !== '') state.warnings.push({line: 1, message: 'no steps found (no task items, no code blocks)'});
	if (state.mojibakeLine !== undefined) state.warnings.push({line: state.mojibakeLine, message: 'text looks like UTF-8 read as Windows-1252 (e.g. "âœ…"); titles were repaired'});
	const checklist: Checklist = {
		title,
		sections: state.sections,
		steps: state.steps,
		rollback: finishRollback(state.sections, state.steps, titleId, state.references, state.rollbackLists),
		warnings: state.warnings,
		settings: front.settings,
	};
	if (state.windowMinutes !== undefined) checklist.windowMinutes = state.windowMinutes;
	applySettings(checklist, state, front.lines);
	checklist.warnings.sort((a, b) => a.line - b.line);
	if (file !== undefined) checklist.file = file;
	return checklist;
}

/** Pure and total: any string gives a checklist; problems become warnings. */
export function parseChecklist(text: string, file?: string): Checklist {
	try {
		return parseUnsafe(typeof text === 'string' ? text : String(text ?? ''), file);
	} catch (error) {
		// Last line of defence for the "never throws" promise; tests keep this unreachable.
		const message = error instanceof Error ? error.message : String(error);
		return {
			title: basename(file) || 'Untitled checklist',
			sections: [],
			steps: [],
			rollback: {default: null, procedures: [], references: []},
			warnings: [{line: 1, message: `internal parser error: ${message}`}],
			settings: {},
			...(file === undefined ? {} : {file}),
		};
	}
}
