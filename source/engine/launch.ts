// Starts the detached runner (runner.ts) for a run's shell blocks. The spec,
// including the environment with its secrets, goes through a pipe, never the
// disk or argv. Nothing of the runner keeps this process alive: the cockpit
// may quit or die while the run goes on.
import {spawn} from 'node:child_process';
import {closeSync, existsSync, openSync} from 'node:fs';
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

export function launchRunner(spec: RunnerSpec): LaunchedRunner {
	// The runner's own errors land in the run's log.
	const errFd = openSync(spec.files.log, 'a', 0o600);
	let child;
	try {
		child = spawn(process.execPath, runnerArgv(runnerPath), {
			detached: true,
			stdio: ['pipe', 'ignore', errFd, 'pipe'],
			env: {...process.env, NODE_OPTIONS: ''},
		});
	} finally {
		closeSync(errFd);
	}
	const started = new Promise<void>(resolve => {
		child.once('spawn', () => resolve());
		child.once('error', () => resolve());
	});
	child.stdin?.on('error', () => undefined);
	child.stdin?.end(JSON.stringify(spec));
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
