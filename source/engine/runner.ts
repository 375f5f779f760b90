// The detached runner: `node runner.js` with a RunnerSpec on stdin. It is
// started in its own session by the cockpit and must outlive it (SIGHUP, a
// kill -9 of the cockpit): it runs the blocks in one bash of their own
// process group, writes the masked output to the log, and records the exit
// status and the shell state change in the exit file. The cockpit only ever
// reads those files, so a reattached cockpit sees exactly what a live one does.
import {spawn} from 'node:child_process';
import {createWriteStream, existsSync, statSync, writeSync, closeSync} from 'node:fs';
import {constants} from 'node:os';
import type {Readable} from 'node:stream';
import {addSecretRules, createStreamMasker} from '../safety/mask.js';
import {writeFileAtomicSync} from './atomic-write.js';
import {LineMasker} from './line-masker.js';
import {identify, stopGroup} from './proc.js';
import type {ExitFile, PidFile, RunnerReport, RunnerSpec} from './run-files.js';
import {blockEnv, diffDumps, parseDumps, wrapperScript, type ShellChange} from './shell-state.js';
import {persistableChange} from './persistable.js';

async function readStdin(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function report(message: RunnerReport): void {
	try {
		writeSync(3, JSON.stringify(message) + '\n');
		closeSync(3);
	} catch {
		// the cockpit is gone; the exit file is the record
	}
}

const wait = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

function signalNumber(signal: NodeJS.Signals | null): number | undefined {
	return signal ? (constants.signals as Record<string, number>)[signal] : undefined;
}

async function main(): Promise<void> {
	// No controlling terminal after setsid, but a SIGHUP may still be sent by hand.
	for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE'] as const) process.on(signal, () => undefined);

	const spec = JSON.parse(await readStdin()) as RunnerSpec;
	// Before any masker exists: the user's secret names also decide what of the shell state is persisted.
	addSecretRules(spec.secrets);
	const startedAt = new Date();
	const log = createWriteStream(spec.files.log, {flags: 'a', mode: 0o600});
	let output: Readable | null = null;
	const masker = new LineMasker(createStreamMasker(spec.env), text => {
		if (!log.write(text) && output && !output.isPaused()) {
			const paused = output;
			paused.pause();
			log.once('drain', () => paused.resume());
		}
	});

	let cwd = spec.cwd;
	if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
		masker.write(`deploycockpit: directory ${cwd} is gone; running in ${process.cwd()}\n`);
		cwd = process.cwd();
	}

	const child = spawn('bash', ['--noprofile', '--norc', '-c', wrapperScript(), 'bash'], {
		cwd,
		env: {...spec.env, ...blockEnv(spec.scripts, spec.prelude, spec.errexit)},
		detached: true,
		stdio: ['ignore', 'pipe', 'ignore', 'pipe'],
	});

	let spawnError: Error | undefined;
	child.on('error', error => {
		spawnError = error;
	});

	const dumps: Buffer[] = [];
	const channel = child.stdio[3];
	channel?.on('data', (chunk: Buffer) => dumps.push(chunk));
	channel?.on('error', () => undefined);

	output = child.stdout;
	let stdoutEnded = false;
	let lastData = 0;
	child.stdout?.on('data', (chunk: Buffer) => {
		lastData++;
		masker.write(chunk);
	});
	child.stdout?.on('end', () => {
		stdoutEnded = true;
	});

	if (child.pid !== undefined) {
		const pidFile: PidFile = {runner: identify(process.pid), shell: identify(child.pid), pgid: child.pid, startedAt: startedAt.toISOString()};
		writeFileAtomicSync(spec.files.pid, JSON.stringify(pidFile));
	}

	let timedOut = false;
	let timer: NodeJS.Timeout | undefined;
	if (spec.timeoutMs && spec.timeoutMs > 0 && child.pid !== undefined) {
		const pgid = child.pid;
		timer = setTimeout(() => {
			timedOut = true;
			masker.write(`\ndeploycockpit: timed out after ${Math.round(spec.timeoutMs! / 1000)}s; stopping\n`);
			void stopGroup(pgid, spec.graceMs);
		}, spec.timeoutMs);
	}

	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => {
		child.on('exit', (c, s) => resolve([c, s]));
		child.on('error', () => resolve([null, null]));
	});
	if (timer) clearTimeout(timer);
	const endedAt = new Date();

	// Let output and the final dump still in the pipes arrive. Background jobs
	// may keep stdout open much longer; they do not hold up the result.
	const hasEndDump = () => parseDumps(Buffer.concat(dumps)).some(d => d.tag === 'end');
	for (let i = 0; i < 40 && !stdoutEnded; i++) {
		const seen = lastData;
		await wait(5);
		if (lastData === seen && i >= 1 && hasEndDump()) break;
	}
	masker.flush();

	const parsed = parseDumps(Buffer.concat(dumps));
	const start = parsed.find(d => d.tag === 'start');
	const end = parsed.find(d => d.tag === 'end');
	let change: ShellChange | undefined;
	if (start && end) change = diffDumps(start, end, spec.carried);

	const number = signalNumber(signal);
	const exit: ExitFile = {
		exitCode: code ?? (number !== undefined ? 128 + number : null),
		signal,
		startedAt: startedAt.toISOString(),
		endedAt: endedAt.toISOString(),
		durationMs: endedAt.getTime() - startedAt.getTime(),
		block: end?.block ?? -1,
		...(timedOut ? {timedOut} : {}),
		...(change ? {shell: persistableChange(change, spec.env)} : {}),
		...(spawnError ? {error: `could not start bash: ${spawnError.message}`} : {}),
	};
	if (spawnError) log.write(`deploycockpit: could not start bash: ${spawnError.message}\n`);
	// Everything printed so far is in the log file before the exit file says the run ended.
	await new Promise(resolve => log.write('', resolve));
	writeFileAtomicSync(spec.files.exit, JSON.stringify(exit));
	report({exit, ...(change ? {change} : {})});

	// Background jobs of the block still write to this run's log until they end.
	if (!stdoutEnded && child.stdout) await new Promise(resolve => child.stdout!.once('close', resolve));
	masker.flush();
	await new Promise(resolve => log.end(resolve));
}

main().then(
	() => process.exit(0),
	error => {
		try {
			process.stderr.write(`deploycockpit runner: ${error instanceof Error ? error.message : String(error)}\n`);
		} catch {
			// nowhere to report
		}
		process.exit(1);
	},
);
