// The runner specs of a session's runs (engine/run-files.ts RunnerSpec): what
// a detached runner gets for a step's shell segment or for one sql/redis/promql
// block, built from the checklist and the shell the session carries. Pure
// builders: the RunSupervisor (supervisor.ts) launches what they return.
import {basename} from 'node:path';
import type {Block, Checklist} from '../checklist/model.js';
import {positionScript} from '../engine/block-lines.js';
import type {ExecutorName, RunFiles, RunnerSpec} from '../engine/run-files.js';
import {unexportPrelude, type CarriedShell} from '../engine/shell-state.js';
import {secretRules} from '../safety/mask.js';
import type {RunOptions} from './types.js';

/** What a spec is built from: the session's checklist, cancel grace and carried shell. */
export interface SpecSource {
	readonly checklist: Checklist;
	readonly graceMs: number;
	carried(): CarriedShell;
	runEnv(): Record<string, string>;
}

/**
 * A `!` run without a PTY size of its own runs through util-linux `script` on the real terminal, in this
 * process (interactive.ts). With one (the cockpit found node-pty) it is an ordinary detached run on the
 * runner's PTY, which the cockpit attaches the real terminal to: it survives a dropped link.
 */
export function scriptRun(options: RunOptions): boolean {
	return options.interactive === true && !options.terminal;
}

/** A shell segment's blocks (their code filled in) for one bash; `terminal`: the PTY it runs on, if any. */
export function shellSpec(source: SpecSource, blocks: Block[], filled: string[], files: RunFiles, runId: string, options: RunOptions, terminal: {cols: number; rows: number} | undefined): RunnerSpec {
	// Laid out at their checklist lines, so bash's line numbers are the checklist's.
	const placed = filled.map((code, i) => positionScript(blocks[i]!, code));
	const carried = source.carried();
	return {
		runId,
		files,
		scripts: placed.map(p => p.code),
		lines: placed.map(p => p.line),
		...(source.checklist.file ? {name: basename(source.checklist.file)} : {}),
		prelude: unexportPrelude(carried),
		cwd: carried.cwd,
		env: source.runEnv(),
		carried: Object.keys(carried.vars),
		...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
		graceMs: source.graceMs,
		...(terminal ? {terminal} : {}),
		// Failure is failure: set -e and pipefail unless the frontmatter says `errexit: false`.
		...(source.checklist.settings.errexit !== false ? {errexit: true} : {}),
		...(options.interactive && options.terminal ? {interactive: true} : {}),
		secrets: secretRules(),
	};
}

/** A sql/redis/promql block for the runner: its connection settings travel in env, like a shell run's secrets. */
export function executorSpec(source: SpecSource, block: Block, code: string, files: RunFiles, runId: string, options: RunOptions): RunnerSpec {
	return {
		runId,
		files,
		scripts: [],
		prelude: '',
		cwd: source.carried().cwd,
		env: source.runEnv(),
		carried: [],
		...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
		graceMs: source.graceMs,
		secrets: secretRules(),
		executor: {name: block.executor as ExecutorName, block: {...block, code}, settings: source.checklist.settings, confirmed: options.confirmed ?? false},
	};
}
