// A pseudo-terminal for the benches without native modules: util-linux
// `script` gives the command a pty of a fixed size; we write keys to its stdin
// and read what the program draws from its stdout.
import {spawn} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';

const shq = s => `'${String(s).replace(/'/g, `'\\''`)}'`;

export function spawnPty(argv, {cols = 120, rows = 40, env = process.env, cwd} = {}) {
	const command = `stty cols ${cols} rows ${rows}; exec ${argv.map(shq).join(' ')}`;
	const child = spawn('script', ['-qfec', command, '/dev/null'], {env, cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true});
	const started = process.hrtime.bigint();
	let bytes = 0;
	const listeners = new Set();
	child.stdout.on('data', chunk => {
		bytes += chunk.length;
		const at = process.hrtime.bigint();
		for (const l of listeners) l(chunk, at);
	});
	child.stderr.resume();
	const exited = new Promise(resolve => child.on('exit', (code, signal) => resolve({code, signal})));
	return {
		child,
		started,
		get bytes() {
			return bytes;
		},
		onData(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		write(data) {
			child.stdin.write(data);
		},
		/** Resolves with the hrtime at which the accumulated (ANSI-stripped) output matches. */
		waitFor(test, timeoutMs = 20_000, since = process.hrtime.bigint()) {
			return new Promise((resolve, reject) => {
				let seen = '';
				const timer = setTimeout(() => {
					off();
					reject(new Error(`pty: timed out waiting for ${test}; saw ${JSON.stringify(seen.slice(-300))}`));
				}, timeoutMs);
				const off = this.onData((chunk, at) => {
					if (at < since) return;
					seen += strip(chunk.toString('utf8'));
					if (seen.length > 200_000) seen = seen.slice(-100_000);
					if (typeof test === 'string' ? seen.includes(test) : test.test(seen)) {
						clearTimeout(timer);
						off();
						resolve(at);
					}
				});
			});
		},
		async kill(signal = 'SIGTERM') {
			try {
				process.kill(-child.pid, signal);
			} catch {
				// gone already
			}
			const timer = setTimeout(() => {
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {
					// gone
				}
			}, 3000);
			await exited;
			clearTimeout(timer);
		},
		exited,
	};
}

export function strip(text) {
	return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b[()][0-9A-Za-z]/g, '').replace(/\x1b[=>]/g, '');
}

export const ms = (from, to) => Number(to - from) / 1e6;

/**
 * Resident memory (KiB) of the program a spawnPty runs: `script` forks a
 * shell that execs it, so it is script's child.
 */
export function programRssKiB(pty) {
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid !== pty.child.pid) continue;
			const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'));
			if (rss) return Number(rss[1]);
		} catch {
			// gone while we looked
		}
	}
	return null;
}
