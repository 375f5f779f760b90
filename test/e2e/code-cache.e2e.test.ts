// The single file's packing and V8 code cache (scripts/launcher-core.cjs): real processes of
// a copy of dist/deploycockpit.mjs, each test with a cache directory of its
// own (XDG_CACHE_HOME). What is checked is what a user would meet: the cache
// is written, a good one is used as it is, a damaged one or one of another
// build never is (V8 does not check the bytes: a damaged cache would crash
// the process, another build's would run its code), and the program's output
// is right whatever the cache holds.
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
// @ts-expect-error a plain CommonJS build script without types
import launcher from '../../scripts/launcher-core.cjs';

const {unpack} = launcher as {unpack: (file: string, hash: string, which?: 'runner' | 'program') => string};

const bundle = fileURLToPath(new URL('../../dist/deploycockpit.mjs', import.meta.url));
const MAGIC = 'deploycockpit code cache 1\n';

const checklist = `# Cache drill

## Checks

**Risk**: Low

- [ ] Say hello
  \`\`\`bash
  echo "hello from a cached runner"
  \`\`\`
`;

let dir: string;
let copy: string;
let cacheDir: string;
let env: Record<string, string>;

function cli(...args: string[]) {
	const r = spawnSync(process.execPath, [copy, ...args], {cwd: dir, env, encoding: 'utf8', timeout: 60_000});
	return r;
}

const caches = (kind: string) => (existsSync(cacheDir) ? readdirSync(cacheDir).filter(n => n.startsWith(`${kind}-`)) : []);

/** The one cache file of a command, checked for its header and its digest. */
function cacheOf(kind: string): {path: string; bytes: Buffer; mtimeMs: number} {
	const names = caches(kind);
	expect(names, `${kind} caches in ${cacheDir}`).toHaveLength(1);
	const path = join(cacheDir, names[0]!);
	const bytes = readFileSync(path);
	expect(bytes.toString('latin1', 0, MAGIC.length)).toBe(MAGIC);
	const data = bytes.subarray(MAGIC.length + 41);
	expect(bytes.toString('latin1', MAGIC.length, MAGIC.length + 40)).toBe(createHash('sha1').update(data).digest('hex'));
	return {path, bytes, mtimeMs: statSync(path).mtimeMs};
}

function outlineOk() {
	const r = cli('outline', 'drill.md');
	expect(r.stderr).toBe('');
	expect(r.status).toBe(0);
	return r.stdout;
}

async function waitFor(what: string, test: () => boolean, ms = 30_000) {
	for (const end = Date.now() + ms; Date.now() < end; ) {
		if (test()) return;
		await new Promise(r => setTimeout(r, 100));
	}
	throw new Error(`timed out waiting for ${what}`);
}

beforeEach(() => {
	if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build (or npm run bundle)`);
	dir = mkdtempSync(join(tmpdir(), 'dc-code-cache-'));
	copy = join(dir, 'deploycockpit.mjs');
	copyFileSync(bundle, copy);
	writeFileSync(join(dir, 'drill.md'), checklist);
	cacheDir = join(dir, 'xdg-cache', 'deploycockpit', 'code-cache');
	const {NODE_OPTIONS: _options, DEPLOYCOCKPIT_CODE_CACHE: _off, ...rest} = process.env as Record<string, string>;
	env = {...rest, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), DEPLOYCOCKPIT_CONFIG_DIR: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'xdg-cache')};
});
afterEach(() => {
	if (dir) rmSync(dir, {recursive: true, force: true});
});

describe('the single file compiles itself with a V8 code cache', {timeout: 120_000}, () => {
	it('is ASCII, and the program packed in its comment comes back exactly (the build hash is of the program)', () => {
		const text = readFileSync(bundle, 'latin1');
		expect(/^[\x00-\x7f]*$/.test(text)).toBe(true);
		const [, hash] = /launch\(fileURLToPath\(import\.meta\.url\), "([0-9a-f]{64})"\);\n\/\*/.exec(text)!;
		const app = unpack(bundle, hash!);
		const runner = unpack(bundle, hash!, 'runner');
		expect(createHash('sha256').update(runner).update('\0').update(app).digest('hex')).toBe(hash);
		// The runner's own program is the small part: no UI in it.
		expect(runner.length).toBeLessThan(app.length / 3);
		// (the cockpit's key help is in the whole program only)
		expect(app).toContain('next match of the last search');
		expect(runner).not.toContain('next match of the last search');
		// What the packing escapes is really there: the comment's end, control characters, non-ASCII.
		expect(app).toContain('*/');
		expect(app).toContain('\x01');
		expect(/[^\x00-\x7f]/.test(app)).toBe(true);
		expect(app.startsWith('(function (require, __dcUrl) {')).toBe(true);
	});

	it('writes a cache per command in a directory of the user\'s own, then uses it as it is', () => {
		const first = outlineOk();
		expect(first).toContain('Say hello');
		const written = cacheOf('outline');
		expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
		expect(statSync(written.path).mode & 0o777).toBe(0o600);
		expect(written.bytes.length).toBeGreaterThan(100_000);

		// A good cache is used, not written again; the output is the same.
		expect(outlineOk()).toBe(first);
		const again = cacheOf('outline');
		expect(again.mtimeMs).toBe(written.mtimeMs);
		expect(again.bytes.equals(written.bytes)).toBe(true);

		// Each command keeps its own; --version and --help write none.
		expect(cli('validate', 'drill.md').status).toBe(0);
		cacheOf('validate');
		expect(cli('--version').status).toBe(0);
		expect(readdirSync(cacheDir).sort()).toEqual([...caches('outline'), ...caches('validate')].sort());
	});

	it('ignores a damaged cache (V8 would crash on it) and writes a good one', () => {
		const first = outlineOk();
		const {path, bytes} = cacheOf('outline');
		const flipped = Buffer.from(bytes);
		for (let i = MAGIC.length + 41 + 200; i < flipped.length; i += 997) flipped[i]! ^= 0x5a;
		for (const damaged of [flipped, bytes.subarray(0, bytes.length >> 1), Buffer.alloc(bytes.length, 7), Buffer.from(MAGIC)]) {
			writeFileSync(path, damaged);
			expect(outlineOk()).toBe(first);
			// Written again, whole: header, digest and V8 data agree.
			cacheOf('outline');
		}
	});

	it('never uses the cache of another build of the same file', () => {
		// A whole second, so that it can be set again exactly.
		const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
		utimesSync(copy, mtime, mtime);
		const first = outlineOk();
		expect(first).toContain('risk: Low');
		const old = cacheOf('outline');
		const {size} = statSync(copy);
		// Another build, same length and same mtime: a different build hash and
		// a different string in the code that outline runs. V8 alone would take
		// the old cache (it checks only the source's length) and print the old text.
		const text = readFileSync(copy, 'latin1');
		const hash = /launch\(fileURLToPath\(import\.meta\.url\), "([0-9a-f]{64})"/.exec(text)![1]!;
		const other = createHash('sha256').update('another build').digest('hex');
		const edited = text.replace(`"${hash}"`, `"${other}"`).replaceAll('risk: ${', 'RISK: ${');
		expect(edited).not.toBe(text);
		writeFileSync(copy, edited, 'latin1');
		utimesSync(copy, mtime, mtime);
		expect(statSync(copy).size).toBe(size);
		expect(statSync(copy).mtimeMs).toBe(mtime.getTime());

		const second = outlineOk();
		expect(second).toContain('RISK: Low');
		expect(second).not.toContain('risk: Low');
		// The old build's cache is replaced, not kept beside the new one.
		const now = cacheOf('outline');
		expect(now.path).not.toBe(old.path);
	});

	it('still finds its program after an edit of the launcher part (a line added at the top)', () => {
		const first = outlineOk();
		const text = readFileSync(copy, 'latin1');
		writeFileSync(copy, text.replace('\n', '\n// edited on the bastion\n'), 'latin1');
		expect(outlineOk()).toBe(first);
	});

	it('uses no cache directory that others can write, and none at all when turned off', () => {
		mkdirSync(cacheDir, {recursive: true});
		chmodSync(cacheDir, 0o777);
		outlineOk();
		expect(readdirSync(cacheDir)).toEqual([]);
		chmodSync(cacheDir, 0o700);
		env.DEPLOYCOCKPIT_CODE_CACHE = '0';
		outlineOk();
		expect(readdirSync(cacheDir)).toEqual([]);
	});

	it('the detached runner (the same file in runner mode) keeps a cache of its own', async () => {
		const r = cli('run', 'drill.md', '--step', 'checks/say-hello');
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		expect(r.stdout).toContain('hello from a cached runner');
		cacheOf('run');
		// The runner writes its cache when it exits, just after the run's exit record.
		await waitFor('the runner\'s cache', () => caches('runner').length === 1);
		const runner = cacheOf('runner');
		const again = cli('run', 'drill.md', '--step', 'checks/say-hello', '--new');
		expect(again.status, again.stderr).toBe(0);
		expect(again.stdout).toContain('hello from a cached runner');
		await new Promise(resolve => setTimeout(resolve, 500));
		expect(cacheOf('runner').mtimeMs).toBe(runner.mtimeMs);
	});
});
