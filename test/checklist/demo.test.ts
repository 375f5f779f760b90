// The bundled checklists: they load cleanly and show every construct the cockpit demos.
import {describe, expect, it} from 'vitest';
import {join} from 'node:path';
import {loadChecklist} from '../../source/checklist/load.js';
import {checklistsDir} from './helpers.js';

describe('checklists/demo.md', async () => {
	const c = await loadChecklist(join(checklistsDir, 'demo.md'));
	const shell = c.steps.flatMap(s => s.blocks).filter(b => b.executor === 'shell').map(b => b.code).join('\n');
	it('loads without warnings, 2 h window, immediate rollback as default', () => {
		expect(c.warnings).toEqual([]);
		expect(c.settings.window).toBe('2h');
		expect(c.windowMinutes).toBe(120);
		expect(c.rollback.default).toBe('rollback-procedures/immediate-rollback');
		expect(c.sections.some(s => s.rollback === 'trigger')).toBe(true);
	});
	it('has every executor, a console block, a placeholder, manual steps and labels', () => {
		expect(new Set(c.steps.flatMap(s => s.blocks.map(b => b.executor)))).toEqual(new Set(['shell', 'sql', 'promql', 'redis']));
		expect(c.steps.some(s => s.blocks.some(b => b.lang === 'console'))).toBe(true);
		expect(c.steps.some(s => s.placeholders.length > 0)).toBe(true);
		expect(c.steps.filter(s => s.blocks.length === 0).length).toBeGreaterThan(2);
		expect(c.sections.some(s => s.meta.durationMinutes && s.meta.risk)).toBe(true);
	});
	it('shell commands are the safe kind: a loop, a failure on purpose, export, cd /tmp', () => {
		expect(shell).toMatch(/for i in \$\(seq 1 10\)/);
		expect(shell).toMatch(/exit 3/);
		expect(shell).toMatch(/export LIGHTHOUSE_RELEASE=/);
		expect(shell).toMatch(/cd \/tmp\/lighthouse-demo/);
		// Nothing outside /tmp is written or removed.
		for (const m of shell.matchAll(/\brm -rf (\S+)/g)) expect(m[1]).toMatch(/^\/tmp\//);
		expect(shell).not.toMatch(/\bsudo\b|\bkubectl\b|\bcurl\b|>\s*\/(?!tmp|dev\/null)/);
	});
});

describe('checklists/rollback-runbook.md', async () => {
	const c = await loadChecklist(join(checklistsDir, 'rollback-runbook.md'));
	it('loads cleanly with an emergency default', () => {
		expect(c.warnings).toEqual([]);
		expect(c.rollback.default).toBe('rollback-plan/emergency-rollback');
		expect(c.steps.filter(s => s.section === 'rollback-plan/emergency-rollback')).toHaveLength(3);
	});
});
