// The writer notices at once when another process takes its session over:
// a watch on the session dir (the lock file is replaced by rename) plus a
// periodic check, for file systems where watches do not fire (NFS, some
// containers). `held()` decides; `onLost()` is called once.
import {watch, type FSWatcher} from 'node:fs';

export function watchLease(dir: string, held: () => boolean, onLost: () => void, pollMs = 1000): () => void {
	let watcher: FSWatcher | undefined;
	let stopped = false;
	const stop = () => {
		stopped = true;
		watcher?.close();
		clearInterval(timer);
	};
	const check = () => {
		if (stopped || held()) return;
		stop();
		onLost();
	};
	try {
		watcher = watch(dir, {persistent: false}, (_event, name) => {
			if (name === null || name === 'lock' || String(name).startsWith('lock')) check();
		});
		watcher.on('error', () => undefined);
	} catch {
		// the periodic check covers it
	}
	const timer = setInterval(check, pollMs);
	timer.unref();
	return stop;
}
