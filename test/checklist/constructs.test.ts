import {describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/load.js';
import type {Checklist, Step} from '../../source/checklist/model.js';
import {fixture} from './helpers.js';

const load = (name: string): Checklist => parseChecklist(fixture(name), name);
const byTitle = (c: Checklist, title: string): Step => {
	const step = c.steps.find(s => s.title === title);
	if (!step) throw new Error(`no step titled ${title}: ${c.steps.map(s => s.title).join(' | ')}`);
	return step;
};

describe('headings and task items', () => {
	const c = load('basic-tasks.md');
	it('H1 is the title, headings make the section tree', () => {
		expect(c.title).toBe('Basic tasks');
		expect(c.sections.map(s => [s.id, s.depth, s.parent, s.line])).toEqual([
			['basic-tasks', 1, null, 1],
			['prepare', 2, 'basic-tasks', 3],
		]);
	});
	it('- * + bullets, [x] and [X] start done, nesting keeps parents', () => {
		expect(c.steps.map(s => [s.title, s.checked])).toEqual([
			['Announce the window in the team channel', false],
			['Freeze merges to the release branch', true],
			['Star bullet task', false],
			['Plus bullet task, upper-case X', true],
			['Parent task', false],
			['Child task one', false],
			['Child task two', true],
			['Grandchild task', false],
			['(untitled task)', false],
		]);
		expect(byTitle(c, 'Child task one').parent).toBe(byTitle(c, 'Parent task').id);
		expect(byTitle(c, 'Grandchild task').parent).toBe(byTitle(c, 'Child task two').id);
		expect(c.steps.every(s => s.checkbox && s.section === 'prepare')).toBe(true);
	});
	it('plain bullets, numbered lines and near-miss markers are prose', () => {
		expect(c.steps.some(s => /Plain|not a task|no-space/.test(s.title))).toBe(false);
	});
});

describe('fenced blocks', () => {
	it('nested three levels deep in lists, ~~~ and 4-backtick fences', () => {
		const c = load('nested-fences.md');
		const three = byTitle(c, 'Level three');
		expect(three.parent).toBe(byTitle(c, 'Level two').id);
		expect(three.blocks).toHaveLength(1);
		expect(three.blocks[0]!.code).toContain('```bash\necho "this line is inside a 4-backtick fence"\n```');
		expect(byTitle(c, 'Level two').blocks[0]).toMatchObject({lang: 'sh', executor: 'shell', code: 'echo two', line: 10});
		const numbered = byTitle(c, 'Numbered inside level three');
		expect(numbered).toMatchObject({checkbox: false, parent: three.id});
		expect(numbered.blocks[0]).toMatchObject({lang: 'console', code: 'echo four levels'});
	});
	it('a 5-backtick markdown block holding a 4-backtick fence is one display block', () => {
		const c = load('nested-fences.md');
		const section = c.sections.find(s => s.title === 'Standalone long fences')!;
		expect(section.blocks).toHaveLength(1);
		expect(section.blocks[0]).toMatchObject({lang: 'markdown', executor: null, line: 29});
		const standalone = c.steps.filter(s => s.section === section.id);
		expect(standalone.map(s => s.blocks[0]!.code)).toEqual(['echo tilde fence with spaces before the info string', 'echo indented by three spaces']);
	});
	it('a runnable block outside list items is its own step, titled by the nearest heading or paragraph', () => {
		const c = load('standalone-blocks.md');
		expect(c.steps.map(s => [s.title, s.checkbox, s.blocks.map(b => b.code).join('|')])).toEqual([
			['bash block', false, 'echo before any heading'],
			['1. Lint', false, 'npm run lint'],
			['2. Two blocks under one heading', false, 'echo first'],
			['2. Two blocks under one heading', false, 'echo second'],
			['Restart the workers', false, 'systemctl restart example-worker'],
			['Then check the queue depth', false, 'LLEN jobs:pending'],
		]);
		expect(c.steps[3]!.id).toBe(`${c.steps[2]!.id}-2`);
	});
	it('display-only blocks outside steps attach to their section', () => {
		const c = load('standalone-blocks.md');
		const display = c.sections.find(s => s.title === 'Display only')!;
		expect(display.blocks.map(b => [b.lang, b.executor])).toEqual([['yaml', null], ['json', null], ['', null]]);
	});
	it('numbered items are steps (numbered as written); bulleted items with a block or tasks are steps', () => {
		const c = load('list-item-steps.md');
		expect(c.steps.map(s => [s.title, s.checkbox])).toEqual([
			['Drain traffic (about 1 minute)', false],
			['Wait for connections to close. This is prose.', false],
			['Verify the drain', false],
			['Documentation updates', false],
			['Changelog entry', true],
			['Runbook link updated', true],
		]);
		expect(byTitle(c, 'Changelog entry').parent).toBe(byTitle(c, 'Documentation updates').id);
	});
	it('task-like lines inside code blocks are not steps', () => {
		const c = load('task-like-in-code.md');
		expect(c.steps.map(s => s.title)).toEqual(['Write the checklist file']);
		expect(c.sections[1]!.blocks[0]!.code).toBe('- [ ] nor this');
	});
});

describe('executors follow the info string', () => {
	const c = load('executors.md');
	const cases: Array<[string, string, string | null]> = [
		['bash', 'bash', 'shell'], ['sh', 'sh', 'shell'], ['shell', 'shell', 'shell'], ['zsh', 'zsh', 'shell'],
		['console', 'console', 'shell'], ['sql', 'sql', 'sql'], ['postgresql', 'postgresql', 'sql'],
		['postgres', 'postgres', 'sql'], ['psql', 'psql', 'sql'], ['promql', 'promql', 'promql'], ['redis', 'redis', 'redis'],
		['yaml', 'yaml', null], ['json', 'json', null], ['markdown', 'markdown', null], ['text', 'text', null], ['none', '', null],
		['braces', 'bash', 'shell'], ['attributes', 'bash', 'shell'], ['upper case', 'bash', 'shell'], ['comments only', 'bash', 'shell'],
	];
	for (const [title, lang, executor] of cases) {
		it(`${title} → ${executor ?? 'display only'}`, () => {
			expect(byTitle(c, title).blocks[0]).toMatchObject({lang, executor, inline: false});
		});
	}
	it('a comments-only shell block is still a shell block with its text', () => {
		expect(byTitle(c, 'comments only').blocks[0]!.code).toBe('# nothing to run here, only notes');
	});
});

describe('console blocks', () => {
	const c = load('console.md');
	it('only $-prompted lines (and their continuations) are commands', () => {
		const block = byTitle(c, 'Check the service').blocks[0]!;
		expect(block.code).toBe("systemctl is-active example-api\ncurl -s http://127.0.0.1:8080/health \\\n  -H 'Accept: application/json'");
		expect(block.raw).toContain('{"status":"ok"}');
	});
	it('a console block without prompts runs nothing', () => {
		expect(byTitle(c, 'Output only').blocks[0]).toMatchObject({executor: 'shell', code: ''});
	});
});

describe('inline commands in task items', () => {
	const c = load('inline-commands.md');
	const inline = (title: string) => byTitle(c, title).blocks.filter(b => b.inline).map(b => [b.executor, b.code]);
	it('commands become runnable inline blocks', () => {
		expect(inline('Run migration 003: psql -f migrations/003_add_index.sql')).toEqual([['shell', 'psql -f migrations/003_add_index.sql']]);
		expect(inline('Create namespace: kubectl create ns payments-canary')).toEqual([['shell', 'kubectl create ns payments-canary']]);
		expect(inline('Count pending rows: SELECT count(*) FROM outbox WHERE sent = false;')).toEqual([['sql', 'SELECT count(*) FROM outbox WHERE sent = false;']]);
		expect(inline('Two commands: make build then make deploy')).toEqual([['shell', 'make build'], ['shell', 'make deploy']]);
		expect(inline('Restart with ./scripts/restart.sh --graceful')).toEqual([['shell', './scripts/restart.sh --graceful']]);
	});
	it('names, values, paths and metric names are not', () => {
		for (const title of ['Tell #ops-bridge that the window started', 'Update .env.production with the new flag', 'Read docs/runbooks/cache.md first', 'Confirm maxmemory-policy allkeys-lru on the replica', 'Watch http_requests_total in the dashboard']) {
			expect(byTitle(c, title).blocks).toEqual([]);
		}
	});
	it('a task with its own runnable fence keeps inline code as description (no double run)', () => {
		const step = c.steps.find(s => s.title.startsWith('Inline with a fence already'))!;
		expect(step.blocks.map(b => [b.inline, b.code])).toEqual([[false, 'make release']]);
	});
	it('inline code in a plain bullet is not a step', () => {
		expect(c.steps.some(s => s.title.startsWith('Not a task'))).toBe(false);
	});
	it('inline blocks carry their line', () => {
		expect(byTitle(c, 'Create namespace: kubectl create ns payments-canary').blocks[0]!.line).toBe(6);
	});
});

describe('expectations and placeholders', () => {
	it('# Expected / # Should be comments of shell blocks', () => {
		const c = load('expectations.md');
		expect(byTitle(c, 'Health').expect).toEqual(['{"status":"ok"}']);
		expect(byTitle(c, 'Error count').expect).toEqual(['Should be 0']);
		expect(byTitle(c, 'Not shell').expect).toEqual([]);
		expect(byTitle(c, 'Several').expect).toEqual(['three replicas', 'Should be 3']);
	});
	it('<name> in runnable code, not heredocs, redirects, HTML or display blocks', () => {
		const c = load('placeholders.md');
		expect(byTitle(c, 'Describe a pod').placeholders).toEqual(['pod', 'namespace']);
		expect(byTitle(c, 'Heredoc and redirects are not placeholders').placeholders).toEqual([]);
		expect(byTitle(c, 'Display blocks are not scanned').placeholders).toEqual([]);
		expect(byTitle(c, 'SQL placeholder').placeholders).toEqual(['order_id']);
		expect(byTitle(c, 'Inline placeholder: kubectl delete pod <pod-name> -n payments').placeholders).toEqual(['pod-name']);
	});
});

describe('section metadata', () => {
	const c = load('meta.md');
	const meta = (title: string) => c.sections.find(s => s.title === title)!.meta;
	it('bold-label lines under a heading, durations in minutes', () => {
		expect(meta('Stage A')).toEqual({duration: '30 minutes', durationMinutes: 30, risk: 'Medium (affects writes)'});
		expect(meta('Stage B').durationMinutes).toBe(120);
		expect(meta('Stage C').durationMinutes).toBe(90);
		expect(meta('Stage D').durationMinutes).toBe(45);
		expect(meta('Stage E').durationMinutes).toBe(15);
		expect(meta('Stage F')).toMatchObject({durationMinutes: 45, risk: 'High'});
		expect(meta('Stage G')).toEqual({duration: 'whenever it is done'});
	});
	it('a document Schedule goes to the title section with the window length', () => {
		expect(meta('Meta labels')).toMatchObject({schedule: 'Sunday 23:30–01:30 UTC', windowMinutes: 120, owner: 'platform on-call'});
		expect(c.windowMinutes).toBe(120);
	});
	it('bold labels inside list items are not section meta', () => {
		expect(meta('Stage G').plan).toBeUndefined();
	});
});

describe('HTML comments and tables', () => {
	it('nothing inside an HTML comment is a step', () => {
		const c = load('html-comments.md');
		expect(c.steps.map(s => s.title)).toEqual(['Visible step', 'Another visible step']);
		expect(c.sections.flatMap(s => s.blocks)).toEqual([]);
	});
	it('tables are display only; a - [ ] in a cell is not a step', () => {
		const c = load('tables.md');
		expect(c.steps.map(s => s.title)).toEqual(['A real step after the table']);
		expect(c.steps[0]!.blocks).toEqual([]);
	});
	it('tasks inside blockquotes are steps', () => {
		const c = load('blockquote.md');
		expect(c.steps.map(s => [s.title, s.checked, s.blocks.length])).toEqual([['Quoted task', false, 1], ['Quoted done task', true, 0]]);
	});
});

describe('frontmatter', () => {
	it('deploycockpit settings are read, other keys ignored, line numbers kept', () => {
		const c = load('frontmatter.md');
		expect(c.settings).toMatchObject({prometheus: 'http://127.0.0.1:9090', window: '2h', rollback: 'Emergency fallback'});
		expect(c.settings.tiles?.[0]).toMatchObject({title: 'Error rate', unit: 'percent'});
		expect(c.settings).not.toHaveProperty('owner');
		expect(c.windowMinutes).toBe(120);
		expect(c.sections[0]).toMatchObject({title: 'Frontmatter', line: 13});
		expect(c.warnings).toEqual([]);
	});
	it('settings override rollback detection', () => {
		const c = load('frontmatter.md');
		const fallback = c.sections.find(s => s.title === 'Emergency fallback')!;
		expect(fallback.rollback).toBe('procedure');
		expect(c.rollback.default).toBe(fallback.id);
		expect(c.rollback.procedures).toEqual([fallback.id]);
	});
	it('bad YAML is a warning, not a failure', () => {
		const c = load('frontmatter-bad.md');
		expect(c.steps.map(s => s.title)).toEqual(['Still loads']);
		expect(c.settings).toEqual({});
		expect(c.warnings.some(w => /frontmatter is not valid YAML/.test(w.message))).toBe(true);
	});
	it('a rollback path becomes a reference; window minutes as a number', () => {
		const c = load('frontmatter-file.md');
		expect(c.rollback.references[0]).toMatchObject({target: 'rollback-runbook.md'});
		expect(c.windowMinutes).toBe(90);
	});
});

describe('rollback detection', () => {
	it('procedures vs subtitles vs post-rollback vs triggers; immediate is the default', () => {
		const c = load('rollback-sections.md');
		const role = (title: string) => c.sections.find(s => s.title === title)!.rollback;
		expect(role('Upgrade and Rollback Procedures')).toBeNull();
		expect(role('Rollback Plan')).toBe('procedure');
		expect(role('Planned Rollback')).toBe('procedure');
		expect(role('Immediate Rollback')).toBe('procedure');
		expect(role('Post-Rollback Review')).toBeNull();
		expect(role('Rollback Trigger Conditions')).toBe('trigger');
		expect(c.rollback.default).toBe('rollback-plan/immediate-rollback');
		expect(c.rollback.procedures).toEqual(['rollback-plan', 'rollback-plan/planned-rollback', 'rollback-plan/immediate-rollback']);
	});
	it('external rollback documents are references', () => {
		const c = load('rollback-sections.md');
		expect(c.rollback.references.map(r => r.target)).toEqual(['docs/ops/rollback_plan.md', 'https://wiki.example.com/rollback-guide.md', 'rollback_checklist.md']);
		expect(c.rollback.references[1]!.text).toBe('the rollback guide');
	});
	it('without an immediate procedure the top-level plan is the default', () => {
		const c = load('rollback-plan-only.md');
		expect(c.rollback.default).toBe('rollback-plan');
		expect(c.rollback.procedures).toEqual(['rollback-plan', 'rollback-plan/partial-rollback']);
		expect(c.sections.find(s => s.title === 'Rollback Drill Notes')!.rollback).toBeNull();
	});
	it('references in links, code and text', () => {
		const c = load('references.md');
		expect(c.rollback.references.map(r => [r.target, r.line])).toEqual([
			['docs/rollback/plan.md', 5], ['runbooks/rollback_db.md', 6], ['ops/rollback-steps.md', 7],
		]);
		expect(c.rollback.default).toBeNull();
	});
});

describe('whole runbooks', () => {
	it('ledger rollout', () => {
		const c = load('runbook-ledger.md');
		expect(c.title).toBe('Ledger Service 7.2 Rollout');
		expect(c.windowMinutes).toBe(180);
		expect(c.sections[0]!.meta).toMatchObject({schedule: 'Tuesday 21:00–00:00 UTC', windowMinutes: 180});
		expect(c.rollback.default).toBe('rollback-procedures/immediate-rollback-5-minutes');
		expect(c.rollback.procedures).toEqual(['rollback-procedures', 'rollback-procedures/immediate-rollback-5-minutes', 'rollback-procedures/planned-rollback-30-minutes']);
		expect(c.sections.find(s => s.title === 'Rollback Trigger Checklist')!.rollback).toBe('trigger');
		expect(c.sections.find(s => s.title === 'Deployment and Rollback Procedures')!.rollback).toBeNull();
		expect(c.rollback.references.map(r => r.target)).toEqual(['docs/ledger/rollback_plan.md']);
		const executors = new Set(c.steps.flatMap(s => s.blocks.map(b => b.executor)));
		expect(executors).toEqual(new Set(['shell', 'sql', 'promql', 'redis', null]));
		expect(byTitle(c, 'Write the canary note').blocks[0]!.code).toContain('```text');
		expect(byTitle(c, 'Canary checks').expect).toEqual(['Should be "ready" for every pod']);
		expect(c.steps.some(s => s.title.includes('Old step kept'))).toBe(false);
		expect(c.settings.db).toBe('LEDGER_DATABASE_URL');
		expect(c.warnings).toEqual([]);
	});
	it('search reindex', () => {
		const c = load('runbook-search.md');
		expect(c.windowMinutes).toBe(240);
		expect(c.steps.filter(s => !s.checkbox).map(s => s.title)).toEqual(['1. Cluster health', '2. Snapshot repository']);
		expect(c.rollback.default).toBe('emergency-rollback');
		expect(c.rollback.procedures).toEqual(['emergency-rollback', 'full-rollback']);
		expect(c.sections.find(s => s.title === 'After Rollback')!.rollback).toBeNull();
		expect(c.sections.find(s => s.title === 'When to Roll Back')!.rollback).toBe('trigger');
		expect(byTitle(c, 'Follow the task: curl -s http://127.0.0.1:9200/_tasks/<task-id>').placeholders).toEqual(['task-id']);
		expect(byTitle(c, 'Purge the result cache: redis-cli -n 2 FLUSHDB ASYNC').blocks[0]).toMatchObject({executor: 'shell', inline: true});
		expect(byTitle(c, '2. Snapshot repository').blocks[0]!.code.split('\n')).toHaveLength(2);
		expect(c.warnings).toEqual([]);
	});
});

describe('titles', () => {
	it('<word> in a title stays; HTML tags and comments do not', () => {
		const c = parseChecklist('# T\n\n- [ ] Restart <service> on <host><br>now <!-- hidden --> <b>bold</b>\n');
		expect(c.steps[0]!.title).toBe('Restart <service> on <host> now bold');
	});
});
