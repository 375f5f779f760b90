import {homedir} from 'node:os';
import {join} from 'node:path';

/**
 * Where sessions live: $DEPLOYCOCKPIT_STATE_DIR, else the platform's state
 * directory ($XDG_STATE_HOME or ~/.local/state on Linux and other Unixes,
 * ~/Library/Application Support on macOS, %LOCALAPPDATA% on Windows).
 */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
	if (env.DEPLOYCOCKPIT_STATE_DIR) return env.DEPLOYCOCKPIT_STATE_DIR;
	const home = homedir();
	if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'deploycockpit', 'state');
	if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'deploycockpit', 'State');
	return join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'deploycockpit');
}

export function sessionsRoot(stateDir: string): string {
	return join(stateDir, 'sessions');
}
