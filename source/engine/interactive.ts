// The `!` key: the blocks run attached to the terminal (the UI has suspended
// itself), so prompts and full-screen programs work. Not detached: it needs
// the terminal. With util-linux `script` the command gets a PTY of its own:
// `script` puts the real terminal in raw mode, so Ctrl-C is a byte that
// becomes SIGINT in the command's PTY only (never in the cockpit), and what
// the command prints passes through here on its way to the screen, masked
// into the run's log. Child processes start with default signal handlers
// (libuv resets them). Without `script` the command inherits the terminal
// and its output is not logged. Shell state still carries; a command ended
// by Ctrl-C (SIGINT, status 130) is recorded as cancelled.
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {constants} from 'node:os';
import {delimiter, join} from 'node:path';
import type {Readable} from 'node:stream';
import {createMasker, createStreamMasker} from '../safety/mask.js';
import {LineMasker} from './line-masker.js';
import {LogSink} from './log-sink.js';
import type {ExitFile, RunnerSpec} from './run-files.js';
import {blockEnv, diffDumps, failureOf, parseDumps, wrapperScript, type ShellChange} from './shell-state.js';
import {persistableChange} from './persistable.js';

/** util-linux `script` on the PATH (Linux only: BSD script takes other arguments). */
function findScript(): string | undefined {
	if (process.platform !== 'linux') return undefined;
	for (const dir of (process.env.PATH ?? '').split(delimiter)) {
		if (dir && existsSync(join(dir, 'script'))) return join(dir, 'script');
	}
	return undefined;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export async function runInteractive(spec: RunnerSpec, output: NodeJS.WritableStream = process.stdout): Promise<{exit: ExitFile; change?: ShellChange}> {
	const startedAt = new Date();
	const log = new LogSink(spec.files.log);
	const script = findScript();
	const bashArgs = ['--noprofile', '--norc', '-c', wrapperScript(), spec.name || 'bash'];
	const env = {...spec.env, ...blockEnv(spec.scripts, spec.prelude, spec.errexit, spec.lines)};
	let child;
	if (script) {
		log.write('deploycockpit: interactive run (`!`): the output below is what the terminal showed\n');
		// `script -c` runs its command with $SHELL: /bin/sh here, and the user's SHELL is put back for the blocks.
		const shell = env.SHELL === undefined ? 'unset SHELL' : `export SHELL=${quote(env.SHELL)}`;
		child = spawn(script, ['-q', '-e', '-c', `${shell}; exec bash ${bashArgs.map(quote).join(' ')}`, '/dev/null'], {
			cwd: spec.cwd,
			env: {...env, SHELL: '/bin/sh'},
			stdio: ['inherit', 'pipe', 'inherit', 'pipe'],
		});
	} else {
		log.write('deploycockpit: interactive run (`!`); util-linux `script` is not installed, so its output went to the terminal only\n');
		child = spawn('bash', bashArgs, {cwd: spec.cwd, env, stdio: ['inherit', 'inherit', 'inherit', 'pipe']});
	}
	const masker = new LineMasker(createStreamMasker(spec.env), text => log.write(String(text).replace(/\r\n/g, '\n')));
	child.stdout?.on('data', (chunk: Buffer) => {
		try {
			output.write(chunk);
		} catch {
			// the terminal is gone; the log still gets it
		}
		masker.write(chunk);
	});
	const chunks: Buffer[] = [];
	(child.stdio[3] as Readable | null)?.on('data', (chunk: Buffer) => chunks.push(chunk));

	let timedOut = false;
	const timer = spec.timeoutMs
		? setTimeout(() => {
				timedOut = true;
				child.kill('SIGTERM');
				setTimeout(() => child.kill('SIGKILL'), spec.graceMs).unref();
			}, spec.timeoutMs)
		: undefined;
	const [code, signal, error] = await new Promise<[number | null, NodeJS.Signals | null, Error | undefined]>(resolve => {
		child.once('error', e => resolve([null, null, e]));
		child.once('exit', (c, s) => resolve([c, s, undefined]));
	});
	if (timer) clearTimeout(timer);
	// What is still in the pipes (the command's last words, the end dump).
	await new Promise(resolve => setTimeout(resolve, 20));
	masker.flush();
	log.settle();
	log.close();

	const endedAt = new Date();
	const dumps = parseDumps(Buffer.concat(chunks));
	const start = dumps.find(d => d.tag === 'start');
	const end = dumps.find(d => d.tag === 'end');
	const change = start && end ? diffDumps(start, end, spec.carried) : undefined;
	const failure = failureOf(end);
	const number = signal ? (constants.signals as Record<string, number>)[signal] : undefined;
	const exitCode = code ?? (number !== undefined ? 128 + number : null);
	const exit: ExitFile = {
		exitCode,
		signal,
		startedAt: startedAt.toISOString(),
		endedAt: endedAt.toISOString(),
		durationMs: endedAt.getTime() - startedAt.getTime(),
		block: end?.block ?? -1,
		// Ctrl-C: SIGINT to the command, which then ends with 130 (through script) or by the signal itself.
		...((signal === 'SIGINT' || exitCode === 130) && !timedOut ? {cancelled: true} : {}),
		...(failure && exitCode !== 130 ? {failedLine: failure.line, failedCommand: createMasker(spec.env)(failure.command)} : {}),
		...(timedOut ? {timedOut: true} : {}),
		...(change ? {shell: persistableChange(change, spec.env)} : {}),
		...(error ? {error: `could not start the command: ${error.message}`} : {}),
	};
	return {exit, ...(change ? {change} : {})};
}
