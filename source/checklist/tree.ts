// markdown-it's block tokens as a small tree: headings, paragraphs, fences,
// tables and list items (with the list they belong to). Lists and quotes are
// transparent; only items nest.
import type {Token} from 'markdown-it';
import {htmlTags} from './blocks.js';

export type Node =
	| {kind: 'heading'; level: number; inline: Token; line: number}
	| {kind: 'para'; inline: Token; line: number}
	| {kind: 'fence'; token: Token; line: number}
	| {kind: 'code'; token: Token; line: number}
	| {kind: 'table'; line: number}
	| {kind: 'item'; line: number; children: Node[]; runnable: boolean; task: RegExpExecArray | null; list: ListInfo; number: number};

/** The list an item is in: numbered or bulleted, and which list (items of one list share it). */
export interface ListInfo {
	id: number;
	ordered: boolean;
	/** Items so far (the item's number is start + its index). */
	count: number;
	start: number;
}

const taskMarker = /^\[([ xX])\](?=\s|$)/;

/** Block tokens → a tree of list items; everything else is transparent (blockquotes, lists). */
export function buildTree(tokens: Token[]): Node[] {
	const root: Node[] = [];
	const stack: Node[][] = [root];
	const lists: ListInfo[] = [];
	let listIds = 0;
	const top = () => stack[stack.length - 1]!;
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i]!;
		const line = (t.map?.[0] ?? 0) + 1;
		switch (t.type) {
			case 'ordered_list_open':
			case 'bullet_list_open':
				lists.push({id: ++listIds, ordered: t.type === 'ordered_list_open', count: 0, start: Number(t.attrGet('start') ?? 1) || 1});
				break;
			case 'ordered_list_close':
			case 'bullet_list_close':
				lists.pop();
				break;
			case 'list_item_open': {
				// GFM: the marker opens the item's first paragraph; `- > [x] a` (a quote first) is no task.
				const task = tokens[i + 1]?.type === 'paragraph_open' ? taskMarker.exec(tokens[i + 2]?.content ?? '') : null;
				const list = lists[lists.length - 1] ?? {id: 0, ordered: false, count: 0, start: 1};
				const number = list.start + list.count++;
				const item: Node = {kind: 'item', line, children: [], runnable: false, task, list, number};
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
export function plainText(inline: Token, breaks = false, strong = false): string {
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

