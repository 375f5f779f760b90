// A reader (or a crash) must never see half a file: write a temp file next
// to the target, fsync it, rename over the target, fsync the directory. A
// write that fails (a full disk) removes its temp file: no .tmp-* is left.
import {open, rename, unlink} from 'node:fs/promises';
import {closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import {dirname} from 'node:path';

let counter = 0;
const tempName = (path: string) => `${path}.tmp-${process.pid}-${++counter}`;

export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
	const temp = tempName(path);
	const handle = await open(temp, 'w', mode);
	try {
		try {
			await handle.writeFile(data);
			await handle.sync();
		} finally {
			await handle.close();
		}
		await rename(temp, path);
	} catch (error) {
		await unlink(temp).catch(() => undefined);
		throw error;
	}
	await syncDir(dirname(path));
}

export function writeFileAtomicSync(path: string, data: string, mode = 0o600): void {
	const temp = tempName(path);
	const fd = openSync(temp, 'w', mode);
	try {
		try {
			const buffer = Buffer.from(data, 'utf8');
			for (let at = 0; at < buffer.length; ) at += writeSync(fd, buffer, at);
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		renameSync(temp, path);
	} catch (error) {
		try {
			unlinkSync(temp);
		} catch {
			// already gone
		}
		throw error;
	}
	try {
		const dirFd = openSync(dirname(path), 'r');
		try {
			fsyncSync(dirFd);
		} finally {
			closeSync(dirFd);
		}
	} catch {
		// some filesystems refuse fsync on directories
	}
}

async function syncDir(dir: string): Promise<void> {
	try {
		const handle = await open(dir, 'r');
		try {
			await handle.sync();
		} finally {
			await handle.close();
		}
	} catch {
		// some filesystems refuse fsync on directories
	}
}
