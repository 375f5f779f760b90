// Issue 16 item 4: a kill -9 of the cockpit right after it spawned the
// runner must not lose the run. The spec used to follow the spawn through a
// pipe, so a kill in between left a runner without a spec ("Unexpected end
// of JSON input") and a command that never ran. Aimed at the moment the
// runner process appears, 10 rounds: every command runs, every exit file appears.
import {spawn} from 'node:child_process';
import {existsSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {sandbox, until} from '../session/helpers.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.js');
let cleanups: Array<() => void> = [];
afterEach(() => {
	for (const fn of cleanups.reverse()) fn();
	cleanups = [];
});

/** The first child of `pid` running the runner, as soon as it exists (busy-polls /proc). */
function catchRunnerSpawn(pid: number, timeoutMs: number): number | undefined {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		let children: string[] = [];
		try {
			children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
		} catch {
			return undefined;
		}
		for (const child of children) {
			try {
				// The per-file build's dist/engine/runner.js, or the bundle started in runner mode.
				const argv = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
				if (argv.some(a => a.endsWith('runner.js') || a === '--runner')) return Number(child);
			} catch {
				// gone or not readable yet
			}
		}
	}
	return undefined;
}

describe.skipIf(!existsSync('/proc/self/task'))('runner spec handoff', () => {
	it('a kill -9 aimed at the moment the runner is spawned still runs the command and leaves its exit file (10 rounds)', {timeout: 120_000}, async () => {
		const results: string[] = [];
		for (let round = 0; round < 10; round++) {
			const b = sandbox('carry.md');
			cleanups.push(b.cleanup);
			writeFileSync(b.file, `# Handoff\n\n## Steps\n\n- [ ] Touch\n  \`\`\`bash\n  echo ran > ./ran-marker\n  exit 3\n  \`\`\`\n`);
			const run = spawn(process.execPath, [bin, 'run', b.file, '--step', 'steps/touch'], {
				env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: b.stateDir},
				cwd: b.dir,
				stdio: 'ignore',
			});
			const exited = new Promise(resolve => run.once('exit', resolve));
			const runner = catchRunnerSpawn(run.pid!, 20_000);
			expect(runner, `round ${round}: the runner was never seen`).toBeDefined();
			run.kill('SIGKILL');
			await exited;
			const exitFile = await until(() => {
				const sessions = existsSync(join(b.stateDir, 'sessions')) ? readdirSync(join(b.stateDir, 'sessions')) : [];
				for (const session of sessions) {
					const runs = join(b.stateDir, 'sessions', session, 'runs');
					const name = readdirSync(runs).find(n => n.endsWith('.exit.json'));
					if (name) return join(runs, name);
				}
				return undefined;
			}, 15_000).catch(() => undefined);
			const log = (() => {
				try {
					const [session] = readdirSync(join(b.stateDir, 'sessions'));
					const runs = join(b.stateDir, 'sessions', session!, 'runs');
					return readdirSync(runs).filter(n => n.endsWith('.log')).map(n => readFileSync(join(runs, n), 'utf8')).join('');
				} catch {
					return '';
				}
			})();
			const ran = existsSync(join(b.dir, 'ran-marker'));
			const code = exitFile ? (JSON.parse(readFileSync(exitFile, 'utf8')) as {exitCode: number}).exitCode : null;
			results.push(`round ${round}: ran=${ran} exit=${code}${log.trim() ? ` log=${JSON.stringify(log.trim())}` : ''}`);
		}
		expect(results).toEqual(Array.from({length: 10}, (_, round) => `round ${round}: ran=true exit=3`));
	});
});
