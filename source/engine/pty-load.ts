// Loads @lydell/node-pty, an optional native dependency, at run time. It is
// never imported statically: a bundle keeps it external, and a machine
// without a prebuilt binary for its platform (or with the package left out)
// gets undefined and runs on plain pipes instead of crashing.
import {createRequire} from 'node:module';

export interface PtyProcess {
	readonly pid: number;
	onData(listener: (data: string) => void): unknown;
	onExit(listener: (event: {exitCode: number; signal?: number}) => void): unknown;
	write(data: string | Buffer): void;
	resize(cols: number, rows: number): void;
	kill(signal?: string): void;
}

export interface PtyModule {
	spawn(file: string, args: string[], options: {name: string; cols: number; rows: number; cwd: string; env: Record<string, string>; encoding?: string | null}): PtyProcess;
}

let cached: {module?: PtyModule; error?: string} | undefined;

/** node-pty, or the reason it cannot be used here. DEPLOYCOCKPIT_NO_PTY=1 forces the fallback (tests, odd platforms). */
export function loadPty(): {module?: PtyModule; error?: string} {
	if (cached) return cached;
	if (process.env.DEPLOYCOCKPIT_NO_PTY === '1') return (cached = {error: 'DEPLOYCOCKPIT_NO_PTY=1'});
	try {
		const require = createRequire(import.meta.url);
		const module = require('@lydell/node-pty') as PtyModule;
		if (typeof module.spawn !== 'function') throw new Error('no spawn in @lydell/node-pty');
		cached = {module};
	} catch (error) {
		const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
		cached = {error: message};
	}
	return cached;
}

/** The line the pane, the log and `run` show when a run falls back to pipes. */
export function fallbackNotice(reason: string): string {
	return `deploycockpit: no terminal for this run (node-pty not loadable: ${reason}); running on pipes\n`;
}
