// Starts the detached runner (runner.ts) for a run's shell blocks. The spec,
// including the environment with its secrets, is written before the spawn
// into an unnamed file (O_TMPFILE in /dev/shm: memory, no name, nothing left
// behind by a crash) that becomes the runner's stdin, never argv or a named
// file. So a cockpit killed right after the spawn still leaves a runner with
// its whole spec: once spawned, the command starts. Nothing of the runner
// keeps this process alive: the cockpit may quit or die while the run goes on.
//
// `run` starts its runner ahead (prestartRunner), before it opens the session,
// so the runner's Node start overlaps that work: the runner then holds an
// empty unnamed file and waits on its report channel. launchRunner writes the
// whole spec into that file (synchronously: from then on the command starts
// even if this process dies) and says go; a runner whose channel ends with the
// file empty (a refused step, `run` killed early) exits having touched nothing.
import {spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {closeSync, constants, existsSync, ftruncateSync, openSync, unlinkSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import type {Duplex, Readable} from 'node:stream';
import {fileURLToPath} from 'node:url';
import type {RunnerReport, RunnerSpec} from './run-files.js';
import {RUNNER_WAIT_ENV, runnerArgv} from './runner-command.js';

/** dist/engine/runner.js; from the TypeScript sources (tests) the built copy is used. */
export function runnerPath(): string {
	const here = dirname(fileURLToPath(import.meta.url));
	const beside = join(here, 'runner.js');
	if (existsSync(beside)) return beside;
	const built = resolve(here, '../../dist/engine/runner.js');
	if (existsSync(built)) return built;
	throw new Error(`the runner is not built (${built}); run npm run build`);
}

export interface LaunchedRunner {
	pid: number | undefined;
	/** The runner's final report, or undefined when the channel closed without one. */
	report: Promise<RunnerReport | undefined>;
	/** Resolves when the runner process is running or failed to start. */
	started: Promise<void>;
}

/** Linux's O_TMPFILE: a file in `dir` that never has a name. */
const O_TMPFILE = 0o20000000 | constants.O_DIRECTORY;

/**
 * An open file holding `data` from offset 0 that has no name: O_TMPFILE in
 * /dev/shm, else a file in the temp dir unlinked before a byte is written.
 */
export function unnamedFile(data: string): number {
	const buffer = Buffer.from(data, 'utf8');
	for (const dir of ['/dev/shm', tmpdir()]) {
		let fd: number | undefined;
		try {
			fd = emptyUnnamedFile(dir);
		} catch {
			continue;
		}
		try {
			writeAt0(fd, buffer);
			return fd;
		} catch {
			closeSync(fd);
		}
	}
	throw new Error('could not hand the run to the runner: no room for its spec in /dev/shm or the temp directory');
}

/** An empty file without a name in `dir` (O_TMPFILE, else created and unlinked at once). */
function emptyUnnamedFile(dir: string): number {
	if (process.platform === 'linux') {
		try {
			return openSync(dir, constants.O_RDWR | O_TMPFILE, 0o600);
		} catch {
			// no O_TMPFILE here (old kernel, filesystem without it)
		}
	}
	const path = join(dir, `deploycockpit-spec-${process.pid}-${randomBytes(6).toString('hex')}`);
	const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
	try {
		unlinkSync(path);
	} catch (error) {
		closeSync(fd);
		throw error;
	}
	return fd;
}

/** Positional writes: the shared file offset stays at 0 for the reader. */
function writeAt0(fd: number, buffer: Buffer): void {
	for (let at = 0; at < buffer.length; ) at += writeSync(fd, buffer, at, buffer.length - at, at);
}

/** Reads the runner's report from its channel (fd 3) until the channel closes. */
function readReport(channel: Readable | null): Promise<RunnerReport | undefined> {
	return new Promise<RunnerReport | undefined>(resolve => {
		if (!channel) return resolve(undefined);
		let text = '';
		channel.setEncoding('utf8');
		channel.on('data', (chunk: string) => {
			text += chunk;
		});
		channel.on('error', () => resolve(undefined));
		channel.on('close', () => {
			try {
				resolve(JSON.parse(text.trim().split('\n')[0] ?? '') as RunnerReport);
			} catch {
				resolve(undefined);
			}
		});
		(channel as Readable & {unref?: () => void}).unref?.();
	});
}

/**
 * The runner process's own environment; its bash gets spec.env, untouched.
 * NODE_OPTIONS is emptied (a user's --inspect or --require is not for the
 * runner) and NODE_EXTRA_CA_CERTS dropped: Node 20 reads and parses that
 * bundle at every start (~35 ms for a system's 200 KB of certificates) and
 * a shell runner opens no TLS connection. A sql/redis/promql runner keeps it:
 * its pg/ioredis/HTTPS clients may need the extra CA (runner-executors.ts).
 */
function runnerProcessEnv(extra: Record<string, string> = {}, tls = false): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, NODE_OPTIONS: '', ...extra};
	if (!tls) delete env.NODE_EXTRA_CA_CERTS;
	return env;
}

/** A runner for this spec opens TLS connections that may need the user's extra CA bundle. */
function needsExtraCa(spec: RunnerSpec): boolean {
	return Boolean(spec.executor) && Boolean(process.env.NODE_EXTRA_CA_CERTS);
}

/** A runner started ahead of its run, waiting for its spec (prestartRunner). */
interface WaitingRunner {
	child: ChildProcess;
	/** This process's descriptor of the runner's stdin: an empty unnamed file. */
	specFd: number;
	channel: Duplex;
}

let waiting: WaitingRunner | undefined;

/** Where scripts/launcher-core.cjs leaves a runner it started for `run` (the same shape, the same environment). */
const PRESTARTED = Symbol.for('deploycockpit.prestarted-runner');

/**
 * Starts a runner now, for the next launchRunner of this process: it loads
 * while the caller opens the session. Does nothing when one is waiting
 * already. Errors are swallowed: launchRunner then spawns one as usual.
 */
export function prestartRunner(): void {
	if (waiting) return;
	// The bundle's launcher may have started one already, before the program was loaded (scripts/launcher-core.cjs).
	const fromLauncher = (globalThis as Record<symbol, WaitingRunner | undefined>)[PRESTARTED];
	if (fromLauncher) {
		delete (globalThis as Record<symbol, unknown>)[PRESTARTED];
		waiting = fromLauncher;
		return;
	}
	let specFd: number | undefined;
	for (const dir of ['/dev/shm', tmpdir()]) {
		try {
			specFd = emptyUnnamedFile(dir);
			break;
		} catch {
			// the next place
		}
	}
	if (specFd === undefined) return;
	let child: ChildProcess;
	try {
		// No log yet for its errors: once it has its spec it writes them there itself.
		child = spawn(process.execPath, runnerArgv(runnerPath), {
			detached: true,
			stdio: [specFd, 'ignore', 'ignore', 'pipe'],
			env: runnerProcessEnv({[RUNNER_WAIT_ENV]: '1'}),
		});
	} catch {
		closeSync(specFd);
		return;
	}
	child.on('error', () => undefined);
	child.unref();
	const channel = child.stdio[3] as Duplex | null;
	if (!channel || child.pid === undefined) {
		closeSync(specFd);
		channel?.destroy();
		return;
	}
	channel.on('error', () => undefined);
	(channel as Duplex & {unref?: () => void}).unref?.();
	waiting = {child, specFd, channel};
}

/** Lets a waiting runner go without a run: it finds no spec and exits. */
export function discardPrestartedRunner(): void {
	const runner = waiting;
	waiting = undefined;
	if (!runner) return;
	closeSync(runner.specFd);
	runner.channel.destroy();
}

/** Hands `spec` to the waiting runner; undefined when there is none (or it is gone). */
function handToWaiting(spec: RunnerSpec): LaunchedRunner | undefined {
	const runner = waiting;
	waiting = undefined;
	if (!runner) return undefined;
	// The waiting runner started without the extra CA bundle: a TLS client run gets a runner of its own.
	if (needsExtraCa(spec)) {
		discardWaiting(runner);
		closeSync(runner.specFd);
		return undefined;
	}
	if (runner.child.exitCode !== null || runner.child.signalCode !== null || runner.channel.destroyed) {
		closeSync(runner.specFd);
		runner.channel.destroy();
		return undefined;
	}
	try {
		// The whole spec is in the runner's stdin before go is said: a kill of this process from here on still runs it.
		writeAt0(runner.specFd, Buffer.from(JSON.stringify(spec), 'utf8'));
	} catch {
		// No room in /dev/shm: this runner goes without a run (empty or cut spec), a new one is spawned.
		discardWaiting(runner);
		return undefined;
	} finally {
		closeSync(runner.specFd);
	}
	const report = readReport(runner.channel);
	// One byte: the runner reads one, so nothing is left unread when it closes the channel.
	runner.channel.write('g');
	return {pid: runner.child.pid, report, started: Promise.resolve()};
}

function discardWaiting(runner: WaitingRunner): void {
	try {
		// A cut spec must not be read as one: empty the file before the channel ends.
		ftruncateSync(runner.specFd, 0);
	} catch {
		// it cannot parse as a whole spec either way
	}
	runner.channel.destroy();
}

export function launchRunner(spec: RunnerSpec): LaunchedRunner {
	const handed = handToWaiting(spec);
	if (handed) return handed;
	const specFd = unnamedFile(JSON.stringify(spec));
	let child;
	try {
		// The runner's own errors land in the run's log.
		const errFd = openSync(spec.files.log, 'a', 0o600);
		try {
			child = spawn(process.execPath, runnerArgv(runnerPath), {
				detached: true,
				stdio: [specFd, 'ignore', errFd, 'pipe'],
				env: runnerProcessEnv({}, needsExtraCa(spec)),
			});
		} finally {
			closeSync(errFd);
		}
	} finally {
		closeSync(specFd);
	}
	const started = new Promise<void>(resolve => {
		child.once('spawn', () => resolve());
		child.once('error', () => resolve());
	});
	const report = readReport(child.stdio[3] as Readable | null);
	child.on('error', () => undefined);
	child.unref();
	return {pid: child.pid, report, started};
}
