// The single file's launcher (scripts/launcher-core.cjs) writes the cockpit's V8
// code cache once start-up is over, so that the functions that drew the first
// frame are in it. This tells it; outside the single file, or when the cache
// was already good, nobody listens.
const STARTUP_DONE = Symbol.for('deploycockpit.startup-done');

export function startupDone(): void {
	const hook = (globalThis as Record<symbol, unknown>)[STARTUP_DONE];
	if (typeof hook === 'function') hook();
}
