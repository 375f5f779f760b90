// The end of a run's log, read synchronously: what a reattached or newly
// selected step shows before live output follows.
import {closeSync, existsSync, fstatSync, openSync, readSync} from 'node:fs';

export function fileSize(path: string): number {
	try {
		const fd = openSync(path, 'r');
		try {
			return fstatSync(fd).size;
		} finally {
			closeSync(fd);
		}
	} catch {
		return 0;
	}
}

/** The last `max` bytes of a log, starting at a line start when there is one. */
export function readLogEnd(path: string, max: number, size = fileSize(path)): string {
	if (!existsSync(path) || size === 0) return '';
	const length = Math.min(size, max);
	const buffer = Buffer.alloc(length);
	const fd = openSync(path, 'r');
	try {
		readSync(fd, buffer, 0, length, size - length);
	} finally {
		closeSync(fd);
	}
	let text = buffer.toString('utf8');
	if (length < size) {
		const nl = text.indexOf('\n');
		if (nl >= 0) text = text.slice(nl + 1);
	}
	return text;
}

