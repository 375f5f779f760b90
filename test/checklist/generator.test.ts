// bench/gen-checklist.mjs is shared with other benches: exact step counts, deterministic, clean.
import {spawnSync} from 'node:child_process';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/load.js';
import {invariantProblems} from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const generate = (...args: string[]) => spawnSync(process.execPath, ['bench/gen-checklist.mjs', ...args], {cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024}).stdout;

describe('bench/gen-checklist.mjs', () => {
	for (const steps of [500, 5000]) {
		it(`${steps} steps exactly, no warnings, invariant holds`, () => {
			const text = generate(String(steps));
			const c = parseChecklist(text);
			expect(c.steps).toHaveLength(steps);
			expect(c.warnings).toEqual([]);
			expect(c.rollback.default).toBe('rollback-procedures/immediate-rollback');
			expect(c.windowMinutes).toBe(240);
			expect(new Set(c.steps.flatMap(s => s.blocks.map(b => b.executor)))).toEqual(new Set(['shell', 'sql', 'promql', 'redis']));
			expect(invariantProblems(text, c)).toEqual([]);
		});
	}
	it('is deterministic per seed', () => {
		expect(generate('300', '7')).toBe(generate('300', '7'));
		expect(generate('300', '7')).not.toBe(generate('300', '8'));
	});
});
