// The `!` key: the blocks run attached to the real terminal (the UI has
// suspended itself), so prompts and full-screen programs work. Not detached:
// it needs the terminal; output is not logged. Shell state still carries.
import {execa} from 'execa';
import {constants} from 'node:os';
import {appendFileSync} from 'node:fs';
import type {Readable} from 'node:stream';
import type {ExitFile, RunnerSpec} from './run-files.js';
import {blockEnv, diffDumps, parseDumps, wrapperScript, type ShellChange} from './shell-state.js';
import {persistableChange} from './persistable.js';

export async function runInteractive(spec: RunnerSpec): Promise<{exit: ExitFile; change?: ShellChange}> {
	const startedAt = new Date();
	appendFileSync(spec.files.log, 'deploycockpit: interactive run; its output went to the terminal and is not logged\n', {mode: 0o600});
	// The wrapper's `exec 2>&1` is harmless here: both are the terminal.
	const subprocess = execa('bash', ['--noprofile', '--norc', '-c', wrapperScript(), spec.name || 'bash'], {
		cwd: spec.cwd,
		env: {...spec.env, ...blockEnv(spec.scripts, spec.prelude, spec.errexit, spec.lines)},
		extendEnv: false,
		stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
		reject: false,
		buffer: false,
		...(spec.timeoutMs ? {timeout: spec.timeoutMs} : {}),
	});
	const chunks: Buffer[] = [];
	(subprocess.stdio[3] as Readable | null)?.on('data', (chunk: Buffer) => chunks.push(chunk));
	const result = await subprocess;
	const endedAt = new Date();
	const dumps = parseDumps(Buffer.concat(chunks));
	const start = dumps.find(d => d.tag === 'start');
	const end = dumps.find(d => d.tag === 'end');
	const change = start && end ? diffDumps(start, end, spec.carried) : undefined;
	const signal = (result.signal ?? null) as NodeJS.Signals | null;
	const number = signal ? (constants.signals as Record<string, number>)[signal] : undefined;
	const exitCode = result.exitCode ?? (number !== undefined ? 128 + number : null);
	const exit: ExitFile = {
		exitCode,
		signal,
		startedAt: startedAt.toISOString(),
		endedAt: endedAt.toISOString(),
		durationMs: endedAt.getTime() - startedAt.getTime(),
		block: end?.block ?? -1,
		...(result.timedOut ? {timedOut: true} : {}),
		...(change ? {shell: persistableChange(change, spec.env)} : {}),
		...(result.failed && exitCode === null && !signal ? {error: result.shortMessage} : {}),
	};
	return {exit, ...(change ? {change} : {})};
}
