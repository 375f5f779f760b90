// Random mutations of every fixture, from a seeded PRNG so a failure names
// the seed and the input can be rebuilt. Asserts: no throw, the invariant,
// unique ids, and a generous sanity cap on time (not a performance test).
import {describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/load.js';
import {fixture, fixtureNames, invariantProblems} from './helpers.js';
import {mulberry32, mutate} from './mutate.js';

const perFixture = Number(process.env.FUZZ_PER_FIXTURE ?? 40);

describe('fuzz: mutated fixtures', () => {
	for (const name of fixtureNames()) {
		it(name, () => {
			const base = fixture(name);
			let slowest = 0;
			for (let n = 0; n < perFixture; n++) {
				const seed = (name.length * 7919 + n * 104729) >>> 0;
				const input = mutate(base, mulberry32(seed));
				const start = performance.now();
				let c;
				try {
					c = parseChecklist(input);
				} catch (error) {
					throw new Error(`seed ${seed} threw: ${String(error)}`);
				}
				slowest = Math.max(slowest, performance.now() - start);
				expect(c.warnings.filter(w => w.message.startsWith('internal')), `seed ${seed}`).toEqual([]);
				expect(invariantProblems(input, c), `seed ${seed}`).toEqual([]);
				expect(new Set(c.steps.map(s => s.id)).size, `seed ${seed}`).toBe(c.steps.length);
				expect(JSON.parse(JSON.stringify(c))).toEqual(c);
			}
			expect(slowest).toBeLessThan(5000);
		});
	}
});
