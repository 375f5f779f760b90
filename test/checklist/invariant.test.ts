import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/load.js';
import {checklistsDir, countSource, fixture, fixtureNames, invariantProblems} from './helpers.js';

describe('every fenced block and every task item appears exactly once in the model', () => {
	for (const name of fixtureNames()) {
		it(name, () => {
			const text = fixture(name);
			const c = parseChecklist(text);
			expect(invariantProblems(text, c)).toEqual([]);
		});
	}
	for (const name of readdirSync(checklistsDir).filter(f => f.endsWith('.md'))) {
		it(`checklists/${name}`, () => {
			const text = readFileSync(join(checklistsDir, name), 'utf8');
			expect(invariantProblems(text, parseChecklist(text))).toEqual([]);
		});
	}

	it('the counting helper sees what the fixtures hold (so the invariant can fail)', () => {
		const counts = countSource(fixture('nested-fences.md'));
		expect(counts.fenceLines).toEqual([6, 10, 14, 22, 29, 35, 39]);
		expect(counts.taskLines).toEqual([5, 9, 13]);
		const broken = parseChecklist(fixture('nested-fences.md'));
		broken.steps[0]!.blocks = [];
		expect(invariantProblems(fixture('nested-fences.md'), broken)).toHaveLength(1);
	});
});
