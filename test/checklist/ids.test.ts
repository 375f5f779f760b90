import {describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/load.js';
import {fixture, fixtureNames} from './helpers.js';

describe('stable ids', () => {
	it('the same file always gives the same ids', () => {
		for (const name of fixtureNames()) {
			const a = parseChecklist(fixture(name));
			const b = parseChecklist(fixture(name));
			expect(b.steps.map(s => s.id)).toEqual(a.steps.map(s => s.id));
			expect(b.sections.map(s => s.id)).toEqual(a.sections.map(s => s.id));
		}
	});
	it('ids are unique within a checklist', () => {
		for (const name of fixtureNames()) {
			const c = parseChecklist(fixture(name));
			expect(new Set(c.steps.map(s => s.id)).size).toBe(c.steps.length);
			expect(new Set(c.sections.map(s => s.id)).size).toBe(c.sections.length);
		}
	});
	it('section path + step slug; numeric suffix only for duplicates in the same section', () => {
		const c = parseChecklist(fixture('duplicates.md'));
		expect(c.sections.map(s => s.id)).toEqual(['duplicates', 'stage-one', 'stage-two', 'stage-one-2']);
		expect(c.steps.map(s => s.id)).toEqual([
			'stage-one/restart', 'stage-one/verify', 'stage-one/restart-2', 'stage-one/verify-2',
			'stage-two/restart', 'stage-one-2/restart',
		]);
	});
	it('nested sections carry the heading path (the H1 title is left out)', () => {
		const c = parseChecklist(fixture('runbook-ledger.md'));
		expect(c.sections.map(s => s.id)).toContain('during-the-window/stage-2-application');
		expect(c.steps.map(s => s.id)).toContain('during-the-window/stage-2-application/canary-checks');
	});
	it('editing one step text changes no other id', () => {
		const text = fixture('runbook-ledger.md');
		const before = parseChecklist(text);
		const edited = parseChecklist(text.replace('**Canary checks**', '**Canary checks on every pod**').replace('5xx ratio above 2%', '5xx ratio above 3%'));
		const changed = before.steps.map((s, i) => [s.id, edited.steps[i]!.id]).filter(([a, b]) => a !== b);
		expect(changed).toEqual([
			['during-the-window/stage-2-application/canary-checks', 'during-the-window/stage-2-application/canary-checks-on-every-pod'],
			['rollback-trigger-checklist/5xx-ratio-above-2', 'rollback-trigger-checklist/5xx-ratio-above-3'],
		]);
		expect(edited.sections.map(s => s.id)).toEqual(before.sections.map(s => s.id));
	});
	it('inserting a step or renaming the title keeps the other ids', () => {
		const text = fixture('runbook-ledger.md');
		const before = parseChecklist(text).steps.map(s => s.id);
		const inserted = parseChecklist(text.replace('- [ ] Change record filed', '- [ ] A brand new step\n- [ ] Change record filed').replace('# Ledger Service 7.2 Rollout', '# Ledger Service 7.3 Rollout')).steps.map(s => s.id);
		expect(inserted.filter(id => !before.includes(id))).toEqual(['before-the-window/communication/a-brand-new-step']);
		expect(before.every(id => inserted.includes(id))).toBe(true);
	});
});

describe('id collisions', () => {
	it('a title that already ends in -2 does not collide with a duplicate suffix', () => {
		const c = parseChecklist('# T\n\n- [ ] Restart\n- [ ] Restart 2\n- [ ] Restart\n- [ ] Restart\n');
		expect(c.steps.map(s => s.id)).toEqual(['restart', 'restart-2', 'restart-3', 'restart-4']);
		const d = parseChecklist('# T\n\n- [ ] Restart\n- [ ] Restart\n- [ ] Restart 2\n');
		expect(d.steps.map(s => s.id)).toEqual(['restart', 'restart-2', 'restart-2-2']);
	});
});
