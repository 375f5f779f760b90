// One writer per session. The lock names its holder by pid, kernel start
// time and boot id, so a lock left by a crashed or killed cockpit (or one
// from before a reboot) is recognised as stale and taken over.
import {randomBytes} from 'node:crypto';
import {openSync, readFileSync, unlinkSync, writeSync, closeSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {writeFileAtomicSync} from '../engine/atomic-write.js';
import {identify, isSameProcessAlive, type ProcessIdentity} from '../engine/proc.js';

export interface LockInfo extends ProcessIdentity {
	host: string;
	by: string;
	since: string;
	token: string;
}

export function lockPath(dir: string): string {
	return join(dir, 'lock');
}

export function readLock(dir: string): LockInfo | undefined {
	try {
		return JSON.parse(readFileSync(lockPath(dir), 'utf8')) as LockInfo;
	} catch {
		return undefined;
	}
}

/** Is the lock held by a live process (other hosts are assumed alive)? */
export function lockIsLive(lock: LockInfo | undefined): boolean {
	if (!lock || typeof lock.pid !== 'number') return false;
	if (lock.host && lock.host !== hostname()) return true;
	return isSameProcessAlive(lock);
}

export class WriterLock {
	private constructor(
		readonly dir: string,
		readonly info: LockInfo,
	) {}

	/** Takes the lock if free or stale; undefined when a live process holds it (unless takeOver). */
	static acquire(dir: string, by: string, takeOver = false): WriterLock | undefined {
		const info: LockInfo = {...identify(process.pid), host: hostname(), by, since: new Date().toISOString(), token: randomBytes(8).toString('hex')};
		const path = lockPath(dir);
		if (takeOver) {
			writeFileAtomicSync(path, JSON.stringify(info));
			return new WriterLock(dir, info);
		}
		for (let attempt = 0; attempt < 3; attempt++) {
			try {
				const fd = openSync(path, 'wx', 0o600);
				try {
					writeSync(fd, JSON.stringify(info));
				} catch (error) {
					// A full disk: an empty lock must not stay behind, unreadable to everyone else.
					closeSync(fd);
					unlinkSync(path);
					throw error;
				}
				closeSync(fd);
				return new WriterLock(dir, info);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			}
			const holder = readLock(dir);
			if (lockIsLive(holder)) return undefined;
			// Stale (or unreadable while being written): remove and retry.
			if (holder || attempt > 0) {
				try {
					unlinkSync(path);
				} catch {
					// someone else removed it
				}
			}
		}
		return undefined;
	}

	/** Still ours? (a takeover by another cockpit replaces the file) */
	held(): boolean {
		return readLock(this.dir)?.token === this.info.token;
	}

	release(): void {
		if (!this.held()) return;
		try {
			unlinkSync(lockPath(this.dir));
		} catch {
			// already gone
		}
	}
}
