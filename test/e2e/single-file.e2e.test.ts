// The single-file program (dist/deploycockpit.mjs, `npm run bundle`) copied
// alone into an empty directory, as onto a bastion: no package.json, no
// themes/, no node_modules anywhere above it. outline, validate, a headless
// run (whose detached runner is the same file in runner mode) and the
// cockpit in a real terminal all work from there.
import {spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {EXIT_MARK, TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';

const gate = tmuxOrSkip();
const bundle = fileURLToPath(new URL('../../dist/deploycockpit.mjs', import.meta.url));

// Frontmatter (yaml, loaded lazily inside the bundle), a shell step that
// prints which process started it, and a second plain step for the cockpit.
const checklist = `---
deploycockpit:
  window: 30m
---
# Bastion drill

## Checks

- [ ] Who runs me
  \`\`\`bash
  echo "answer-$((6 * 7))"
  tr '\\0' ' ' < /proc/$PPID/cmdline; echo
  \`\`\`
- [ ] Say goodbye
  \`\`\`bash
  echo "goodbye from the single file"
  \`\`\`
`;

const selected = (screen: string) => screen.split('\n').find(l => /│›/.test(l)) ?? '';

let dir: string;
let copy: string;
let env: Record<string, string>;

function cli(...args: string[]) {
	return spawnSync(process.execPath, [copy, ...args], {cwd: dir, env, encoding: 'utf8', timeout: 30_000});
}

beforeAll(() => {
	if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build (or npm run bundle)`);
	dir = mkdtempSync(join(tmpdir(), 'dc-single-file-'));
	copy = join(dir, 'deploycockpit.mjs');
	copyFileSync(bundle, copy);
	writeFileSync(join(dir, 'drill.md'), checklist);
	const {NODE_PATH: _path, NODE_OPTIONS: _options, ...rest} = process.env as Record<string, string>;
	env = {...rest, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), DEPLOYCOCKPIT_CONFIG_DIR: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache')};
});
afterAll(() => {
	if (dir) rmSync(dir, {recursive: true, force: true});
});

describe('the single bundled file, alone in an empty directory', {timeout: 120_000}, () => {
	it('has nothing to resolve packages from', () => {
		expect(readdirSync(dir).sort()).toEqual(['deploycockpit.mjs', 'drill.md']);
		for (let at = dir; ; at = dirname(at)) {
			expect(existsSync(join(at, 'node_modules')), `${at}/node_modules`).toBe(false);
			expect(existsSync(join(at, 'package.json')), `${at}/package.json`).toBe(false);
			if (dirname(at) === at) break;
		}
	});

	it('prints its version without a package.json beside it', () => {
		const r = cli('--version');
		expect(r.stderr).toBe('');
		expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
	});

	it('outline --json and validate read the checklist, frontmatter included', () => {
		const outline = cli('outline', 'drill.md', '--json');
		expect(outline.stderr).toBe('');
		expect(outline.status).toBe(0);
		const model = JSON.parse(outline.stdout) as {steps: {id: string}[]; windowMinutes?: number};
		expect(model.steps.map(s => s.id)).toEqual(['checks/who-runs-me', 'checks/say-goodbye']);
		expect(model.windowMinutes).toBe(30);

		const validate = cli('validate', 'drill.md');
		expect(validate.status).toBe(0);
		expect(validate.stdout).toContain('drill.md: ok');
	});

	it('outline keeps the parsed model in the cache and parses an edited file again', () => {
		const file = join(dir, 'cached.md');
		writeFileSync(file, '# Cached\n\n## Only\n\n- [ ] First version\n');
		const cacheDir = join(env.DEPLOYCOCKPIT_STATE_DIR!, 'cache', 'checklists');
		expect(cli('outline', 'cached.md').stdout).toContain('First version');
		const entries = readdirSync(cacheDir);
		expect(entries.length).toBeGreaterThan(0);
		// The entry is what a second run reads: its title is what the second run shows.
		const entryFile = join(cacheDir, entries.find(n => JSON.parse(readFileSync(join(cacheDir, n), 'utf8')).file === file)!);
		const entry = JSON.parse(readFileSync(entryFile, 'utf8')) as {checklist: {steps: {title: string}[]}};
		entry.checklist.steps[0]!.title = 'Read from the cache';
		writeFileSync(entryFile, JSON.stringify(entry));
		expect(cli('outline', 'cached.md').stdout).toContain('Read from the cache');
		writeFileSync(file, '# Cached\n\n## Only\n\n- [ ] Second version\n');
		expect(cli('outline', 'cached.md').stdout).toContain('Second version');
		rmSync(file);
	});

	it('runs a shell step through the same file started in runner mode', () => {
		const r = cli('run', 'drill.md', '--step', 'checks/who-runs-me');
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		expect(r.stdout).toContain('answer-42');
		// The step's parent is the detached runner: node, this very file, --runner.
		const runnerLine = r.stdout.split('\n').find(l => l.includes('--runner'));
		expect(runnerLine?.trim()).toBe(`${process.execPath} ${copy} --runner`);
	});

	it.skipIf(gate.skip)('opens the cockpit in a terminal and runs a step from it', async () => {
		const term = new TmuxTerminal();
		try {
			// A state directory of its own: a fresh session, not the headless run's.
			term.start(['node', copy, 'drill.md', '--theme', 'light'], {cwd: dir, env: {...env, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state-cockpit')}});
			const first = await term.waitFor(s => s.includes('Bastion drill') && s.includes('Say goodbye'), 'first frame');
			expect(first).toContain('Who runs me');
			expect(term.alternateOn()).toBe(true);
			// Once the first frame is up, the launcher keeps the cockpit's code cache (scripts/launcher-core.cjs).
			const codeCache = join(dir, 'cache', 'deploycockpit', 'code-cache');
			for (let i = 0; i < 200 && !(existsSync(codeCache) && readdirSync(codeCache).some(n => n.startsWith('open-'))); i++) await new Promise(r => setTimeout(r, 100));
			expect(readdirSync(codeCache).filter(n => n.startsWith('open-'))).toHaveLength(1);
			term.send('j');
			await term.waitFor(s => selected(s).includes('Say goodbye'), 'second step selected');
			term.send('Enter');
			// The output line, not the command shown in the detail pane.
			await term.waitFor(s => s.split('\n').some(l => l.includes('goodbye from the single file') && !l.includes('echo')), 'output of the step run from the cockpit');
			await term.waitFor(s => selected(s).includes('✓'), 'done glyph');
			term.send('q');
			await term.waitFor(EXIT_MARK + ' 0', 'clean exit');
		} finally {
			term.kill();
		}
	});
});
