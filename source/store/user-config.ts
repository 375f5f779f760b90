// The user config (conf, projectName 'deploycockpit'): ~/.config/deploycockpit/config.json
// on Linux ($XDG_CONFIG_HOME honoured), or DEPLOYCOCKPIT_CONFIG_DIR for tests
// and shared setups. A broken file is reported in one line, never a stack.
import type {UserConfig} from './options.js';

export async function loadUserConfig(env: NodeJS.ProcessEnv = process.env): Promise<{config: UserConfig; path: string; problems: string[]}> {
	const {default: Conf} = await import('conf');
	let conf: InstanceType<typeof Conf<UserConfig>>;
	try {
		conf = new Conf<UserConfig>({
			projectName: 'deploycockpit',
			projectSuffix: '',
			cwd: env.DEPLOYCOCKPIT_CONFIG_DIR || undefined,
		});
	} catch (error) {
		throw new Error(`user config: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
	}
	const config = {...conf.store};
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
	return {config, path: conf.path, problems};
}
