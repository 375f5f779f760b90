import {describe, expect, it} from 'vitest';
import {consoleCommands, langOf, placeholdersOf} from '../../source/checklist/blocks.js';
import {inlineCommandExecutor} from '../../source/checklist/inline-command.js';
import {parseDuration, parseWindowRange, parseWindowSetting} from '../../source/checklist/meta.js';
import {isRollbackReference, rollbackRoleOf} from '../../source/checklist/rollback.js';
import {repairMojibake, slugify} from '../../source/checklist/text.js';

describe('inline command heuristic', () => {
	const table: Array<[string, 'shell' | 'sql' | null]> = [
		['psql -f migrations/001.sql', 'shell'],
		['kubectl create ns x', 'shell'],
		['redis-cli CONFIG SET maxmemory-policy allkeys-lru', 'shell'],
		['curl -fsS http://127.0.0.1:8080/health', 'shell'],
		['git pull origin main', 'shell'],
		['docker compose up -d', 'shell'],
		['systemctl restart nginx', 'shell'],
		['npm run migrate', 'shell'],
		['make deploy', 'shell'],
		['sudo systemctl reload haproxy', 'shell'],
		['FOO=1 npm test', 'shell'],
		['./deploy.sh', 'shell'],
		['./scripts/restart.sh --graceful', 'shell'],
		['migrate.py --up', 'shell'],
		['mytool sync --all', 'shell'],
		['mytool sync | tee out.log', 'shell'],
		['grep -c ERROR app.log', 'shell'],
		['SELECT count(*) FROM jobs;', 'sql'],
		['select 1;', 'sql'],
		['UPDATE flags SET on = true WHERE name = \'x\';', 'sql'],
		['SELECT count(*) FROM jobs', null],
		['#ops-shared', null],
		['@oncall', null],
		['.env.infra', null],
		['docs/x.md', null],
		['./docs/x.md', null],
		['maxmemory-policy allkeys-lru', null],
		['http_requests_total', null],
		['rate(http_requests_total[5m])', null],
		['https://example.com/rollback', null],
		['USE_NEW_FLAG=false', null],
		['kubectl', null],
		['docker', null],
		['--dry-run', null],
		['CHG-2025-001', null],
		['false', null],
		['v7.2.0', null],
		['ls', null],
		['', null],
		['echo a\necho b', null],
		['set the flag', null],
		['feature toggle name', null],
	];
	for (const [code, want] of table) {
		it(`${JSON.stringify(code)} → ${want}`, () => expect(inlineCommandExecutor(code)).toBe(want));
	}
});

describe('durations and windows', () => {
	const durations: Array<[string, number | undefined]> = [
		['30 minutes', 30], ['2 hours', 120], ['1h30m', 90], ['2h 30min', 150], ['45 min', 45], ['< 15 minutes', 15],
		['45 minutes (⚠️ Critical)', 45], ['1.5 hours', 90], ['15–30 minutes', 30], ['10-20 min', 20], ['90', 90],
		['~5m', 5], ['1 day', 1440], ['90s', 2], ['about 2 hours and 15 minutes', 135], ['whenever', undefined], ['', undefined],
	];
	for (const [text, want] of durations) it(`duration ${JSON.stringify(text)} → ${want}`, () => expect(parseDuration(text)).toBe(want));
	it('window ranges, across midnight too', () => {
		expect(parseWindowRange('Saturday 02:00–06:00 UTC')).toBe(240);
		expect(parseWindowRange('23:30-01:30')).toBe(120);
		expect(parseWindowRange('from 22:00 to 23:15')).toBe(75);
		expect(parseWindowRange('no times here')).toBeUndefined();
		expect(parseWindowRange('25:00–26:00')).toBeUndefined();
	});
	it('frontmatter window setting', () => {
		expect(parseWindowSetting('2h')).toBe(120);
		expect(parseWindowSetting(90)).toBe(90);
		expect(parseWindowSetting('02:00-06:00')).toBe(240);
		expect(parseWindowSetting('soon')).toBeUndefined();
		expect(parseWindowSetting(-5)).toBeUndefined();
	});
});

describe('rollback roles', () => {
	const table: Array<[string, 'procedure' | 'trigger' | null]> = [
		['Rollback Plan', 'procedure'], ['Rollback Procedures', 'procedure'], ['Rollback', 'procedure'],
		['Immediate Rollback (< 15 minutes)', 'procedure'], ['Instant Rollback', 'procedure'], ['Emergency Rollback', 'procedure'],
		['Partial Rollback', 'procedure'], ['Planned Rollback (> 15 minutes)', 'procedure'], ['Roll back the cache', 'procedure'],
		['Deployment and Rollback Procedures', null], ['Step-by-Step Repeatable Deployment and Rollback Procedures', null],
		['Rollback & Release Process', null],
		['Post-Rollback Procedures', null], ['Post Rollback Verification', null], ['After rollback', null],
		['Rollback Trigger Checklist', 'trigger'], ['Rollback Trigger Conditions', 'trigger'], ['When to Roll Back', 'trigger'],
		['Rollback criteria', 'trigger'], ['Rollback authority', null], ['Backout Plan', 'procedure'], ['Revert temporary config', 'procedure'], ['Deploy', null], ['Emergency Procedures', 'procedure'],
		['Emergency Contacts', null], ['Rollback Quick Reference', 'procedure'], ['Rollback references', null], ['Undo', 'procedure'], ['Back-out plan', 'procedure'],
	];
	for (const [title, want] of table) it(`${title} → ${want}`, () => expect(rollbackRoleOf(title)).toBe(want));
	it('references', () => {
		expect(isRollbackReference('rollback_plan.md')).toBe(true);
		expect(isRollbackReference('docs/rollback/')).toBe(true);
		expect(isRollbackReference('https://wiki.example.com/ops/rollback')).toBe(true);
		expect(isRollbackReference('rollback')).toBe(false);
		expect(isRollbackReference('docs/deploy.md')).toBe(false);
	});
});

describe('block helpers', () => {
	it('lang of info strings', () => {
		expect(langOf('bash title="x"')).toBe('bash');
		expect(langOf('{.Bash}')).toBe('bash');
		expect(langOf('')).toBe('');
	});
	it('console commands', () => {
		expect(consoleCommands('$ a\nout\n$ b \\\n> c\nmore')).toBe('a\nb \\\nc');
		expect(consoleCommands('$\n$ x')).toBe('\nx');
	});
	it('placeholders', () => {
		expect(placeholdersOf('kubectl logs <pod> -n <ns> <pod>')).toEqual(['pod', 'ns']);
		expect(placeholdersOf('cat <<EOF\n<<-END\nwc -l < in.txt\nList<String>\n<br>\n<div>x</div>')).toEqual([]);
		expect(placeholdersOf('ssh <user>@<host>')).toEqual(['user', 'host']);
	});
});

describe('text helpers', () => {
	it('repairs UTF-8 read as Windows-1252, leaves real text alone', () => {
		expect(repairMojibake('âœ… done')).toBe('✅ done');
		expect(repairMojibake('ðŸš€ launch')).toBe('🚀 launch');
		expect(repairMojibake('cafÃ©')).toBe('café');
		expect(repairMojibake('café Ä ñ')).toBe('café Ä ñ');
	});
	it('slugs', () => {
		expect(slugify('Stage 21_01a: Dialog Context', 'x')).toBe('stage-21-01a-dialog-context');
		expect(slugify('Ünïcödé ✅', 'x')).toBe('unicode');
		expect(slugify('🚀', 'fallback')).toBe('fallback');
		expect(slugify('a'.repeat(100), 'x').length).toBe(48);
		expect(slugify('word '.repeat(20), 'x')).toMatch(/^(word-)*word$/);
	});
});
