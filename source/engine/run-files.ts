// Files of one run inside the session's runs/ directory. The log holds the
// masked output; .pid.json is written by the detached runner when the
// command starts, .exit.json when the command ends (both atomically).
import {join} from 'node:path';
import type {Block} from '../checklist/model.js';
import type {ShellChange} from './shell-state.js';
import type {ProcessIdentity} from './proc.js';

export interface RunFiles {
	log: string;
	pid: string;
	exit: string;
}

/** A step mixing shell with other blocks may start several runners: segment 1, 2... get their own pid/exit files. */
export function runFiles(runsDir: string, runId: string, segment = 0): RunFiles {
	const base = segment > 0 ? `${runId}-s${segment}` : runId;
	return {log: join(runsDir, `${runId}.log`), pid: join(runsDir, `${base}.pid.json`), exit: join(runsDir, `${base}.exit.json`)};
}

export interface PidFile {
	/** The detached runner (node) that writes the log and the exit file. */
	runner: ProcessIdentity;
	/** The bash process; its pid is the run's process group id. */
	shell: ProcessIdentity;
	pgid: number;
	startedAt: string;
	/** The run's control socket (typed input, resize): a PTY run only. */
	sock?: string;
	/** The PTY's size when the run started. */
	terminal?: {cols: number; rows: number};
	/** A sql/redis/promql run: no bash, `shell` is the runner itself; a cancel is one SIGINT to it (runner-executors.ts). */
	executor?: ExecutorName;
}

export interface ExitFile {
	exitCode: number | null;
	signal: string | null;
	startedAt: string;
	endedAt: string;
	durationMs: number;
	/** Index of the block that ended the run (the failing one, or the last). */
	block: number;
	timedOut?: boolean;
	/** Checklist line of the command that stopped the run (errexit), when bash reported one. */
	failedLine?: number;
	/** That command (bash's $BASH_COMMAND, masked; first line, at most 200 characters). */
	failedCommand?: string;
	/** An interactive (`!`) run ended by Ctrl-C (SIGINT), or a sql/redis/promql run stopped by a cancel: the step is cancelled, not failed. */
	cancelled?: boolean;
	/** Bytes of output the runner could not write to the log (a full disk). */
	logLost?: number;
	/** What the run changed in the carried shell state; values that would need masking are withheld. */
	shell?: ShellChange & {withheld: string[]};
	error?: string;
}

/**
 * What the runner reads on stdin. Carries the environment, so it never
 * touches the disk: launch.ts hands it over in an unnamed file in memory
 * (/dev/shm), filled before the runner is spawned.
 */
export interface RunnerSpec {
	runId: string;
	files: RunFiles;
	scripts: string[];
	prelude: string;
	cwd: string;
	env: Record<string, string>;
	/** Names carried before this run (so that unchanged ones still count as carried). */
	carried: string[];
	timeoutMs?: number;
	graceMs: number;
	/** `set -eE -o pipefail`: a block stops at its first failing command (the default; frontmatter `errexit: false` turns it off). */
	errexit?: boolean;
	/** Checklist line of each script's first line (bash's line numbers then name checklist lines). */
	lines?: number[];
	/** bash's $0: the checklist's file name, so its errors read "deploy.md: line 33: ...". */
	name?: string;
	/** Run bash on a PTY of this size (the pane's); without it, on pipes with stdin /dev/null. */
	terminal?: {cols: number; rows: number};
	/** A `!` run on the runner's PTY: a Ctrl-C ending (SIGINT, status 130) is recorded as cancelled. */
	interactive?: boolean;
	/** Secret names and patterns added by the frontmatter and the user config (`secrets:`), for the runner's masker. */
	secrets?: {names: string[]; patterns: string[]};
	/** Run this one sql/redis/promql block instead of bash (runner-executors.ts); `scripts` is then empty. */
	executor?: ExecutorRun;
}

export type ExecutorName = 'sql' | 'redis' | 'promql';

/** A non-shell block handed to the runner. Its connection settings come from `env` (the spec never touches the disk). */
export interface ExecutorRun {
	name: ExecutorName;
	/** The block with its placeholders filled. */
	block: Block;
	/** The checklist's frontmatter settings (db, redis, timeouts, prometheus). */
	settings: Record<string, unknown>;
	/** The operator confirmed the block's writes before launch (cockpit `y`, headless --yes). */
	confirmed: boolean;
}

/** The message the runner sends back on its descriptor 3 while the cockpit still listens. */
export interface RunnerReport {
	exit: ExitFile;
	/** The full change, secrets included (kept in memory only). */
	change?: ShellChange;
}
