// The end of a run's log, read synchronously: what a reattached or newly
// selected step shows before live output follows.
import {closeSync, existsSync, fstatSync, openSync, readSync} from 'node:fs';

/**
 * Sequences after which nothing printed earlier is on the screen: clear screen (`tput clear`, `clear`),
 * full reset, the alternate screen (full-screen programs). Replaying a log from the last one gives the
 * screen as a terminal shows it.
 */
const RESETS = ['\x1b[2J', '\x1bc', '\x1b[?1049h', '\x1b[?1047h', '\x1b[?47h', '\x1b[H\x1b[J'].map(s => Buffer.from(s, 'latin1'));
const RESETS_TEXT = RESETS.map(b => b.toString('latin1'));

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

/** The last `max` bytes of a log, starting at a line start when there is one (else at a whole character). */
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
	// Cut inside a character: start at the next whole one (no U+FFFD at the front).
	let start = 0;
	if (length < size) while (start < Math.min(3, length) && (buffer[start]! & 0xc0) === 0x80) start++;
	let text = buffer.toString('utf8', start);
	if (length < size) {
		const nl = text.indexOf('\n');
		if (nl >= 0) text = text.slice(nl + 1);
	}
	return text;
}


/** The last screen reset in `text`, or -1. */
export function lastScreenReset(text: string): number {
	return Math.max(...RESETS_TEXT.map(r => text.lastIndexOf(r)));
}

/**
 * The log's bytes from its last screen reset before `before` (within `maxBytes` of it) up to `before`,
 * or undefined when there is none that close. A screen replayed from a kept tail that starts after the
 * program drew its screen (a dashboard that then repaints one field for megabytes) lacks what was drawn
 * first; this is what to replay before that tail.
 */
export function screenStartBefore(path: string, before: number, maxBytes = 8 * 1024 * 1024): string | undefined {
	if (before <= 0 || !existsSync(path)) return undefined;
	const from = Math.max(0, before - maxBytes);
	const chunk = 1024 * 1024;
	const overlap = 8;
	let fd: number;
	try {
		fd = openSync(path, 'r');
	} catch {
		return undefined;
	}
	try {
		// Backwards, a chunk at a time (with a little overlap so a sequence split between chunks is found).
		for (let end = before; end > from; end -= chunk) {
			const start = Math.max(from, end - chunk);
			const length = Math.min(before, end + overlap) - start;
			const buffer = Buffer.alloc(length);
			readSync(fd, buffer, 0, length, start);
			const at = Math.max(...RESETS.map(r => buffer.lastIndexOf(r)));
			if (at >= 0) {
				const out = Buffer.alloc(before - (start + at));
				readSync(fd, out, 0, out.length, start + at);
				return out.toString('utf8');
			}
		}
		return undefined;
	} finally {
		closeSync(fd);
	}
}
