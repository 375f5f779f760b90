// Proof that secrets reach neither the disk nor the screen: real `run`
// processes print secrets (from the environment, carried from an earlier
// step, in URLs, bearer headers, key=value strings, one split across a pause
// in the output); then every file under the state directory, the report and
// everything the commands printed are searched for them.
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'deploycockpit.cjs');
const fixture = fileURLToPath(new URL('../fixtures/safety/secrets.md', import.meta.url));

const SECRETS = ['s3cr3t-value-123456', 'dbpass-9917', 'url-pw-7731', 'redis-pw-4410', 'bearer-tok-88213', 'kv-pw-5521', 'cvault-77x9-0042'];

let dir: string;
let stateDir: string;
let printed = '';
const run = (...args: string[]) => {
	const r = spawnSync(process.execPath, [bin, ...args], {
		cwd: dir,
		encoding: 'utf8',
		env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir, API_TOKEN: SECRETS[0], DB_PASSWORD: SECRETS[1], NO_COLOR: '1'},
	});
	printed += r.stdout + r.stderr;
	return r;
};

function filesUnder(path: string): string[] {
	const out: string[] = [];
	for (const name of readdirSync(path)) {
		const full = join(path, name);
		if (statSync(full).isDirectory()) out.push(...filesUnder(full));
		else out.push(full);
	}
	return out;
}

beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'dc-mask-'));
	stateDir = join(dir, 'state');
	copyFileSync(fixture, join(dir, 'secrets.md'));
	const first = run('run', 'secrets.md', '--step', 'steps/print-secrets-from-the-environment');
	expect(first.status).toBe(0);
	// One process for the next two steps: the carried secret lives in its memory only.
	const rest = run('run', 'secrets.md', '--section', 'steps', '--yes');
	expect(rest.status, rest.stderr).toBe(7);
	expect(run('status', 'secrets.md', '--json').status).toBe(0);
	expect(run('report', 'secrets.md', '--out', join(dir, 'report.md')).status).toBe(0);
	expect(run('report', 'secrets.md').status).toBe(0);
}, 60_000);

afterAll(() => {
	rmSync(dir, {recursive: true, force: true});
});

describe('masking proof', () => {
	it('the steps really ran and printed (the search is not vacuous)', () => {
		expect(printed).toContain('VISIBLE-MARKER-OK');
		expect(printed).toContain('token from env: ****');
		expect(printed).toContain('service secret is ****');
		expect(printed).toContain('postgres://app:****@127.0.0.1');
		const files = filesUnder(stateDir);
		expect(files.some(f => f.endsWith('.log'))).toBe(true);
		expect(files.some(f => f.endsWith('audit.jsonl'))).toBe(true);
		expect(files.some(f => f.endsWith('state.json'))).toBe(true);
		const report = readFileSync(join(dir, 'report.md'), 'utf8');
		expect(report).toContain('Print the carried secret and fail');
		expect(report).toContain('service secret is ****');
	});

	it('no secret, nor the first 10 characters of one, is in any file under the state directory, the report, or the output', () => {
		const haystacks: Array<[string, string]> = filesUnder(stateDir).map(f => [f, readFileSync(f, 'utf8')]);
		haystacks.push(['report.md', readFileSync(join(dir, 'report.md'), 'utf8')]);
		haystacks.push(['printed output', printed]);
		expect(haystacks.length).toBeGreaterThan(5);
		const leaks: string[] = [];
		for (const [name, text] of haystacks) {
			for (const secret of SECRETS) {
				if (text.includes(secret) || text.includes(secret.slice(0, 10))) leaks.push(`${secret} in ${name}`);
			}
		}
		expect(leaks).toEqual([]);
	});
});
