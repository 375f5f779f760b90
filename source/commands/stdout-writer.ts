// Writes a run's output to stdout without a Buffer per chunk: bytes (a
// followed log's slice) are written as they are, and `writeSync` of a string
// encodes into memory that is freed at once, where `process.stdout.write` on
// a file or pipe makes a Buffer of each chunk that V8 frees only at its next
// GC (a 100 MB flood grew `run` by ~25 MB).
// Falls back to process.stdout for the rest of the run when stdout would
// block (a non-blocking pipe that is full) or has writes queued, so the
// order is kept; a stdout that is gone (EPIPE) is let go: the run goes on.
import {writeSync} from 'node:fs';

export function stdoutWriter(): (text: string | Buffer) => void {
	let queued = false;
	let gone = false;
	// Queued writes fail later, on the stream: a reader that went away must not end `run` either.
	process.stdout.on('error', () => {
		gone = true;
	});
	return text => {
		if (gone || text.length === 0) return;
		if (queued || process.stdout.writableLength > 0) {
			queued = true;
			// A Buffer may be a reused read buffer: what waits in the queue is a copy.
			process.stdout.write(typeof text === 'string' ? text : Buffer.from(text));
			return;
		}
		let written = 0;
		try {
			written = typeof text === 'string' ? writeSync(1, text) : writeSync(1, text);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'EPIPE') {
				gone = true;
				return;
			}
			if (code !== 'EAGAIN') throw error;
		}
		const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
		if (written < bytes) {
			queued = true;
			process.stdout.write(Buffer.from(typeof text === 'string' ? Buffer.from(text).subarray(written) : text.subarray(written)));
		}
	};
}
