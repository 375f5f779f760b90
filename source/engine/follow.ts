// Follows a run's log file the same way for a run this process started and
// for one it reattached to: fs.watch for promptness, a poll as the fallback
// (watch events get lost on some filesystems), reading only the new bytes in
// bounded slices and yielding between slices so a flood cannot starve the
// event loop (keys stay responsive). Slices are read synchronously into one
// buffer (a read of the page cache takes microseconds; a promise read per
// slice cost more than the copy) and are 64 KiB, so each slice's text is an
// ordinary young object, not one of V8's large objects that only a full GC frees.
import {closeSync, openSync, readSync, watch, type FSWatcher} from 'node:fs';
import {StringDecoder} from 'node:string_decoder';

export interface FollowOptions {
	/** Start reading here (default 0). */
	from?: number;
	pollMs?: number;
	/** Bytes per read. */
	sliceBytes?: number;
	/**
	 * Called with each slice as bytes instead of `onText`: no text is made
	 * unless `text()` is called. Slices end at a whole UTF-8 character. Both
	 * are valid only during the call (the read buffer is reused): `text()`
	 * called later throws rather than decode what the next read wrote there.
	 */
	onBytes?: (bytes: Buffer, text: () => string) => void;
}

/** Length of `bytes` without a UTF-8 character cut off at its end. */
export function wholeCharacters(bytes: Buffer): number {
	const end = bytes.length;
	// A character is at most 4 bytes: look at the last three for the start of one that is not complete.
	for (let back = 1; back <= Math.min(3, end); back++) {
		const byte = bytes[end - back]!;
		if (byte < 0x80) return end;
		if (byte >= 0xc0) {
			const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
			return size > back ? end - back : end;
		}
	}
	return end;
}

const yieldToLoop = () => new Promise<void>(resolve => setImmediate(resolve));

export class LogFollower {
	private fd: number | undefined;
	private watcher: FSWatcher | undefined;
	private timer: NodeJS.Timeout | undefined;
	private position: number;
	private readonly decoder = new StringDecoder('utf8');
	private chain: Promise<void> = Promise.resolve();
	private queued = false;
	private stopped = false;
	/** finish(): the file is complete, a cut character at its end is read as it is. */
	private stopping = false;
	private readonly buffer: Buffer;
	private readonly pollMs: number;
	private readonly onBytes: FollowOptions['onBytes'];
	/** Counts reads into the buffer: a slice's text() is valid for its read only. */
	private reads = 0;

	constructor(
		readonly path: string,
		private readonly onText: (text: string) => void,
		options: FollowOptions = {},
	) {
		this.position = options.from ?? 0;
		this.pollMs = options.pollMs ?? 200;
		this.buffer = Buffer.allocUnsafe(options.sliceBytes ?? 64 * 1024);
		this.onBytes = options.onBytes;
	}

	get offset(): number {
		return this.position;
	}

	start(): this {
		this.timer = setInterval(() => this.kick(), this.pollMs);
		this.kick();
		return this;
	}

	/** Reads whatever is new now; reads are serialized, at most one more is queued. */
	kick(): Promise<void> {
		if (this.stopped || this.queued) return this.chain;
		this.queued = true;
		this.chain = this.chain
			.then(async () => {
				this.queued = false;
				await this.drain();
			})
			.catch(() => undefined);
		return this.chain;
	}

	/** Reads to the current end of the file, then stops following. */
	async finish(): Promise<void> {
		if (!this.stopped) {
			this.queued = false;
			this.stopping = true;
			await this.kick();
		}
		const rest = this.decoder.end();
		if (rest) this.onText(rest);
		await this.stop();
	}

	async stop(): Promise<void> {
		this.stopped = true;
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		this.watcher?.close();
		this.watcher = undefined;
		await this.chain;
		const fd = this.fd;
		this.fd = undefined;
		if (fd !== undefined) closeSync(fd);
	}

	private ensureOpen(): boolean {
		if (this.fd !== undefined) return true;
		try {
			this.fd = openSync(this.path, 'r');
		} catch {
			return false;
		}
		if (!this.stopped) {
			try {
				this.watcher = watch(this.path, {persistent: false}, () => void this.kick());
				this.watcher.on('error', () => undefined);
			} catch {
				// the poll covers it
			}
		}
		return true;
	}

	private emitBytes(bytes: Buffer): void {
		const read = ++this.reads;
		let text: string | undefined;
		this.onBytes!(bytes, () => {
			if (text === undefined) {
				if (read !== this.reads) throw new Error('a followed slice was read after the next one replaced it');
				text = bytes.toString('utf8');
			}
			return text;
		});
	}

	private async drain(): Promise<void> {
		if (!this.ensureOpen()) return;
		for (;;) {
			const fd = this.fd;
			if (fd === undefined || this.stopped) return;
			const bytesRead = readSync(fd, this.buffer, 0, this.buffer.length, this.position);
			if (bytesRead === 0) return;
			if (this.onBytes) {
				// The end of a character not yet written is read again with the rest of it (at the end of the file: as it is).
				const whole = this.stopping ? bytesRead : wholeCharacters(this.buffer.subarray(0, bytesRead));
				if (whole === 0) return;
				this.position += whole;
				this.emitBytes(this.buffer.subarray(0, whole));
			} else {
				this.position += bytesRead;
				const text = this.decoder.write(this.buffer.subarray(0, bytesRead));
				if (text) this.onText(text);
			}
			await yieldToLoop();
		}
	}
}
