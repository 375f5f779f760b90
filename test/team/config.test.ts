// Team settings: flags, then the environment, then the checklist's frontmatter
// (which names the variable holding the URL, never the URL).
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {teamConfig, teamFrontmatter} from '../../source/team/config.js';

describe('team settings', () => {
	it('frontmatter names the URL\'s variable, the session and the sentinels; flags and env win', () => {
		const fm = {redis: 'PAY_TEAM_REDIS', name: 'pay-window', sentinels: ['10.0.0.1:26379', '10.0.0.2'], master: 'payments'};
		const env = {PAY_TEAM_REDIS: 'redis://u:pw@10.0.0.9:6379'};
		expect(teamConfig({as: 'ana'}, env, fm)).toEqual({
			url: 'redis://u:pw@10.0.0.9:6379',
			session: 'pay-window',
			as: 'ana',
			offline: false,
			sentinels: [{host: '10.0.0.1', port: 26379}, {host: '10.0.0.2', port: 26379}],
			master: 'payments',
		});
		expect(teamConfig({as: 'ana', session: 'other'}, {...env, DEPLOYCOCKPIT_TEAM: 'rediss://x:1'}, fm)).toMatchObject({url: 'rediss://x:1', session: 'other'});
		expect(teamConfig({}, {}, undefined)).toBeUndefined();
	});

	it('a URL written in the frontmatter, or the variable unset, is a clear error', () => {
		expect(() => teamConfig({}, {}, {redis: 'redis://u:secret@h:6379', name: 'w'})).toThrow(/must name an environment variable .*not "redis:\/\/…@h:6379"/);
		expect(() => teamConfig({}, {}, {redis: 'PAY_TEAM_REDIS', name: 'w'})).toThrow(/PAY_TEAM_REDIS is not set/);
		expect(() => teamConfig({}, {PAY_TEAM_REDIS: 'redis://h'}, {redis: 'PAY_TEAM_REDIS'})).toThrow(/needs a session name/);
	});

	it('reads `team:` from a file\'s frontmatter, and nothing from a file without one', () => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-team-fm-'));
		try {
			const file = join(dir, 'w.md');
			writeFileSync(file, '---\ndeploycockpit:\n  window: 2h\n  team:\n    redis: PAY_TEAM_REDIS\n    name: pay\n---\n# W\n');
			expect(teamFrontmatter(file)).toEqual({redis: 'PAY_TEAM_REDIS', name: 'pay'});
			writeFileSync(file, '---\ndeploycockpit:\n  window: 2h\n---\n# W\n- [ ] team: later\n');
			expect(teamFrontmatter(file)).toBeUndefined();
			expect(teamFrontmatter(join(dir, 'missing.md'))).toBeUndefined();
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});
