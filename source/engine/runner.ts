// The detached runner: `node runner.js` with a RunnerSpec on stdin (an
// unnamed file the cockpit filled before the spawn, see launch.ts). It is
// started in its own session by the cockpit and must outlive it (SIGHUP, a
// kill -9 of the cockpit): it runs the blocks in one bash of their own
// process group, on a PTY whose master it holds (spec.terminal; pipes where
// node-pty cannot load), takes typed input and resizes on the run's control
// socket (control.ts), writes the masked output to the log, and records the exit
// status and the shell state change in the exit file. The cockpit only ever
// reads those files, so a reattached cockpit sees exactly what a live one does.
// A write error (a full disk) never stops it: output that cannot be logged is
// counted, and the pid and exit files are retried until they are written.
// A sql/redis/promql block runs here too, without bash (runner-executors.ts).
// Kept lean on purpose (no UI, no markdown): it may be bundled on its own.
import {appendFileSync, closeSync, existsSync, fstatSync, read, readSync, statSync, writeSync} from 'node:fs';
import {constants} from 'node:os';
import {basename, dirname} from 'node:path';
import {addSecretRules, createMasker, createStreamMasker} from '../safety/mask.js';
import {writeFileAtomicSync} from './atomic-write.js';
import {LineMasker} from './line-masker.js';
import {closeControl, controlSocketPath, listenControl} from './control.js';
import {LogSink} from './log-sink.js';
import {fallbackNotice} from './pty-load.js';
import {startShell, type ShellProcess} from './shell-process.js';
import {identify, stopGroup} from './proc.js';
import type {ExitFile, PidFile, RunnerReport, RunnerSpec} from './run-files.js';
import {RUNNER_WAIT_ENV} from './runner-command.js';
import {blockEnv, diffDumps, failureOf, parseDumps, wrapperScript, type ShellChange} from './shell-state.js';
import {persistableChange} from './persistable.js';
import {TypedLines} from './typed-lines.js';

async function readStdin(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

/**
 * A runner started ahead of its run waits until the caller says go on the
 * report channel (fd 3) or the channel ends (the caller is gone or has no run
 * for it), then reads its stdin, an unnamed file the caller filled before
 * saying go, from the start. Undefined when the file holds no whole spec.
 */
async function readWaitedSpec(): Promise<RunnerSpec | undefined> {
	const byte = Buffer.alloc(1);
	for (;;) {
		try {
			await new Promise<number>((resolve, reject) => read(3, byte, 0, 1, null, (error, n) => (error ? reject(error) : resolve(n))));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') break;
			await wait(5);
		}
	}
	const size = fstatSync(0).size;
	if (size === 0) return undefined;
	const data = Buffer.alloc(size);
	for (let at = 0; at < size; ) {
		const n = readSync(0, data, at, size - at, at);
		if (n === 0) return undefined;
		at += n;
	}
	try {
		return JSON.parse(data.toString('utf8')) as RunnerSpec;
	} catch {
		return undefined;
	}
}

/** The spec from stdin; a prestarted runner (RUNNER_WAIT_ENV) waits for it first. */
async function readSpec(): Promise<{spec: RunnerSpec | undefined; waited: boolean}> {
	if (!process.env[RUNNER_WAIT_ENV]) return {spec: JSON.parse(await readStdin()) as RunnerSpec, waited: false};
	delete process.env[RUNNER_WAIT_ENV];
	return {spec: await readWaitedSpec(), waited: true};
}

/** Where a fatal error of the runner is told besides stderr: its log, when stderr is not already that (a prestarted runner). */
let errorLog: string | undefined;

function report(message: RunnerReport): void {
	try {
		writeSync(3, JSON.stringify(message) + '\n');
		closeSync(3);
	} catch {
		// the cockpit is gone; the exit file is the record
	}
}

const wait = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Writes a small file atomically, retrying with a bounded backoff (50 ms
 * doubling to 2 s) until it is written: a full disk delays the record, it
 * does not lose it. Gives up only when the run's directory is gone.
 */
async function writeUntilWritten(path: string, data: string, onFirstFailure?: () => void, before?: () => boolean): Promise<boolean> {
	let delay = 50;
	for (let attempt = 0; ; attempt++) {
		try {
			if (before && !before()) throw new Error('not yet');
			writeFileAtomicSync(path, data);
			return true;
		} catch {
			if (!existsSync(dirname(path))) return false;
			if (attempt === 0) onFirstFailure?.();
			await wait(delay);
			delay = Math.min(delay * 2, 2000);
		}
	}
}

function signalNumber(signal: NodeJS.Signals | null): number | undefined {
	return signal ? (constants.signals as Record<string, number>)[signal] : undefined;
}

async function main(): Promise<void> {
	// No controlling terminal after setsid, but a SIGHUP may still be sent by hand.
	for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE'] as const) process.on(signal, () => undefined);

	const {spec, waited} = await readSpec();
	// No run was handed over: nothing was touched, nothing is left.
	if (!spec) return;
	if (waited) errorLog = spec.files.log;
	// Before any masker exists: the user's secret names also decide what of the shell state is persisted.
	addSecretRules(spec.secrets);
	// A sql/redis/promql block: no bash. Its executor (pg, ioredis) is loaded for these runs only.
	if (spec.executor) return (await import('./runner-executors.js')).runExecutorBlock(spec, {report, writeUntilWritten});
	const startedAt = new Date();
	const log = new LogSink(spec.files.log);
	// bash names errors inside a block's functions "environment: line N:"; the line is right, the name is not.
	// (Output holding it comes back from the masker as text, never as bytes: see `rewrites`.)
	const named = spec.name ? (text: string) => text.replace(/(^|\n)environment: line (\d+): /g, (_m, before: string, line: string) => `${before}${spec.name}: line ${line}: `) : (text: string) => text;
	const streamMasker = createStreamMasker(spec.env, spec.name ? {rewrites: ['environment: line ']} : {});
	const masker = new LineMasker(streamMasker, text => log.write(typeof text === 'string' ? named(text) : text));

	let cwd = spec.cwd;
	if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
		masker.write(`deploycockpit: directory ${cwd} is gone; running in ${process.cwd()}\n`);
		cwd = process.cwd();
	}

	// The control channel (typed input, the terminal's size) listens before bash starts, so the pid
	// file that names it is written as soon as bash has a pid.
	const live: {shell?: ShellProcess} = {};
	const typed = new TypedLines();
	let sockPath = spec.terminal ? controlSocketPath(dirname(spec.files.pid), basename(spec.files.pid, '.pid.json')) : undefined;
	const control = sockPath
		? await listenControl(sockPath, {
				input: data => {
					typed.feed(data.toString('utf8'));
					live.shell?.input(data);
				},
				resize: (c, r) => live.shell?.resize(c, r),
				size: () => live.shell?.size() ?? spec.terminal!,
			})
		: undefined;

	// $0 names the checklist, so bash's own errors read "deploy.md: line 33: ...".
	const shell = startShell({
		args: ['--noprofile', '--norc', '-c', wrapperScript(), spec.name || 'bash'],
		cwd,
		env: {...spec.env, ...blockEnv(spec.scripts, spec.prelude, spec.errexit, spec.lines)},
		...(spec.terminal ? {terminal: spec.terminal} : {}),
	});
	live.shell = shell;
	if (shell.fallback) masker.write(fallbackNotice(shell.fallback));
	if (!shell.terminal && sockPath) {
		closeControl(control, sockPath);
		sockPath = undefined;
	}
	// A prompt without a newline is let through after a short pause; on a terminal the pause is what a keypress's echo waits.
	if (shell.terminal) masker.idleMs = 10;

	const dumps: Buffer[] = [];
	shell.onDumps(chunk => dumps.push(chunk));

	let outputClosed = false;
	let lastData = 0;
	// A PTY hands output over in ~1 KiB pieces: they are masked and written in batches (up to 64 KiB,
	// or whatever arrived before the event loop turns), which more than halves a flood's time.
	// (Pipe output comes in reads of up to 64 KiB, in a reused buffer: it goes to the masker at once.)
	let batch: Buffer[] = [];
	let batchLength = 0;
	let batchQueued = false;
	const flushBatch = () => {
		batchQueued = false;
		if (batch.length === 0) return;
		const bytes = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchLength);
		batch = [];
		batchLength = 0;
		masker.write(bytes);
	};
	shell.onOutput(chunk => {
		lastData++;
		if (!shell.terminal) return masker.write(chunk);
		batch.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
		batchLength += chunk.length;
		if (batchLength >= 65536) flushBatch();
		else if (!batchQueued) {
			batchQueued = true;
			setImmediate(flushBatch);
		}
	});
	void shell.outputClosed.then(() => {
		outputClosed = true;
	});

	let pidWritten: Promise<boolean> = Promise.resolve(true);
	if (shell.pid !== undefined) {
		const pidFile: PidFile = {
			runner: identify(process.pid),
			shell: identify(shell.pid),
			pgid: shell.pid,
			startedAt: startedAt.toISOString(),
			...(control && sockPath ? {sock: sockPath} : {}),
			...(shell.terminal ? {terminal: shell.size()} : {}),
		};
		// In the background: the command does not wait for the disk.
		pidWritten = writeUntilWritten(spec.files.pid, JSON.stringify(pidFile));
	}

	let timedOut = false;
	let timer: NodeJS.Timeout | undefined;
	if (spec.timeoutMs && spec.timeoutMs > 0 && shell.pid !== undefined) {
		const pgid = shell.pid;
		timer = setTimeout(() => {
			timedOut = true;
			masker.write(`\ndeploycockpit: timed out after ${Math.round(spec.timeoutMs! / 1000)}s; stopping\n`);
			void stopGroup(pgid, spec.graceMs);
		}, spec.timeoutMs);
	}

	const {code, signal, error: spawnError} = await shell.exited;
	// Typing into an ended command means nothing: the socket goes before the exit is recorded.
	if (sockPath) closeControl(control, sockPath);
	if (timer) clearTimeout(timer);
	const endedAt = new Date();

	// Let output and the final dump still in the pipes arrive. Background jobs
	// may keep stdout open much longer; they do not hold up the result.
	const hasEndDump = () => parseDumps(Buffer.concat(dumps)).some(d => d.tag === 'end');
	// A PTY may still hand over the command's last output a little after bash ended, and a loaded
	// machine delays it: wait for ~100 ms of quiet there (10 ms on pipes) before the exit is recorded.
	const quietRounds = shell.terminal ? 20 : 2;
	for (let i = 0; i < 40; i++) {
		const seen = lastData;
		if (hasEndDump() && (outputClosed || i >= quietRounds)) break;
		await wait(5);
		if (!outputClosed && lastData !== seen) i = Math.min(i, 1);
	}
	flushBatch();
	masker.flush();

	const parsed = parseDumps(Buffer.concat(dumps));
	const start = parsed.find(d => d.tag === 'start');
	const end = parsed.find(d => d.tag === 'end');
	let change: ShellChange | undefined;
	if (start && end) change = diffDumps(start, end, spec.carried);
	const failure = failureOf(end);

	if (spawnError) masker.write(`deploycockpit: could not start bash: ${spawnError.message}\n`);
	masker.flush();
	const number = signalNumber(signal);
	const exit: ExitFile = {
		exitCode: code ?? (number !== undefined ? 128 + number : null),
		signal,
		startedAt: startedAt.toISOString(),
		endedAt: endedAt.toISOString(),
		durationMs: endedAt.getTime() - startedAt.getTime(),
		block: end?.block ?? -1,
		...(failure ? {failedLine: failure.line, failedCommand: createMasker(spec.env)(failure.command)} : {}),
		...(timedOut ? {timedOut} : {}),
		...(spec.interactive && !timedOut && (signal === 'SIGINT' || code === 130) ? {cancelled: true} : {}),
		...(change ? {shell: persistableChange(change, spec.env, typed.values())} : {}),
		...(spawnError ? {error: `could not start bash: ${spawnError.message}`} : {}),
		...(log.lost > 0 ? {logLost: log.lost} : {}),
	};
	// The log was written synchronously: everything printed so far is in it
	// before the exit file says the run ended. A live cockpit gets the report
	// at once, even while a full disk holds the exit file back.
	let reported = false;
	const sendReport = () => {
		if (reported) return;
		reported = true;
		report({exit, ...(change ? {change} : {})});
	};
	await pidWritten;
	// The log says how much output a full disk cost before the exit file says the run ended.
	await writeUntilWritten(spec.files.exit, JSON.stringify(exit), sendReport, () => log.settle());
	sendReport();

	// Background jobs of the block still write to this run's log until they end
	// (on a terminal they got SIGHUP when bash, its controlling process, exited).
	await shell.outputClosed;
	flushBatch();
	masker.flush();
	shell.dispose();
	log.close();
}

main().then(
	() => process.exit(0),
	error => {
		const message = `deploycockpit runner: ${error instanceof Error ? error.message : String(error)}\n`;
		try {
			process.stderr.write(message);
			if (errorLog) appendFileSync(errorLog, message, {mode: 0o600});
		} catch {
			// nowhere to report
		}
		process.exit(1);
	},
);
