// Which file and arguments start the detached runner. The per-file build
// (tsc's dist/, tests) runs dist/engine/runner.js; the single-file bundle
// starts itself with RUNNER_FLAG (`node deploycockpit.mjs --runner`), so one
// copied file holds the runner too and a run still loads nothing of the UI.
export const RUNNER_FLAG = '--runner';

let bundleFile: string | undefined;

/** Called by the bundle's entry (source/main.ts) with its own path. */
export function runRunnerFromBundle(file: string): void {
	bundleFile = file;
}

/**
 * Set by the launcher (scripts/launcher-core.cjs) when this program was started
 * through its CommonJS file: `node launcher-core.cjs FILE --runner` starts the
 * same runner without loading FILE as an ES module (~10 ms less).
 */
const LAUNCHER_RUNNER_ARGV = Symbol.for('deploycockpit.runner-argv');

/** The argv after the node executable; `runnerPath` finds the per-file runner. */
export function runnerArgv(runnerPath: () => string): string[] {
	if (!bundleFile) return [runnerPath()];
	const viaLauncher = (globalThis as Record<symbol, unknown>)[LAUNCHER_RUNNER_ARGV];
	if (Array.isArray(viaLauncher) && viaLauncher[1] === bundleFile) return viaLauncher as string[];
	return [bundleFile, RUNNER_FLAG];
}

/** The detached rollback procedure (procedure.ts): `node deploycockpit.mjs --procedure` in the bundle. */
export const PROCEDURE_FLAG = '--procedure';

export function procedureArgv(procedurePath: () => string): string[] {
	return bundleFile ? [bundleFile, PROCEDURE_FLAG] : [procedurePath()];
}

/**
 * Set in the environment of a runner started ahead of its run (launch.ts,
 * prestartRunner): its stdin is empty until the caller says go on the report
 * channel, or the channel ends.
 */
export const RUNNER_WAIT_ENV = 'DEPLOYCOCKPIT_RUNNER_WAIT';
