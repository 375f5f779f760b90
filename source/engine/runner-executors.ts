// The detached runner's second mode: one sql, redis or promql block
// (spec.executor) instead of bash. runner.ts hands over here right after
// reading its spec, so the executor, pg and ioredis are loaded only for these
// runs and a shell run stays lean. The runner holds the connection: a cockpit
// or `run` that quits or dies mid-statement leaves the statement running to
// its end (a migration commits), and the result reaches the log and the exit
// file exactly as a live cockpit would have shown it. Connection settings and
// passwords come in the spec's env (an unnamed in-memory file, see launch.ts),
// never from or to the disk.
//
// Cancel is a signal to the runner (its pid file says `executor`): SIGINT or
// SIGTERM aborts the executor, which cancels for real (a cancel request to
// PostgreSQL, the connection dropped for Redis, the HTTP request for
// Prometheus) and ends the run `cancelled`. Further signals change nothing (a
// cancel pressed twice must not exit before the cancel request went out); an
// executor still busy HARD_STOP_MS after the cancel is given up: the cancel is
// recorded and the connection closes with the process.
import {createMasker, createStreamMasker} from '../safety/mask.js';
import {ExecutorRegistry} from './executors.js';
import {LineMasker} from './line-masker.js';
import {LogSink} from './log-sink.js';
import {identify} from './proc.js';
import type {ExitFile, PidFile, RunnerReport, RunnerSpec} from './run-files.js';
import type {ExecResult} from './types.js';

/** What runner.ts lends this mode: its report channel and its retried atomic write. */
export interface RunnerTools {
	report(message: RunnerReport): void;
	writeUntilWritten(path: string, data: string, onFirstFailure?: () => void, before?: () => boolean): Promise<boolean>;
}

/** After a cancel, how long the executor may take to end on its own (its cancel grace, a rollback) before the runner stops waiting. */
export const HARD_STOP_MS = 10_000;
/** Closing pooled connections politely (QUIT, Terminate) is bounded: the process exit closes them anyway. */
const CLOSE_MS = 1000;

const wait = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms).unref());

export async function runExecutorBlock(spec: RunnerSpec, tools: RunnerTools): Promise<void> {
	const run = spec.executor!;
	const startedAt = new Date();
	const log = new LogSink(spec.files.log);
	const masker = new LineMasker(createStreamMasker(spec.env), text => log.write(text));
	// No bash: the runner is the whole run. launch.ts spawns it detached, so its pid is its process group.
	const self = identify(process.pid);
	const pidFile: PidFile = {runner: self, shell: self, pgid: process.pid, startedAt: startedAt.toISOString(), executor: run.name};
	// In the background: the statement does not wait for the disk.
	const pidWritten = tools.writeUntilWritten(spec.files.pid, JSON.stringify(pidFile));

	const abort = new AbortController();
	let cancelled = false;
	let giveUp: () => void = () => undefined;
	const givenUp = new Promise<ExecResult>(resolve => {
		giveUp = () => resolve({exitCode: null, signal: 'SIGINT', error: cancelled ? 'cancelled' : 'timed out'});
	});
	let hardTimer: NodeJS.Timeout | undefined;
	const stopWaiting = () => {
		masker.write('\ndeploycockpit: stopped without waiting for the server; the connection is closed\n');
		giveUp();
	};
	const armHardStop = () => {
		hardTimer ??= setTimeout(stopWaiting, HARD_STOP_MS);
	};
	const onSignal = () => {
		if (abort.signal.aborted) return;
		cancelled = true;
		abort.abort();
		armHardStop();
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	let timer: NodeJS.Timeout | undefined;
	if (spec.timeoutMs && spec.timeoutMs > 0) {
		timer = setTimeout(() => {
			abort.abort(new Error('timed out'));
			armHardStop();
		}, spec.timeoutMs);
	}

	const registry = new ExecutorRegistry();
	let result: ExecResult;
	try {
		const executor = await registry.get(run.name);
		result = await Promise.race([
			executor.run(run.block, {
				cwd: spec.cwd,
				env: spec.env,
				settings: run.settings,
				signal: abort.signal,
				write: chunk => masker.write(chunk),
				...(spec.timeoutMs ? {timeoutMs: spec.timeoutMs} : {}),
				confirmed: run.confirmed,
			}),
			givenUp,
		]);
	} catch (error) {
		result = {exitCode: null, error: error instanceof Error ? error.message : String(error)};
	} finally {
		if (timer) clearTimeout(timer);
		if (hardTimer) clearTimeout(hardTimer);
	}
	masker.flush();
	const endedAt = new Date();
	const mask = createMasker(spec.env);
	const exit: ExitFile = {
		exitCode: result.exitCode,
		signal: result.signal ?? null,
		startedAt: startedAt.toISOString(),
		endedAt: endedAt.toISOString(),
		durationMs: endedAt.getTime() - startedAt.getTime(),
		block: 0,
		// Said by the runner itself, so the step is cancelled even when no cockpit recorded the request.
		...(cancelled && result.exitCode !== 0 ? {cancelled: true} : {}),
		...(result.error ? {error: mask(result.error)} : {}),
		...(log.lost > 0 ? {logLost: log.lost} : {}),
	};
	let reported = false;
	const sendReport = () => {
		if (reported) return;
		reported = true;
		tools.report({exit});
	};
	await pidWritten;
	await tools.writeUntilWritten(spec.files.exit, JSON.stringify(exit), sendReport, () => log.settle());
	sendReport();
	log.close();
	await Promise.race([registry.close(), wait(CLOSE_MS)]);
}
