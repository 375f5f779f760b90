// Without --team nothing of team mode (nor ioredis) is loaded: the commands
// import source/team's Redis parts only behind `if (team)` (dynamic import).
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, copyFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/team/window.md', import.meta.url));

// Runs the command in-process, then lists the CommonJS modules loaded (ioredis is CommonJS; every team
// module that talks to Redis imports it, so none of them loaded ⇔ ioredis is not in the cache).
const probe = `
import {createRequire} from 'node:module';
const {main} = await import(process.argv[1]);
const code = await main(process.argv.slice(2));
const seen = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(JSON.stringify({code, seen}));
`;

describe('without --team', () => {
	it.each([['status'], ['run']])('%s loads no Redis code', command => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-noteam-'));
		try {
			const file = join(dir, 'window.md');
			copyFileSync(fixture, file);
			const args = command === 'run' ? ['run', file, '--step', 'app/flush-the-payments-cache'] : ['status', file];
			const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe, cli, ...args], {
				encoding: 'utf8',
				env: {PATH: process.env.PATH, HOME: dir, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), SIDE_EFFECTS: join(dir, 'se'), MEMBER: 'solo', NO_COLOR: '1'},
			});
			const {code, seen} = JSON.parse(out.slice(out.indexOf('{"code"'))) as {code: number; seen: string[]};
			expect(code).toBe(0);
			expect(seen.filter(u => /ioredis/.test(u))).toEqual([]);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});

describe('with --team', () => {
	it('the same probe sees ioredis (the check above can fail)', () => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-team-probe-'));
		try {
			const file = join(dir, 'window.md');
			copyFileSync(fixture, file);
			const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe, cli, 'status', file, '--team', 'redis://127.0.0.1:1', '--session', 'x'], {
				encoding: 'utf8',
				env: {PATH: process.env.PATH, HOME: dir, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), NO_COLOR: '1'},
			});
			const {seen} = JSON.parse(out.slice(out.indexOf('{"code"'))) as {seen: string[]};
			expect(seen.some(u => /ioredis/.test(u))).toBe(true);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});
