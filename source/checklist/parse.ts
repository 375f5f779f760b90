// Markdown → checklist model. markdown-it does the markdown; this file only
// walks its tokens, so nested fences, tables and HTML comments behave exactly
// as CommonMark says. Pure: no I/O, never throws.
import MarkdownIt from 'markdown-it';
import type {Token} from 'markdown-it';
import type {Block, Checklist, RollbackInfo, Section, SectionMeta, Step, Warning} from './model.js';
import {htmlTags, makeBlock, expectationsOf, placeholdersOf} from './blocks.js';
import {splitFrontmatter} from './frontmatter.js';
import {inlineCommandExecutor} from './inline-command.js';
import {labelKey, parseDuration, parseWindowRange, parseWindowSetting} from './meta.js';
import {chooseDefault, isRollbackReference, rollbackReferencesInText, rollbackRoleOf} from './rollback.js';
import {normalizeNewlines, repairMojibake, slugify, squash} from './text.js';

const md = new MarkdownIt('default', {html: true, linkify: false, typographer: false});

type Node =
	| {kind: 'heading'; level: number; inline: Token; line: number}
	| {kind: 'para'; inline: Token; line: number}
	| {kind: 'fence'; token: Token; line: number}
	| {kind: 'code'; token: Token; line: number}
	| {kind: 'table'; line: number}
	| {kind: 'item'; line: number; children: Node[]; runnable: boolean; task: RegExpExecArray | null};

const taskMarker = /^\[([ xX])\](?=\s|$)/;

/** Block tokens → a tree of list items; everything else is transparent (blockquotes, lists). */
function buildTree(tokens: Token[]): Node[] {
	const root: Node[] = [];
	const stack: Node[][] = [root];
	const top = () => stack[stack.length - 1]!;
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i]!;
		const line = (t.map?.[0] ?? 0) + 1;
		switch (t.type) {
			case 'list_item_open': {
				// GFM: the marker opens the item's first paragraph; `- > [x] a` (a quote first) is no task.
				const task = tokens[i + 1]?.type === 'paragraph_open' ? taskMarker.exec(tokens[i + 2]?.content ?? '') : null;
				const item: Node = {kind: 'item', line, children: [], runnable: false, task};
				top().push(item);
				stack.push(item.children);
				break;
			}
			case 'list_item_close':
				if (stack.length > 1) stack.pop();
				break;
			case 'heading_open': {
				const inline = tokens[i + 1];
				if (inline?.type === 'inline') top().push({kind: 'heading', level: Number(t.tag.slice(1)) || 1, inline, line});
				i += 2;
				break;
			}
			case 'paragraph_open': {
				const inline = tokens[i + 1];
				if (inline?.type === 'inline') top().push({kind: 'para', inline, line});
				i += 2;
				break;
			}
			case 'fence':
				top().push({kind: 'fence', token: t, line});
				break;
			case 'code_block':
				top().push({kind: 'code', token: t, line});
				break;
			case 'table_open':
				top().push({kind: 'table', line});
				while (i < tokens.length && tokens[i]!.type !== 'table_close') i++;
				break;
			default:
				break;
		}
	}
	markRunnable(root);
	return root;
}

/** An item is a step when it is a task or holds a fence or a task anywhere below it. */
function markRunnable(nodes: Node[]): boolean {
	let any = false;
	for (const node of nodes) {
		if (node.kind === 'fence') any = true;
		else if (node.kind === 'item') {
			const below = markRunnable(node.children);
			node.runnable = below || node.task !== null;
			if (node.runnable) any = true;
		}
	}
	return any;
}

/** Plain text of an inline token's children; `breaks` keeps line breaks as '\n'. */
function plainText(inline: Token, breaks = false, strong = false): string {
	let out = '';
	for (const c of inline.children ?? []) {
		switch (c.type) {
			case 'text':
			case 'code_inline':
				out += c.content;
				break;
			case 'softbreak':
			case 'hardbreak':
				out += breaks ? '\n' : ' ';
				break;
			case 'image':
				out += c.content;
				break;
			case 'html_inline': {
				// `<service>` in a title is a placeholder-like word, not HTML: keep it; drop real tags and comments.
				const tag = /^<\/?([A-Za-z][\w-]*)/.exec(c.content)?.[1]?.toLowerCase();
				if (tag === 'br') out += ' ';
				else if (tag !== undefined && !htmlTags.has(tag) && !c.content.startsWith('</')) out += c.content;
				break;
			}
			case 'strong_open':
			case 'strong_close':
				if (strong) out += '**';
				break;
			default:
				break;
		}
	}
	return out;
}

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

/** Runnable inline `code` spans of a task's own paragraphs. */
function inlineBlocks(paras: Array<Node & {kind: 'para'}>): Block[] {
	const out: Block[] = [];
	for (const para of paras) {
		let line = para.line;
		for (const c of para.inline.children ?? []) {
			if (c.type === 'softbreak' || c.type === 'hardbreak') line++;
			if (c.type !== 'code_inline') continue;
			const executor = inlineCommandExecutor(c.content);
			if (executor) out.push({lang: executor === 'sql' ? 'sql' : 'sh', executor, line, code: c.content.trim(), inline: true});
		}
	}
	return out;
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

function walkItem(state: State, item: Node & {kind: 'item'}, parent: Step | null): void {
	if (!item.runnable) {
		const notes: string[] = [];
		noteText(state, item.children, notes);
		if (parent && notes.length > 0) (parent.notes ??= []).push(...notes);
		return;
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
	for (const node of rest) {
		switch (node.kind) {
			case 'fence':
				step.blocks.push(fenceBlock(state, node));
				break;
			case 'code':
				step.blocks.push(codeBlock(node));
				break;
			case 'item':
				walkItem(state, node, step);
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
	// A task that already has runnable fences keeps its inline code as description,
	// so the same command is never offered twice.
	if (step.checkbox && !step.blocks.some(b => b.executor !== null)) step.blocks.push(...inlineBlocks(ownParas));
	if (step.notes?.length === 0) delete step.notes;
	finishStep(step);
}

function walkDocument(state: State, nodes: Node[]): string | null {
	const stack: Section[] = [];
	const titleSection = {id: null as string | null};
	for (const node of nodes) {
		switch (node.kind) {
			case 'heading':
				openSection(state, node, stack, titleSection);
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
			case 'item':
				walkItem(state, node, null);
				break;
			default:
				break;
		}
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
		rollback: {default: null, procedures: state.sections.filter(s => s.rollback === 'procedure').map(s => s.id), references: state.references},
		warnings: state.warnings,
		settings: front.settings,
	};
	checklist.rollback.default = chooseDefault(state.sections, state.steps);
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
