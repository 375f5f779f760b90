// The real CLI as users run it: `node bin/deploycockpit.cjs` (needs `npm run build`).
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const fx = (name: string) => join('test/fixtures/checklist', name);
const dir = mkdtempSync(join(tmpdir(), 'dc-cli-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function cli(...args: string[]) {
	const r = spawnSync(process.execPath, ['bin/deploycockpit.cjs', ...args], {cwd: root, encoding: 'utf8', env: {...process.env, NO_COLOR: '1', DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state')}});
	return {code: r.status, out: r.stdout, err: r.stderr};
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |Error: .*\n.*\.js:\d+/);

describe('outline', () => {
	it('prints the tree with badges and the rollback default', () => {
		const r = cli('outline', fx('runbook-ledger.md'));
		expect(r.code).toBe(0);
		expect(r.out).toContain('  # Ledger Service 7.2 Rollout');
		expect(r.out).toMatch(/\n {6}### Stage 2: Application {2}\[75 min, risk: High\]\n {8}\[ \] Roll the new image {2}\[sh\]\n {10}\[ \] Canary checks {2}\[sh\] {2}expects 1\n/);
		expect(r.out).toContain('[ ] Error ratio stays flat  [promql]');
		expect(r.out).toContain('[ ] Queue drains  [redis]');
		expect(r.out).toContain('[ ] Drop the new column  [sql]');
		expect(r.out).toContain('### Immediate Rollback (< 5 minutes)  [ROLLBACK (default)]');
		expect(r.out).toContain('## Rollback Trigger Checklist  [rollback triggers]');
		expect(r.out).toContain('needs <pod>');
		expect(r.err).toBe('');
	});
	it('--ids shows ids usable with run --step', () => {
		expect(cli('outline', '--ids', fx('duplicates.md')).out).toContain('[ ] Restart  {stage-one/restart-2}');
	});
	it('--json prints exactly the documented shape', () => {
		const r = cli('outline', fx('runbook-ledger.md'), '--json');
		expect(r.code).toBe(0);
		const j = JSON.parse(r.out);
		expect(Object.keys(j)).toEqual(['title', 'sections', 'steps', 'rollback', 'warnings', 'settings', 'windowMinutes']);
		for (const s of j.sections) expect(Object.keys(s)).toEqual(['id', 'title', 'depth', 'line', 'parent', 'rollback', 'meta', 'blocks']);
		for (const s of j.steps) {
			expect(Object.keys(s).filter(k => k !== 'notes' && k !== 'number')).toEqual(['id', 'section', 'parent', 'title', 'line', 'checkbox', 'checked', 'blocks', 'expect', 'placeholders']);
			for (const b of s.blocks) expect(Object.keys(b).filter(k => !['raw', 'unclosed', 'guessed', 'endless', 'gate'].includes(k))).toEqual(['lang', 'executor', 'line', 'code', 'inline']);
		}
		expect(Object.keys(j.rollback)).toEqual(['default', 'procedures', 'references']);
		expect(j.rollback.default).toBe('rollback-procedures/immediate-rollback-5-minutes');
		expect(j).not.toHaveProperty('file');
		expect(j).not.toHaveProperty('hash');
	});
	it('--json without frontmatter has no settings key', () => {
		expect(Object.keys(JSON.parse(cli('outline', '--json', fx('basic-tasks.md')).out))).toEqual(['title', 'sections', 'steps', 'rollback', 'warnings']);
	});
	it('warnings go to stderr as FILE:LINE: message', () => {
		const r = cli('outline', fx('unclosed-fence.md'));
		expect(r.code).toBe(0);
		expect(r.err.trim().split('\n')).toEqual([
			expect.stringMatching(/^test\/fixtures\/checklist\/unclosed-fence\.md:10: code fence opened at line 10 is never closed/),
			expect.stringMatching(/^test\/fixtures\/checklist\/unclosed-fence\.md:15: /),
		]);
	});
	it('--help', () => {
		const r = cli('outline', '--help');
		expect(r.code).toBe(0);
		expect(r.out).toMatch(/^Usage: deploycockpit outline FILE/);
	});
	it('usage errors: exit 2, one line and a hint', () => {
		for (const args of [['outline'], ['outline', '--bogus', 'x.md'], ['outline', 'a.md', 'b.md']]) {
			const r = cli(...args);
			expect(r.code).toBe(2);
			expect(r.err.trim().split('\n')).toHaveLength(2);
			noStack(r.err);
		}
	});
});

describe('validate', () => {
	it('exit 0 with a summary for a clean file', () => {
		const r = cli('validate', 'checklists/demo.md');
		expect(r.code).toBe(0);
		expect(r.out).toMatch(/^checklists\/demo\.md: ok — 11 sections, 20 steps \(13 runnable\), 0 warnings\n$/);
		expect(r.err).toBe('');
	});
	it('exit 0 with warnings as FILE:LINE: message on stderr; --strict makes them fail', () => {
		const r = cli('validate', fx('frontmatter-bad.md'));
		expect(r.code).toBe(0);
		expect(r.err).toMatch(/^test\/fixtures\/checklist\/frontmatter-bad\.md:\d+: frontmatter is not valid YAML/);
		expect(cli('validate', '--strict', fx('frontmatter-bad.md')).code).toBe(1);
		expect(cli('validate', '--quiet', fx('basic-tasks.md')).out).toBe('');
	});
	it('a frontmatter rollback file that does not exist is a warning', () => {
		const r = cli('validate', fx('frontmatter-file.md'));
		expect(r.err).toContain('frontmatter-file.md:1: frontmatter rollback file rollback-runbook.md not found');
	});
	const bad: Array<[string, () => string, RegExp]> = [
		['missing', () => join(dir, 'missing.md'), /missing\.md: no such file/],
		['directory', () => dir, /is a directory/],
		['binary', () => { const f = join(dir, 'x.md'); writeFileSync(f, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d])); return f; }, /binary/],
	];
	for (const [name, path, message] of bad) {
		it(`${name}: non-zero, one line, no stack trace (validate and outline)`, () => {
			for (const cmd of ['validate', 'outline']) {
				const r = cli(cmd, path());
				expect(r.code).toBe(1);
				expect(r.out).toBe('');
				expect(r.err).toMatch(message);
				expect(r.err.trim().split('\n')).toHaveLength(1);
				noStack(r.err);
			}
		});
	}
	it('--help', () => {
		const r = cli('validate', '-h');
		expect(r.code).toBe(0);
		expect(r.out).toContain('Exit status');
	});
});

describe('a reader that goes away (`deploycockpit status FILE | head`)', () => {
	/** Runs the command with its stdout read for one chunk, then closed, as `| head -1` does. */
	function closedEarly(...args: string[]): Promise<{code: number | null; err: string}> {
		return new Promise(resolve => {
			const child = spawn(process.execPath, ['bin/deploycockpit.cjs', ...args], {cwd: root, env: {...process.env, NO_COLOR: '1', DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state')}});
			let err = '';
			child.stderr.setEncoding('utf8');
			child.stderr.on('data', (chunk: string) => (err += chunk));
			child.stdout.once('data', () => child.stdout.destroy());
			child.on('close', code => resolve({code, err}));
		});
	}

	it('ends the output, not the command with a stack trace (status, outline)', async () => {
		// Enough steps that the output is far more than a pipe holds.
		const big = join(dir, 'big.md');
		writeFileSync(big, `# Big\n\n## Steps\n\n${Array.from({length: 3000}, (_, i) => `- [ ] Step number ${i} with a long enough title to fill the pipe\n  \`\`\`bash\n  true\n  \`\`\`\n`).join('')}`);
		for (const args of [['status', big], ['outline', big, '--json']]) {
			const r = await closedEarly(...args);
			noStack(r.err);
			expect(r.err, args.join(' ')).not.toContain('EPIPE');
			expect(r.code, args.join(' ')).toBe(0);
		}
	});
});
