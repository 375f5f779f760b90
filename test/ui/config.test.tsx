import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {parseOpenArgs} from '../../source/commands/open.js';
import {loadUserConfig, userConfigPath} from '../../source/store/user-config.js';
import {buildBindings} from '../../source/ui/keymap.js';
import {loadTheme, THEME_NAMES} from '../../source/ui/theme.js';
import {MemorySession} from './memory-session.js';
import {fixtureChecklist, KEYS, renderCockpit, type Rendered} from './render-cockpit.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string | undefined;
let r: Rendered | undefined;
afterEach(() => {
	r?.unmount();
	r = undefined;
	if (dir) rmSync(dir, {recursive: true, force: true});
	dir = undefined;
});

describe('themes', () => {
	it('every bundled theme has all semantic tokens as basic ANSI colour names', () => {
		const basic = /^(black|red|green|yellow|blue|magenta|cyan|white|gray|grey)(Bright)?$/;
		for (const name of THEME_NAMES) {
			const theme = loadTheme(name, {});
			for (const token of ['ok', 'warn', 'crit', 'muted', 'accent', 'selection', 'selectionText', 'border'] as const) {
				expect(theme[token], `${name}.${token}`).toMatch(basic);
			}
			expect(theme.color).toBe(true);
		}
	});

	it('NO_COLOR / FORCE_COLOR=0 turn colour off; unknown themes are a one-line error', () => {
		expect(loadTheme('dark', {NO_COLOR: '1'}).color).toBe(false);
		expect(loadTheme('dark', {FORCE_COLOR: '0'}).color).toBe(false);
		expect(() => loadTheme('neon', {})).toThrow(/unknown theme "neon".*dark, light, high-contrast/);
	});

	it('with colour off, output colours are dropped and glyphs still carry the status', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session, {theme: 'high-contrast', noColor: true});
		await r.press('jj');
		await r.press(KEYS.enter);
		const id = session.runs[0]!.stepId;
		session.output(id, '\x1b[31mred\x1b[0m\n');
		session.finish(id, 0);
		await r.waitFor(f => f.includes('red') && f.includes('exit 0'), 'output');
		expect(r.stdout.frames.at(-1)).not.toContain('\x1b[31m');
		expect(r.frame()).toMatch(/›✓ Print the build number/);
	});
});

describe('open arguments', () => {
	it('parses every flag', () => {
		expect(parseOpenArgs(['list.md', '--theme', 'light', '--new', '--take-over', '--prometheus', 'http://127.0.0.1:9', '--rollback', 'rb.md', '--dry-run'])).toEqual({
			file: 'list.md',
			theme: 'light',
			newSession: true,
			takeOver: true,
			prometheus: 'http://127.0.0.1:9',
			rollbackFile: 'rb.md',
			dryRun: true,
		});
		expect(parseOpenArgs(['--help'])).toEqual({help: true});
		expect(() => parseOpenArgs([])).toThrow(/needs a checklist FILE/);
		expect(() => parseOpenArgs(['--bogus', 'x.md'])).toThrow();
	});

	it('refuses to start without a terminal, in one line', () => {
		const result = spawnSync('node', [join(root, 'bin/deploycockpit.cjs'), 'test/fixtures/ui/basic.md'], {cwd: root, encoding: 'utf8', input: ''});
		expect(result.status).toBe(2);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toContain('needs a terminal');
	});

	it('a bad option is a usage error, not a stack trace', () => {
		const result = spawnSync('node', [join(root, 'bin/deploycockpit.cjs'), 'open', '--colour', 'x.md'], {cwd: root, encoding: 'utf8'});
		expect(result.status).toBe(2);
		expect(result.stderr).toMatch(/^deploycockpit: .*--colour/);
		expect(result.stderr).not.toMatch(/\n\s+at /);
	});
});

describe('user config', () => {
	it('reads theme and keymap from DEPLOYCOCKPIT_CONFIG_DIR and reports bad entries', async () => {
		dir = mkdtempSync(join(tmpdir(), 'dc-conf-'));
		writeFileSync(join(dir, 'config.json'), JSON.stringify({theme: 'light', keymap: {run: 'r', down: ['J', 'ctrl+n'], up: 5}}));
		const {config, path, problems} = loadUserConfig({DEPLOYCOCKPIT_CONFIG_DIR: dir});
		expect(path).toBe(join(dir, 'config.json'));
		expect(config.theme).toBe('light');
		expect(config.keymap).toEqual({run: 'r', down: ['J', 'ctrl+n']});
		expect(problems).toEqual(['user config: keymap.up must be a key name or a list of them; ignored']);
		const {bindings} = buildBindings(config.keymap);
		expect(bindings.get('r')).toBe('run');
		expect(bindings.get('enter')).toBeUndefined();
		expect(bindings.get('ctrl+n')).toBe('down');
		expect(bindings.get('k')).toBe('up');
	});
});

describe('user config location', () => {
	it('is the file conf uses for projectName deploycockpit', async () => {
		const {default: Conf} = await import('conf');
		dir = mkdtempSync(join(tmpdir(), 'dc-conf-'));
		expect(userConfigPath({DEPLOYCOCKPIT_CONFIG_DIR: dir})).toBe(new Conf({projectName: 'deploycockpit', projectSuffix: '', cwd: dir}).path);
		// Without an override: conf's env-paths location (XDG pointed at a temp dir, not the real home).
		const saved = process.env.XDG_CONFIG_HOME;
		process.env.XDG_CONFIG_HOME = join(dir, 'xdg');
		try {
			const expected = new Conf({projectName: 'deploycockpit', projectSuffix: ''}).path;
			expect(userConfigPath({XDG_CONFIG_HOME: join(dir, 'xdg')}, 'linux')).toBe(expected);
		} finally {
			if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
			else process.env.XDG_CONFIG_HOME = saved;
		}
	});

	it('a broken file is a one-line error; a missing one is an empty config', () => {
		dir = mkdtempSync(join(tmpdir(), 'dc-conf-'));
		expect(loadUserConfig({DEPLOYCOCKPIT_CONFIG_DIR: dir}).config).toEqual({});
		writeFileSync(join(dir, 'config.json'), '{"theme": ');
		expect(() => loadUserConfig({DEPLOYCOCKPIT_CONFIG_DIR: dir})).toThrow(/not valid JSON/);
	});
});
