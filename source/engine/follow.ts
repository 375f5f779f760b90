// Follows a run's log file the same way for a run this process started and
// for one it reattached to: fs.watch for promptness, a poll as the fallback
// (watch events get lost on some filesystems), reading only the new bytes in
// bounded slices and yielding between slices so a flood cannot starve the
// event loop (keys stay responsive).
import {watch, type FSWatcher} from 'node:fs';
import {open, type FileHandle} from 'node:fs/promises';
import {StringDecoder} from 'node:string_decoder';

export interface FollowOptions {
	/** Start reading here (default 0). */
	from?: number;
	pollMs?: number;
	/** Bytes per read. */
	sliceBytes?: number;
}

const yieldToLoop = () => new Promise<void>(resolve => setImmediate(resolve));

export class LogFollower {
	private handle: FileHandle | undefined;
	private watcher: FSWatcher | undefined;
	private timer: NodeJS.Timeout | undefined;
	private position: number;
	private readonly decoder = new StringDecoder('utf8');
	private chain: Promise<void> = Promise.resolve();
	private queued = false;
	private stopped = false;
	private readonly buffer: Buffer;
	private readonly pollMs: number;

	constructor(
		readonly path: string,
		private readonly onText: (text: string) => void,
		options: FollowOptions = {},
	) {
		this.position = options.from ?? 0;
		this.pollMs = options.pollMs ?? 200;
		this.buffer = Buffer.allocUnsafe(options.sliceBytes ?? 256 * 1024);
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
		const handle = this.handle;
		this.handle = undefined;
		await handle?.close().catch(() => undefined);
	}

	private async ensureOpen(): Promise<boolean> {
		if (this.handle) return true;
		try {
			this.handle = await open(this.path, 'r');
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

	private async drain(): Promise<void> {
		if (!(await this.ensureOpen())) return;
		for (;;) {
			const handle = this.handle;
			if (!handle || this.stopped) return;
			const {bytesRead} = await handle.read(this.buffer, 0, this.buffer.length, this.position);
			if (bytesRead === 0) return;
			this.position += bytesRead;
			const text = this.decoder.write(this.buffer.subarray(0, bytesRead));
			if (text) this.onText(text);
			await yieldToLoop();
		}
	}
}
