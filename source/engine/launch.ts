// Starts the detached runner (runner.ts) for a run's shell blocks. The spec,
// including the environment with its secrets, is written before the spawn
// into an unnamed file (O_TMPFILE in /dev/shm: memory, no name, nothing left
// behind by a crash) that becomes the runner's stdin, never argv or a named
// file. So a cockpit killed right after the spawn still leaves a runner with
// its whole spec: once spawned, the command starts. Nothing of the runner
// keeps this process alive: the cockpit may quit or die while the run goes on.
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {closeSync, constants, existsSync, openSync, unlinkSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import type {Readable} from 'node:stream';
import {fileURLToPath} from 'node:url';
import type {RunnerReport, RunnerSpec} from './run-files.js';
import {runnerArgv} from './runner-command.js';

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
		if (process.platform === 'linux') {
			try {
				fd = openSync(dir, constants.O_RDWR | O_TMPFILE, 0o600);
			} catch {
				// no O_TMPFILE here (old kernel, filesystem without it)
			}
		}
		if (fd === undefined) {
			const path = join(dir, `deploycockpit-spec-${process.pid}-${randomBytes(6).toString('hex')}`);
			try {
				fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
				unlinkSync(path);
			} catch {
				if (fd !== undefined) closeSync(fd);
				continue;
			}
		}
		try {
			// Positional writes: the shared file offset stays at 0 for the reader.
			for (let at = 0; at < buffer.length; ) at += writeSync(fd, buffer, at, buffer.length - at, at);
			return fd;
		} catch {
			closeSync(fd);
		}
	}
	throw new Error('could not hand the run to the runner: no room for its spec in /dev/shm or the temp directory');
}

export function launchRunner(spec: RunnerSpec): LaunchedRunner {
	const specFd = unnamedFile(JSON.stringify(spec));
	let child;
	try {
		// The runner's own errors land in the run's log.
		const errFd = openSync(spec.files.log, 'a', 0o600);
		try {
			child = spawn(process.execPath, runnerArgv(runnerPath), {
				detached: true,
				stdio: [specFd, 'ignore', errFd, 'pipe'],
				env: {...process.env, NODE_OPTIONS: ''},
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
	const channel = child.stdio[3] as Readable | null;
	const report = new Promise<RunnerReport | undefined>(resolve => {
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
	child.on('error', () => undefined);
	child.unref();
	return {pid: child.pid, report, started};
}
