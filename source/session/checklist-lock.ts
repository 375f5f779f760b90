// "Find or create the session, then take its writer lock" must be atomic per
// checklist: two first opens at the same moment would otherwise both find no
// session, create one each and run the same step twice. An exclusive lock
// file per checklist path (<state dir>/locks/<sha256 of the path>.lock),
// held only for those few milliseconds, serialises them. A lock left by a
// process that died (pid + start time + boot id) is taken over.
import {createHash} from 'node:crypto';
import {closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import {identify, isSameProcessAlive, type ProcessIdentity} from '../engine/proc.js';

export function checklistLockPath(stateDir: string, file: string): string {
	return join(stateDir, 'locks', `${createHash('sha256').update(file).digest('hex')}.lock`);
}

function holder(path: string): ProcessIdentity | undefined {
	try {
		return JSON.parse(readFileSync(path, 'utf8')) as ProcessIdentity;
	} catch {
		return undefined;
	}
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Runs `work` holding the checklist's lock. Waits for a live holder (opening
 * takes milliseconds) up to `waitMs`, then says who holds it.
 */
export async function withChecklistLock<T>(stateDir: string, file: string, work: () => Promise<T>, waitMs = 15_000): Promise<T> {
	const path = checklistLockPath(stateDir, file);
	mkdirSync(join(stateDir, 'locks'), {recursive: true, mode: 0o700});
	const me = JSON.stringify(identify(process.pid));
	const deadline = Date.now() + waitMs;
	let unreadableSince: number | undefined;
	for (;;) {
		try {
			const fd = openSync(path, 'wx', 0o600);
			try {
				writeSync(fd, me);
			} catch (error) {
				closeSync(fd);
				unlinkSync(path);
				throw error;
			}
			closeSync(fd);
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		const other = holder(path);
		// Unreadable: being written right now, or left torn by a crash (then stale after a moment).
		if (other === undefined) unreadableSince ??= Date.now();
		else unreadableSince = undefined;
		const stale = other ? !isSameProcessAlive(other) : Date.now() - unreadableSince! > 1000;
		if (stale) {
			try {
				// Only the holder judged stale: another opener may have replaced it meanwhile.
				if (other === undefined || JSON.stringify(holder(path)) === JSON.stringify(other)) unlinkSync(path);
			} catch {
				// another opener removed it first
			}
			continue;
		}
		if (Date.now() > deadline) throw new Error(`another deploycockpit (pid ${other?.pid ?? '?'}) is opening ${file}; try again`);
		await sleep(5 + Math.random() * 20);
	}
	try {
		return await work();
	} finally {
		try {
			if (readFileSync(path, 'utf8') === me) unlinkSync(path);
		} catch {
			// gone already
		}
	}
}
