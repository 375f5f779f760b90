// Waits for a detached run to end by watching its files, so a run this
// process started and one it reattached to after a restart end the same way.
// Only when the runner is gone without leaving its exit file is the outcome
// unknowable (`lost`: reboot, runner killed).
import {readFile} from 'node:fs/promises';
import {isSameProcessAlive} from './proc.js';
import type {ExitFile, PidFile, RunFiles, RunnerReport} from './run-files.js';
import type {ShellChange} from './shell-state.js';

export type RunOutcome = {kind: 'exit'; exit: ExitFile; change?: ShellChange} | {kind: 'lost'; reason: string} | {kind: 'detached'};

export async function readJson<T>(path: string): Promise<T | undefined> {
	try {
		return JSON.parse(await readFile(path, 'utf8')) as T;
	} catch {
		return undefined;
	}
}

export interface AwaitOptions {
	/** The runner's own report, when this process started it. */
	report?: Promise<RunnerReport | undefined>;
	/** The waiter gives up quietly (the cockpit is closing; the run goes on). */
	stopped?: () => boolean;
	pollMs?: number;
	/** How long a missing pid file is tolerated (the runner is starting). */
	startGraceMs?: number;
	/** Called once the pid file is there. */
	onPid?: (pid: PidFile) => void;
}

/**
 * Sleeps that end early when `early` settles: the timer is cleared then, so a
 * run that ended does not keep the process alive for the rest of a poll. One
 * listener on `early` for all of them (a long run sleeps many times).
 */
function sleeper(early?: Promise<unknown>): (ms: number) => Promise<void> {
	let settled = false;
	let wake: (() => void) | undefined;
	const done = () => {
		settled = true;
		wake?.();
	};
	early?.then(done, done);
	return ms =>
		new Promise<void>(resolve => {
			// Settled: plain polls (a report channel that closed without a report).
			if (settled) return void setTimeout(resolve, ms);
			const timer = setTimeout(() => {
				wake = undefined;
				resolve();
			}, ms);
			wake = () => {
				clearTimeout(timer);
				wake = undefined;
				resolve();
			};
		});
}

/** The runner is alive, or it already left its result? */
export async function runState(files: RunFiles): Promise<{exit?: ExitFile; pid?: PidFile; alive: boolean}> {
	const exit = await readJson<ExitFile>(files.exit);
	if (exit) return {exit, alive: false};
	const pid = await readJson<PidFile>(files.pid);
	const alive = pid ? isSameProcessAlive(pid.runner) : false;
	if (!alive) {
		// It may have finished between the two reads.
		const late = await readJson<ExitFile>(files.exit);
		if (late) return {exit: late, pid, alive: false};
	}
	return {pid, alive};
}

export async function awaitRunEnd(files: RunFiles, options: AwaitOptions = {}): Promise<RunOutcome> {
	const pollMs = options.pollMs ?? 100;
	const startGraceMs = options.startGraceMs ?? 10_000;
	const began = Date.now();
	const got: {report?: RunnerReport; done: boolean} = {done: !options.report};
	options.report?.then(r => {
		got.report = r;
		got.done = true;
	});
	const sleep = sleeper(options.report);
	let pidSeen = false;
	for (;;) {
		if (options.stopped?.()) return {kind: 'detached'};
		if (got.report) return {kind: 'exit', exit: got.report.exit, change: got.report.change};
		const state = await runState(files);
		// A report wins, also one that came while the files were read (a full disk may hold the pid file back).
		const report = got.report as RunnerReport | undefined;
		if (report) return {kind: 'exit', exit: report.exit, change: report.change};
		if (state.pid && !pidSeen) {
			pidSeen = true;
			options.onPid?.(state.pid);
		}
		if (state.exit) {
			if (!got.done) await sleep(200);
			return {kind: 'exit', exit: state.exit, change: (got as {report?: RunnerReport}).report?.change};
		}
		if (state.pid && !state.alive) return {kind: 'lost', reason: 'the runner process is gone and left no exit status'};
		// While our own runner's report channel is open the runner is alive (a full
		// disk may hold its pid file back); only a reattached run has just the files.
		if (!state.pid && (got.done || (!options.report && Date.now() - began > startGraceMs))) {
			if (Date.now() - began > 1000 || got.done) return {kind: 'lost', reason: 'the runner never started'};
		}
		await sleep(pollMs);
	}
}
