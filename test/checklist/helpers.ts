// Test-side counting, written independently of the parser under test: what
// markdown-it itself says the fences and task items of a file are.
import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import MarkdownIt from 'markdown-it';
import type {Checklist} from '../../source/checklist/model.js';

export const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/checklist');
export const checklistsDir = join(dirname(fileURLToPath(import.meta.url)), '../../checklists');

export function fixtureNames(): string[] {
	return readdirSync(fixtureDir).filter(f => f.endsWith('.md')).sort();
}

export function fixture(name: string): string {
	return readFileSync(join(fixtureDir, name), 'utf8');
}

const md = new MarkdownIt({html: true});

/** Frontmatter lines become blank lines, as the product promises; done here with plain line logic. */
function blankFrontmatter(text: string): string {
	const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
	if (lines[0]?.trimEnd() !== '---') return lines.join('\n');
	const end = lines.findIndex((l, i) => i > 0 && /^(?:---|\.\.\.)\s*$/.test(l));
	if (end === -1) return lines.join('\n');
	for (let i = 0; i <= end; i++) lines[i] = '';
	return lines.join('\n');
}

export interface SourceCounts {
	/** 1-based opening-fence lines. */
	fenceLines: number[];
	/** 1-based lines of list items that are GFM task items. */
	taskLines: number[];
}

export function countSource(text: string): SourceCounts {
	const tokens = md.parse(blankFrontmatter(text.replace(/\0/g, '\uFFFD')), {});
	const fenceLines: number[] = [];
	const taskLines: number[] = [];
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i]!;
		if (t.type === 'fence') fenceLines.push(t.map![0] + 1);
		if (t.type === 'list_item_open' && tokens[i + 1]?.type === 'paragraph_open' && /^\[[ xX]\](\s|$)/.test(tokens[i + 2]?.content ?? '')) {
			taskLines.push(t.map![0] + 1);
		}
	}
	return {fenceLines, taskLines};
}

/** The model's fenced blocks (steps and sections) and checkbox steps, by line. */
export function countModel(c: Checklist): SourceCounts {
	const fenceLines: number[] = [];
	for (const owner of [...c.steps, ...c.sections]) {
		for (const b of owner.blocks) if (!b.inline && !b.indented) fenceLines.push(b.line);
	}
	return {fenceLines, taskLines: c.steps.filter(s => s.checkbox).map(s => s.line)};
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** The invariant: every fence and every task item appears exactly once. */
export function invariantProblems(text: string, c: Checklist): string[] {
	const src = countSource(text);
	const model = countModel(c);
	const problems: string[] = [];
	if (JSON.stringify(sorted(src.fenceLines)) !== JSON.stringify(sorted(model.fenceLines))) {
		problems.push(`fences: source ${JSON.stringify(sorted(src.fenceLines))} model ${JSON.stringify(sorted(model.fenceLines))}`);
	}
	if (JSON.stringify(sorted(src.taskLines)) !== JSON.stringify(sorted(model.taskLines))) {
		problems.push(`tasks: source ${JSON.stringify(sorted(src.taskLines))} model ${JSON.stringify(sorted(model.taskLines))}`);
	}
	return problems;
}
