import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, readdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {flagsConfig} from '../../source/flags/config.js';
import {parseEnvFlags, writeEnvFlag} from '../../source/flags/env-file.js';
import {flagEnabled, toggledValue} from '../../source/flags/values.js';

const ENV_TEXT = [
	'# infrastructure switches',
	'export ROUTE_V2_ENABLED=true',
	'ROUTE_V2_CANARY="false"   # quoted, with a comment',
	"ROUTE_V2_LABEL='blue'",
	'UNRELATED_TIMEOUT=30',
	'LEGACY_MODE=off # old path',
	'ROUTE_V2_CANARY=true',
	'',
].join('\n');

describe('env-file flags', () => {
	it('reads prefixed keys (last assignment wins), quotes and trailing comments stripped', () => {
		expect(parseEnvFlags(ENV_TEXT, 'ROUTE_V2_')).toEqual([
			{key: 'ROUTE_V2_ENABLED', value: 'true', line: 2},
			{key: 'ROUTE_V2_LABEL', value: 'blue', line: 4},
			{key: 'ROUTE_V2_CANARY', value: 'true', line: 7},
		]);
	});

	it('without a prefix reads only on/off lines', () => {
		expect(parseEnvFlags(ENV_TEXT).map(f => f.key)).toEqual(['ROUTE_V2_ENABLED', 'LEGACY_MODE', 'ROUTE_V2_CANARY']);
	});

	it.each([
		['true', 'false', true],
		['FALSE', 'TRUE', false],
		['1', '0', true],
		['Off', 'On', false],
		['enabled', 'disabled', true],
		['blue', null, null],
	])('%s toggles to %s', (value, opposite, enabled) => {
		expect(toggledValue(value)).toBe(opposite);
		expect(flagEnabled(value)).toBe(enabled);
	});

	describe('writeEnvFlag', () => {
		let dir: string;
		beforeEach(() => {
			dir = mkdtempSync(join(tmpdir(), 'flags-env-'));
		});
		afterEach(() => rmSync(dir, {recursive: true, force: true}));

		it('rewrites only that line, atomically, keeping quotes, comments, CRLF and the file mode', async () => {
			const file = join(dir, '.env.infra');
			const crlf = ENV_TEXT.replace(/\n/g, '\r\n');
			writeFileSync(file, crlf);
			chmodSync(file, 0o640);
			const inode = statSync(file).ino;
			const written = await writeEnvFlag(file, 'ROUTE_V2_CANARY', 3, 'false', 'true');
			expect(written).toEqual({before: 'ROUTE_V2_CANARY="false"   # quoted, with a comment', after: 'ROUTE_V2_CANARY="true"   # quoted, with a comment'});
			expect(readFileSync(file, 'utf8')).toBe(crlf.replace('ROUTE_V2_CANARY="false"', 'ROUTE_V2_CANARY="true"'));
			expect(statSync(file).mode & 0o777).toBe(0o640);
			// Replaced by rename, not written in place; no temp file left behind.
			expect(statSync(file).ino).not.toBe(inode);
			expect(readdirSync(dir)).toEqual(['.env.infra']);
		});

		it('refuses when the line changed since it was shown', async () => {
			const file = join(dir, '.env');
			writeFileSync(file, ENV_TEXT);
			await expect(writeEnvFlag(file, 'ROUTE_V2_ENABLED', 2, 'false', 'true')).rejects.toThrow(/changed to true since it was shown; nothing written/);
			await expect(writeEnvFlag(file, 'ROUTE_V2_GONE', 3, 'true', 'false')).rejects.toThrow(/\.env no longer sets ROUTE_V2_GONE; nothing written/);
			expect(readFileSync(file, 'utf8')).toBe(ENV_TEXT);
		});

		it('follows the key when lines moved above it since it was read', async () => {
			const file = join(dir, '.env');
			writeFileSync(file, '# added later\n' + ENV_TEXT);
			await writeEnvFlag(file, 'ROUTE_V2_ENABLED', 2, 'true', 'false');
			expect(readFileSync(file, 'utf8')).toBe('# added later\n' + ENV_TEXT.replace('ROUTE_V2_ENABLED=true', 'ROUTE_V2_ENABLED=false'));
		});
	});

	it('reads the frontmatter flags setting, env paths relative to the checklist', () => {
		expect(flagsConfig({flags: {redis: 'feature:*', env: '.env.infra', prefix: 'ROUTE_V2_'}, redis: 'CACHE_URL'}, '/srv/runbooks')).toEqual({
			redisPatterns: ['feature:*'],
			redisConnection: 'CACHE_URL',
			envFiles: [{file: '/srv/runbooks/.env.infra', prefix: 'ROUTE_V2_'}],
			intervalMs: 2000,
		});
		expect(flagsConfig({flags: {redis: ['a:*', 'b:*'], interval: '5s'}}, '/x')).toMatchObject({redisPatterns: ['a:*', 'b:*'], envFiles: [], intervalMs: 5000});
		expect(flagsConfig({}, '/x')).toBeNull();
		expect(flagsConfig({flags: {}}, '/x')).toBeNull();
	});
});
