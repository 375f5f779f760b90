// The runner's log file, written so that a write error (a full disk above
// all) never stops the runner: what cannot be written is counted and
// dropped, a later write tries again at most once a second, and the first
// one that succeeds says how much output was lost. Writes are synchronous:
// the runner does nothing else while output arrives, and a chunk is in the
// file before the exit file says the run ended.
import {closeSync, openSync, writeSync} from 'node:fs';

const RETRY_MS = 1000;

export class LogSink {
	private fd: number | undefined;
	/** Bytes of output that could not be written. */
	lost = 0;
	private failedAt = 0;
	private reason = '';

	constructor(
		private readonly path: string,
		private readonly now: () => number = Date.now,
	) {
		this.open();
	}

	get failing(): boolean {
		return this.failedAt > 0;
	}

	/** Text is written as UTF-8; bytes as they are (output that needed no masking). */
	write(text: string | Buffer): void {
		if (text.length === 0) return;
		const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
		if (this.failedAt > 0 && this.now() - this.failedAt < RETRY_MS) {
			this.lost += data.length;
			return;
		}
		if (this.failedAt > 0) {
			if (!this.writeAll(this.note(), 0)) {
				this.lost += data.length;
				return;
			}
			this.failedAt = 0;
		}
		this.writeAll(data, data.length);
	}

	/** Writes the "N bytes were not logged" note now if output was lost (the run is ending); false while that still fails. */
	settle(): boolean {
		if (this.failedAt === 0) return true;
		if (!this.writeAll(this.note(), 0)) return false;
		this.failedAt = 0;
		return true;
	}

	close(): void {
		if (this.fd === undefined) return;
		try {
			closeSync(this.fd);
		} catch {
			// nothing left to do with it
		}
		this.fd = undefined;
	}

	private note(): Buffer {
		return Buffer.from(`\ndeploycockpit: ${this.reason}: ${this.lost} bytes of output were not logged\n`, 'utf8');
	}

	private open(): boolean {
		if (this.fd !== undefined) return true;
		try {
			this.fd = openSync(this.path, 'a', 0o600);
			return true;
		} catch (error) {
			this.fail(error);
			return false;
		}
	}

	/** Writes all of `data`; on an error counts `countAsLost` bytes (minus what got written) and returns false. */
	private writeAll(data: Buffer, countAsLost: number): boolean {
		if (!this.open()) {
			this.lost += countAsLost;
			return false;
		}
		let offset = 0;
		try {
			while (offset < data.length) offset += writeSync(this.fd!, data, offset);
			return true;
		} catch (error) {
			this.lost += Math.max(0, countAsLost - offset);
			this.fail(error);
			return false;
		}
	}

	private fail(error: unknown): void {
		const code = (error as NodeJS.ErrnoException).code;
		this.reason = code === 'ENOSPC' || code === 'EDQUOT' ? 'disk full' : `log write failed (${code ?? String(error)})`;
		this.failedAt = this.now() || 1;
	}
}
