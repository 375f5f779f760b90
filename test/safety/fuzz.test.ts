// The analysers see whatever people paste into checklists: they must never
// throw or hang, whatever the input.
import {describe, expect, it} from 'vitest';
import {dangerousInCode, expandKnown, placeholdersIn, unsetVarsIn} from '../../source/safety/analyze.js';
import {createMasker, createStreamMasker} from '../../source/safety/mask.js';

function rng(seed: number) {
	return () => {
		seed = (seed * 1103515245 + 12345) & 0x7fffffff;
		return seed / 0x7fffffff;
	};
}

const PIECES = ['rm', ' -rf ', '$', '${', '}', '$(', ')', '((', '))', '`', "'", '"', '\\', '\n', '<<', 'EOF', '<', '>', '&', '|', ';', '#', ' ', 'x', 'DROP', 'TABLE', 'DELETE FROM t', 'WHERE', '--', '/*', '*/', '$$', '2>&1', '<<<', '{', 'kill', 'sudo', 'bash -c', 'ssh h', '=', 'A', '<pod>', '\t', 'FLUSHALL'];

describe('fuzz', () => {
	it('random shell-ish, SQL-ish and redis-ish text never throws', () => {
		const next = rng(42);
		for (let n = 0; n < 600; n++) {
			let text = '';
			const len = Math.floor(next() * 40);
			for (let k = 0; k < len; k++) text += PIECES[Math.floor(next() * PIECES.length)];
			for (const kind of ['shell', 'sql', 'redis'] as const) expect(() => dangerousInCode(text, kind, 1, ['rm'])).not.toThrow();
			expect(() => unsetVarsIn(text, {})).not.toThrow();
			expect(() => placeholdersIn(text)).not.toThrow();
			expect(() => expandKnown(text, {A: '1'})).not.toThrow();
			expect(() => createMasker({API_TOKEN: 'abcdefgh'})(text)).not.toThrow();
			const m = createStreamMasker({API_TOKEN: 'abcdefgh'});
			expect(() => m.write(text) + m.flushIdle() + m.end()).not.toThrow();
		}
	});

	it('pathological nesting is reported for confirmation instead of crashing', () => {
		const deep = '$('.repeat(20_000) + 'true' + ')'.repeat(20_000);
		const findings = dangerousInCode(deep, 'shell');
		expect(findings).toHaveLength(1);
		expect(findings[0]!.reason).toMatch(/too complex/);
		expect(unsetVarsIn(deep, {})).toEqual([]);
	});
});
