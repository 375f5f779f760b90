// What the rollback panel offers and shows for the new shapes (pure: model → plan).
import {describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/load.js';
import {checklistProcedures, pickableSections, planOf} from '../../source/workflows/rollback-plan.js';
import {fixture} from './helpers.js';

const load = (name: string) => parseChecklist(fixture(name), name);

describe('rollback plans', () => {
	it('bold-numbered steps are numbered once; comments are comments; blank lines are dropped; endless is said', () => {
		const c = load('shape-bold-paragraph-steps.md');
		const [procedure] = checklistProcedures(c);
		const plan = planOf(procedure!, {}, []);
		expect(plan.map(p => p.heading)).toEqual(['1. Immediate Stop', '2. Restore the previous build', '3. Watch the error log until it is quiet']);
		expect(plan[0]!.lines).toEqual([
			{text: '# stop the new indexer first', kind: 'comment'},
			{text: 'systemctl stop search-indexer', kind: 'command'},
			{text: '# Expected: inactive', kind: 'comment'},
		]);
		expect(plan[1]!.lines.map(l => l.kind)).toEqual(['command', 'command']);
		expect(plan.map(p => p.endless)).toEqual([false, false, true]);
	});
	it('titles without their own number are numbered by position', () => {
		const c = load('shape-rollback-runbook.md');
		const plan = planOf(checklistProcedures(c)[1]!, {}, []);
		expect(plan.map(p => p.heading)).toEqual(['1. Full rollback (previous image)']);
	});
	it('a numbered rollback list is offered as a procedure', () => {
		const c = load('shape-rollback-list.md');
		expect(checklistProcedures(c).map(p => [p.key, p.title, p.steps.length])).toEqual([['list:release/stop-the-mailer-with-systemctl-stop-mailer', 'If the bounce rate climbs, roll back', 3]]);
	});
	it('with none, any section holding steps can be picked; the pick is offered from then on', () => {
		const c = load('pick-rollback.md');
		expect(checklistProcedures(c)).toEqual([]);
		expect(pickableSections(c).map(s => [s.id, s.steps])).toEqual([['search-cache-rollout', 2], ['rollout', 1], ['put-the-old-cache-back', 1]]);
		expect(checklistProcedures(c, 'put-the-old-cache-back').map(p => [p.key, p.source, p.steps.map(s => s.title)])).toEqual([['put-the-old-cache-back', 'picked', ['Point readers at the old cache']]]);
		expect(checklistProcedures(c, 'gone')).toEqual([]);
	});
});
