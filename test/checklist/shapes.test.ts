// Runbooks as people write them (issue 14): each shape has a fixture and the
// exact outline it must give (test/fixtures/checklist/outlines/<name>.txt),
// plus the model fields the cockpit acts on.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/load.js';
import type {Checklist, Step} from '../../source/checklist/model.js';
import {formatOutline} from '../../source/checklist/outline-text.js';
import {isEndless} from '../../source/checklist/endless.js';
import {looksLikeShell} from '../../source/checklist/fence-guess.js';
import {isInlinePromql, promqlComparison} from '../../source/checklist/promql-inline.js';
import {readsAsAction} from '../../source/checklist/list-steps.js';
import {fixture, fixtureDir, fixtureNames, invariantProblems} from './helpers.js';

const load = (name: string): Checklist => parseChecklist(fixture(name), name);
const byTitle = (c: Checklist, title: string): Step => {
	const step = c.steps.find(s => s.title === title);
	if (!step) throw new Error(`no step titled ${title}: ${c.steps.map(s => s.title).join(' | ')}`);
	return step;
};

describe('each shape gives its exact outline, and the invariant holds', () => {
	const shapes = fixtureNames().filter(n => n.startsWith('shape-'));
	it('there is a fixture for every shape of the issue', () => expect(shapes).toHaveLength(10));
	for (const name of shapes) {
		it(name, () => {
			const c = load(name);
			const want = readFileSync(join(fixtureDir, 'outlines', name.replace(/\.md$/, '.txt')), 'utf8').replace(/\n$/, '');
			expect(formatOutline(c)).toBe(want);
			expect(invariantProblems(fixture(name), c)).toEqual([]);
		});
	}
});

describe('lists as steps', () => {
	const c = load('shape-numbered-runbook.md');
	it('numbered items are steps, numbered as written, restarting per list; nested numbers are child steps', () => {
		expect(c.steps.map(s => [s.number, s.parent === null ? null : c.steps.find(p => p.id === s.parent)!.number])).toEqual([
			[1, null], [2, null], [3, null], [4, null], [1, 4], [2, 4], [5, null], [1, null], [2, null],
		]);
		expect(c.steps.every(s => !s.checkbox)).toBe(true);
	});
	it('inline commands run, names and values stay text; a table of contents and notes stay prose', () => {
		expect(byTitle(c, 'Confirm the release tag in the ticket matches git describe --tags').blocks).toEqual([
			{lang: 'sh', executor: 'shell', line: 10, code: 'git describe --tags', inline: true},
		]);
		expect(c.steps[1]!.blocks.map(b => b.code)).toEqual(['BASE_URL=http://127.0.0.1:8080 bash tools/smoke.sh']);
		expect(c.steps.some(s => /Metadata|dashboard/.test(s.title))).toBe(false);
	});
	it('inline PromQL is a promql block; with a comparison it is a gate', () => {
		expect(byTitle(c, 'Execute PromQL').blocks).toEqual([
			{lang: 'promql', executor: 'promql', line: 17, inline: true, gate: true, code: 'sum(rate(checkout_requests_total{code=~"5.."}[5m])) / sum(rate(checkout_requests_total[5m])) < 0.02'},
		]);
		expect(c.steps[7]!.blocks[0]).toMatchObject({executor: 'promql', code: 'histogram_quantile(0.95, sum by (le) (rate(checkout_latency_seconds_bucket[5m])))'});
		expect(c.steps[7]!.blocks[0]!.gate).toBeUndefined();
	});
	it('bulleted lists: steps when every item reads as an action and the section has no tasks', () => {
		const b = load('shape-action-bullets.md');
		expect(b.steps.map(s => [s.section, s.title, s.checkbox])).toEqual([
			['cutover', 'Freeze writes with ./cache-admin freeze --all', false],
			['cutover', 'Switch the read path to the new cluster', false],
			['cutover', 'Verify the hit ratio on the cache dashboard', false],
			['mixed', 'Post the cutover notice', true],
		]);
		expect(b.steps[0]!.number).toBeUndefined();
	});
	it('what reads as an action', () => {
		expect(readsAsAction('Restart the workers', false)).toBe(true);
		expect(readsAsAction('**Restart** the workers', false)).toBe(true);
		expect(readsAsAction('2. Notify the channel', false)).toBe(true);
		expect(readsAsAction('**Plan**: four hours', false)).toBe(false);
		expect(readsAsAction('**If it overruns**:', false)).toBe(false);
		expect(readsAsAction('Plan: four hours', false)).toBe(false);
		expect(readsAsAction('the old cluster is retired', false)).toBe(false);
		expect(readsAsAction('the `make x` target', true)).toBe(true);
	});
});

describe('commands in plain sub-bullets belong to the step', () => {
	const c = load('shape-sub-bullet-commands.md');
	it('as runnable inline blocks, in order; text stays in notes', () => {
		expect(byTitle(c, 'Run pilot rollout').blocks.map(b => [b.code, b.line])).toEqual([['make pilot', 6], ['make pilot-verify REGION=eu-west-1', 7]]);
		expect(byTitle(c, 'Run pilot rollout').notes).toEqual(['make pilot', 'then make pilot-verify REGION=eu-west-1']);
		expect(byTitle(c, 'Announce the pilot').blocks).toEqual([]);
		expect(byTitle(c, 'Scale the canary').blocks.map(b => b.code)).toEqual(['kubectl scale deploy/pilot --replicas=3']);
		expect(byTitle(c, 'Watch the queue drain').blocks.map(b => b.code)).toEqual(['redis-cli LLEN pilot:queue']);
	});
	it('a step with a runnable fence does not offer the same command twice', () => {
		expect(byTitle(c, 'Promote the build').blocks.map(b => [b.lang, b.code])).toEqual([['bash', 'make promote']]);
	});
});

describe('unlabeled fences', () => {
	it('all-$ fences run as console blocks; a transcript with output stays display only', () => {
		const c = load('shape-prompt-fences.md');
		expect(byTitle(c, 'Look at the nodes').blocks[0]).toMatchObject({lang: 'console', executor: 'shell', code: 'kubectl get nodes\nkubectl top nodes', raw: '$ kubectl get nodes\n$ kubectl top nodes'});
		expect(byTitle(c, 'Drain the old node').blocks[0]!.code).toBe('kubectl drain node-7 \\\n    --ignore-daemonsets');
		expect(c.sections[1]!.blocks).toMatchObject([{lang: '', executor: null, line: 20}]);
	});
	it('shell-looking fences are guessed shell blocks; output, prose and YAML stay display only', () => {
		const c = load('shape-unlabeled-fences.md');
		expect(c.steps.map(s => s.blocks.map(b => [b.executor, b.guessed]))).toEqual([[['shell', true]], [['shell', true]], [['shell', true]]]);
		expect(c.sections[1]!.blocks.map(b => [b.line, b.executor])).toEqual([[24, null], [29, null], [33, null]]);
	});
	it('what reads as shell', () => {
		expect(looksLikeShell('kubectl get pods\n# comment\n\nhelm list -A')).toBe(true);
		expect(looksLikeShell('for f in *.log; do\n  gzip "$f"\ndone')).toBe(true);
		expect(looksLikeShell('my-tool --dry-run')).toBe(true);
		expect(looksLikeShell('make sure the database is up before you continue.')).toBe(false);
		expect(looksLikeShell('NAME READY STATUS\nweb-1 1/1 Running')).toBe(false);
		expect(looksLikeShell('replicas: 3')).toBe(false);
		expect(looksLikeShell('# only a comment')).toBe(false);
	});
});

describe('endless commands', () => {
	const c = load('shape-endless-commands.md');
	it('are marked on the block; backgrounded, broken-out-of or timed ones are not', () => {
		expect(c.steps.map(s => s.blocks.some(b => b.endless))).toEqual([true, true, true, true, true, false, false, false, false]);
	});
	it('detection', () => {
		expect(isEndless('kubectl get pods -w')).toBe(true);
		expect(isEndless('kubectl get -f manifest.yaml')).toBe(false);
		expect(isEndless('kubectl apply -f manifest.yaml')).toBe(false);
		expect(isEndless('docker logs --follow api')).toBe(true);
		expect(isEndless('while :; do date; sleep 1; done')).toBe(true);
		expect(isEndless('while true; do sleep 1; done &')).toBe(false);
		expect(isEndless('# watch the pods\nkubectl get pods')).toBe(false);
		expect(isEndless('tail -n 20 -f app.log')).toBe(true);
	});
});

describe('PromQL inline and gates', () => {
	it('expressions vs names', () => {
		for (const q of ['rate(http_requests_total[5m])', 'up{job="api"}', 'http_errors_ratio > 0.02', 'sum(x) by (job)']) expect(isInlinePromql(q), q).toBe(true);
		for (const q of ['http_requests_total', 'curl -s http://x/api?query=up', '[5m]', 'x > y; rm z']) expect(isInlinePromql(q), q).toBe(false);
	});
	it('a comparison outside label matchers makes a gate; bool does not', () => {
		expect(promqlComparison('sum(rate(x{code!="200"}[5m])) < 0.02')).toBe(true);
		expect(promqlComparison('rate(x{code=~"5.."}[5m])')).toBe(false);
		expect(promqlComparison('up == bool 1')).toBe(false);
	});
});

describe('rollback detection', () => {
	it('"Rollback Quick Reference" with "Emergency Procedures" below: the emergency one is the default; contacts are none', () => {
		const c = load('shape-rollback-quick-reference.md');
		expect(c.rollback.procedures).toEqual(['rollback-quick-reference', 'rollback-quick-reference/emergency-procedures', 'rollback-quick-reference/planned-revert']);
		expect(c.rollback.default).toBe('rollback-quick-reference/emergency-procedures');
		expect(c.sections.find(s => s.id === 'emergency-contacts')!.rollback).toBeNull();
	});
	it('a whole-document rollback runbook: its sections with commands are the procedures, the quick one first', () => {
		const c = load('shape-rollback-runbook.md');
		expect(c.rollback).toMatchObject({runbook: true, default: 'quick-rollback-feature-flag', procedures: ['quick-rollback-feature-flag', 'full-rollback-previous-image', 'database-restore']});
		expect(c.sections[0]!.rollback).toBeNull();
		expect(c.sections.find(s => s.id === 'rollback-trigger-conditions')!.rollback).toBe('trigger');
	});
	it('without an immediate one, the first in document order', () => {
		const text = fixture('shape-rollback-runbook.md').replace('Quick rollback', 'Flag rollback');
		expect(parseChecklist(text).rollback.default).toBe('flag-rollback-feature-flag');
	});
	it('a numbered rollback list inside a section is a candidate', () => {
		const c = load('shape-rollback-list.md');
		expect(c.rollback.procedures).toEqual([]);
		expect(c.rollback.lists).toEqual([{
			id: 'list:release/stop-the-mailer-with-systemctl-stop-mailer', title: 'If the bounce rate climbs, roll back', line: 10, section: 'release',
			steps: ['release/stop-the-mailer-with-systemctl-stop-mailer', 'release/reinstall-the-previous-package-apt-get-install', 'release/tell-the-support-team'],
		}]);
	});
	it('bold-paragraph steps keep their own numbers and expectations', () => {
		const c = load('shape-bold-paragraph-steps.md');
		expect(c.steps.slice(1).map(s => s.title)).toEqual(['1. Immediate Stop', '2. Restore the previous build', '3. Watch the error log until it is quiet']);
		expect(c.steps[1]!.expect).toEqual(['inactive']);
	});
});
