// The user config: the JSON file conf (projectName 'deploycockpit', no
// suffix) keeps at ~/.config/deploycockpit/config.json on Linux
// ($XDG_CONFIG_HOME honoured; ~/Library/Preferences/deploycockpit on macOS,
// %APPDATA%\\deploycockpit\\Config on Windows), or in $DEPLOYCOCKPIT_CONFIG_DIR.
// It is read directly, at exactly the path conf uses (a test checks), because
// importing conf pulls in ajv: measured at about a quarter of Ink's own
// import time, on the path to the first frame, for a file we only read. A
// broken file is reported in one line, never a stack.
import {readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import type {UserConfig} from './options.js';

export function userConfigPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
	if (env.DEPLOYCOCKPIT_CONFIG_DIR) return join(env.DEPLOYCOCKPIT_CONFIG_DIR, 'config.json');
	const home = homedir();
	if (platform === 'darwin') return join(home, 'Library', 'Preferences', 'deploycockpit', 'config.json');
	if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'deploycockpit', 'Config', 'config.json');
	return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'deploycockpit', 'config.json');
}

export function loadUserConfig(env: NodeJS.ProcessEnv = process.env): {config: UserConfig; path: string; problems: string[]} {
	const path = userConfigPath(env);
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {config: {}, path, problems: []};
		throw new Error(`user config ${path}: ${(error as Error).message}`);
	}
	let parsed: unknown;
	try {
		parsed = text.trim() === '' ? {} : JSON.parse(text);
	} catch (error) {
		throw new Error(`user config ${path}: not valid JSON (${(error as Error).message})`);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`user config ${path}: must be a JSON object`);
	const config = {...(parsed as UserConfig)};
	const problems: string[] = [];
	if (config.theme !== undefined && typeof config.theme !== 'string') {
		problems.push('user config: "theme" must be a string; ignored');
		delete config.theme;
	}
	if (config.keymap !== undefined) {
		if (typeof config.keymap !== 'object' || config.keymap === null || Array.isArray(config.keymap)) {
			problems.push('user config: "keymap" must be an object of action → key(s); ignored');
			delete config.keymap;
		} else {
			for (const [action, keys] of Object.entries(config.keymap)) {
				const ok = typeof keys === 'string' || (Array.isArray(keys) && keys.every(k => typeof k === 'string'));
				if (!ok) {
					problems.push(`user config: keymap.${action} must be a key name or a list of them; ignored`);
					delete config.keymap[action];
				}
			}
		}
	}
	return {config, path, problems};
}
