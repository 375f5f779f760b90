// Cancelling a detached run, whichever kind its pid file names. A shell run
// is its bash's process group: SIGINT, SIGTERM, SIGKILL until the group is
// gone. A sql/redis/promql run is the runner alone and holds a connection: one
// SIGINT makes it cancel on the server and record the end itself; killing it
// would leave the statement running and no exit file (runner-executors.ts).
import {isSameProcessAlive, stopGroup} from './proc.js';
import type {PidFile} from './run-files.js';

export async function stopRun(pid: PidFile, graceMs: number): Promise<void> {
	if (!pid.executor) {
		await stopGroup(pid.pgid, graceMs);
		return;
	}
	if (!isSameProcessAlive(pid.runner)) return;
	try {
		process.kill(pid.runner.pid, 'SIGINT');
	} catch {
		// ended meanwhile
	}
}
