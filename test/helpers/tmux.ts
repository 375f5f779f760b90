// A real terminal for end-to-end tests: a tmux server on its own socket
// (never the user's), one window of an explicit size, keys sent with
// send-keys, the screen read with capture-pane.
import {execFileSync, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';

export function tmuxAvailable(): boolean {
	return spawnSync('tmux', ['-V'], {encoding: 'utf8'}).status === 0;
}

/**
 * Outside CI a missing tmux skips the e2e tests with a message; in CI it
 * fails them (CI installs tmux, so a missing one is a broken setup).
 */
export function tmuxOrSkip(): {skip: boolean; reason?: string} {
	if (tmuxAvailable()) return {skip: false};
	if (process.env.CI) throw new Error('tmux is required for the end-to-end tests in CI (apt-get install tmux)');
	const reason = 'tmux not found: skipping the terminal end-to-end tests (install tmux to run them)';
	console.warn(reason);
	return {skip: true, reason};
}

function shellQuote(s: string): string {
	return `'${s.replace(/'/g, `'\\''`)}'`;
}

export const EXIT_MARK = '__COCKPIT_EXITED__';

export class TmuxTerminal {
	readonly socket = `dc-test-${process.pid}-${randomBytes(4).toString('hex')}`;
	private started = false;

	private tmux(...args: string[]): string {
		return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {encoding: 'utf8'});
	}

	/** Starts `command` (argv) in a window of the given size; the pane stays after it exits. */
	start(command: string[], {width = 120, height = 40, env = {}, cwd = process.cwd()}: {width?: number; height?: number; env?: Record<string, string>; cwd?: string} = {}): void {
		const envPart = Object.entries(env)
			.map(([k, v]) => `${k}=${shellQuote(v)}`)
			.join(' ');
		const line = `cd ${shellQuote(cwd)} && env -u CI ${envPart} ${command.map(shellQuote).join(' ')}; echo "${EXIT_MARK} $?"; sleep 600`;
		this.tmux('new-session', '-d', '-x', String(width), '-y', String(height), '-s', 'main', line);
		this.tmux('set-option', '-t', 'main', 'status', 'off');
		this.started = true;
	}

	/** tmux key names ('Enter', 'Escape', 'Tab', 'BTab', 'C-c', 'PPage') or literal text with literal: true. */
	send(keys: string | string[], {literal = false}: {literal?: boolean} = {}): void {
		const list = Array.isArray(keys) ? keys : [keys];
		this.tmux('send-keys', '-t', 'main', ...(literal ? ['-l'] : []), ...list);
	}

	capture(): string {
		return this.tmux('capture-pane', '-p', '-t', 'main');
	}

	/** The screen with its escape sequences (colours, bold) kept. */
	captureStyled(): string {
		return this.tmux('capture-pane', '-e', '-p', '-t', 'main');
	}

	/** 1 while the program is on the alternate screen. */
	alternateOn(): boolean {
		return this.tmux('display-message', '-p', '-t', 'main', '#{alternate_on}').trim() === '1';
	}

	panePid(): number {
		return Number(this.tmux('display-message', '-p', '-t', 'main', '#{pane_pid}').trim());
	}

	resize(width: number, height: number): void {
		this.tmux('resize-window', '-t', 'main', '-x', String(width), '-y', String(height));
	}

	async waitFor(predicate: string | RegExp | ((screen: string) => boolean), what = String(predicate), timeoutMs = 30_000): Promise<string> {
		const test = typeof predicate === 'function' ? predicate : (s: string) => (typeof predicate === 'string' ? s.includes(predicate) : predicate.test(s));
		const deadline = Date.now() + timeoutMs;
		let screen = '';
		while (Date.now() < deadline) {
			screen = this.capture();
			if (test(screen)) return screen;
			await new Promise(r => setTimeout(r, 50));
		}
		throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
	}

	kill(): void {
		if (!this.started) return;
		// The cockpit ends on the hang-up but still writes its session on the way out (up to a few
		// seconds on a loaded machine): wait for it, so a test's cleanup does not race those writes.
		let cockpits: number[] = [];
		try {
			cockpits = cockpitsUnder(this.panePid());
		} catch {
			// no pane any more
		}
		try {
			this.tmux('kill-server');
		} catch {
			// Already gone.
		}
		this.started = false;
		const tick = new Int32Array(new SharedArrayBuffer(4));
		const deadline = Date.now() + 6000;
		while (cockpits.some(alive) && Date.now() < deadline) Atomics.wait(tick, 0, 0, 20);
	}
}

/** The cockpit processes (the installed command, not the detached runners it started) below `pid`. */
function cockpitsUnder(pid: number): number[] {
	const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], {encoding: 'utf8'})
		.split('\n')
		.map(line => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
		.filter((m): m is RegExpExecArray => m !== null)
		.map(m => ({pid: Number(m[1]), ppid: Number(m[2]), args: m[3]!}));
	const below = new Set([pid]);
	for (let grew = true; grew; ) {
		grew = false;
		for (const row of rows) {
			if (below.has(row.ppid) && !below.has(row.pid)) {
				below.add(row.pid);
				grew = true;
			}
		}
	}
	return rows.filter(row => below.has(row.pid) && row.args.includes('deploycockpit.cjs')).map(row => row.pid);
}

/** The process exists (signal 0). */
export function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}
