// The bounded queue of a member's run output while the team link is down
// (source/team/held-output.ts).
import {describe, expect, it} from 'vitest';
import {OutputQueue} from '../../source/team/held-output.js';

const wire = (runId: string, chunk: string) => ({member: 'ana', stepId: `s-${runId}`, runId, chunk});

describe('OutputQueue', () => {
	it('joins a run\'s chunks, keeps runs apart and in order, and is empty after take()', () => {
		const q = new OutputQueue(1000);
		q.push(wire('r1', 'a\n'));
		q.push(wire('r1', 'b\n'));
		q.push(wire('r2', 'c\n'));
		expect(q.take()).toEqual([wire('r1', 'a\nb\n'), wire('r2', 'c\n')]);
		expect(q.length).toBe(0);
		expect(q.take()).toEqual([]);
	});

	it('keeps the newest output within the bound, cut at a line start, and says how much was left out', () => {
		const q = new OutputQueue(30);
		for (let i = 0; i < 10; i++) q.push(wire('r1', `line ${i}\n`));
		const [held] = q.take();
		const [notice, ...lines] = held!.chunk.split('\n');
		expect(notice).toMatch(/^\[deploycockpit: 42 characters of this run's output were not sent while the team link was down/);
		expect(lines.join('\n')).toBe('line 6\nline 7\nline 8\nline 9\n');
	});

	it('cuts the oldest run first; a run dropped whole does not count on the next run\'s notice', () => {
		const q = new OutputQueue(10);
		q.push(wire('r1', 'x'.repeat(8)));
		q.push(wire('r2', 'y'.repeat(8)));
		expect(q.take().map(w => w.chunk)).toEqual([expect.stringMatching(/^\[deploycockpit: 6 characters .*\]\nxx$/), 'y'.repeat(8)]);
		q.push(wire('r3', 'x'.repeat(4)));
		q.push(wire('r4', 'y'.repeat(12)));
		expect(q.take().map(w => w.chunk)).toEqual([expect.stringMatching(/^\[deploycockpit: 2 characters .*\]\ny{10}$/)]);
	});

	it('puts a batch that was not sent back in front of what came since', () => {
		const q = new OutputQueue(1000);
		q.push(wire('r1', 'first\n'));
		const batch = q.take();
		q.push(wire('r2', 'later\n'));
		q.putBack(batch);
		expect(q.take().map(w => w.chunk)).toEqual(['first\n', 'later\n']);
	});
});
