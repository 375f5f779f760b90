// The real terminal: alternate screen and raw mode set up by hand, restored
// on every exit path; frames go through the FrameWriter, which is paused
// while a child owns the terminal (the `!` and `o` keys).
import {EventEmitter} from 'node:events';
import {FrameWriter} from './frame-writer.js';
import {ENABLE_PASTE, DISABLE_PASTE} from './input/parse-keys.js';

export const ENTER_ALT = '\x1b[?1049h';
export const LEAVE_ALT = '\x1b[?1049l';
export const HIDE_CURSOR = '\x1b[?25l';
export const SHOW_CURSOR = '\x1b[?25h';
export const CLEAR = '\x1b[2J\x1b[H';
const RESET_ATTRS = '\x1b[0m';

export class Screen {
	/** What the cockpit's key layer listens to: stdin data, only while the cockpit owns the terminal. */
	readonly keys = new EventEmitter();
	/** Ink renders into writer.inkStdout; the writer puts changed lines on the terminal. */
	readonly writer: FrameWriter;
	private suspended = false;
	private active = false;
	private readonly onData = (chunk: string | Buffer) => {
		if (!this.suspended) this.keys.emit('data', chunk);
	};

	constructor(
		private readonly stdout: NodeJS.WriteStream = process.stdout,
		private readonly stdin: NodeJS.ReadStream = process.stdin,
	) {
		this.writer = new FrameWriter(stdout);
	}

	/** Bytes the cockpit has written to the terminal (frames and mode switches). */
	get bytesWritten(): number {
		return this.writer.bytesWritten;
	}

	/** Raw mode, alternate screen, hidden cursor, bracketed paste. */
	enter(): void {
		this.active = true;
		if (this.stdin.isTTY) this.stdin.setRawMode(true);
		this.stdin.setEncoding('utf8');
		this.stdin.on('data', this.onData);
		this.stdin.resume();
		this.write(ENTER_ALT + HIDE_CURSOR + ENABLE_PASTE + CLEAR);
	}

	/** Back to the normal screen; safe to call more than once and from exit handlers (sync writes). */
	leave(): void {
		if (!this.active) return;
		this.active = false;
		this.writer.pause();
		this.writer.dispose();
		this.write(RESET_ATTRS + DISABLE_PASTE + SHOW_CURSOR + LEAVE_ALT);
		this.stdin.off('data', this.onData);
		try {
			if (this.stdin.isTTY) this.stdin.setRawMode(false);
		} catch {
			// The terminal may be gone (SIGHUP); nothing left to restore.
		}
		this.stdin.pause();
	}

	get isSuspended(): boolean {
		return this.suspended;
	}

	/**
	 * Hands the terminal to `work` (a child with stdio inherited): leaves the
	 * alternate screen and raw mode, clears the screen and stops reading
	 * stdin; afterwards waits for Enter, clears the normal screen again (so a
	 * later quit leaves a clean shell, no "press Enter" line), comes back and
	 * repaints everything. SIGINT is the command's while suspended: see
	 * isSuspended in commands/open.ts.
	 */
	async suspend<T>(work: () => Promise<T>, prompt: boolean | ((result: T) => boolean) = true): Promise<T> {
		this.suspended = true;
		this.writer.pause();
		this.write(RESET_ATTRS + DISABLE_PASTE + SHOW_CURSOR + LEAVE_ALT + CLEAR);
		if (this.stdin.isTTY) this.stdin.setRawMode(false);
		this.stdin.off('data', this.onData);
		this.stdin.pause();
		let ask = prompt !== false;
		try {
			const result = await work();
			if (typeof prompt === 'function') ask = prompt(result);
			return result;
		} finally {
			if (ask) await this.waitForEnter();
			this.write(RESET_ATTRS + CLEAR);
			if (this.stdin.isTTY) this.stdin.setRawMode(true);
			this.write(ENTER_ALT + HIDE_CURSOR + ENABLE_PASTE + CLEAR);
			this.stdin.on('data', this.onData);
			this.stdin.resume();
			this.suspended = false;
			this.writer.resume();
		}
	}

	private waitForEnter(): Promise<void> {
		this.write('\n\x1b[7m press Enter to return to the cockpit \x1b[0m ');
		return new Promise(resolve => {
			if (this.stdin.isTTY) this.stdin.setRawMode(true);
			const onData = (chunk: string | Buffer) => {
				const text = chunk.toString();
				if (text.includes('\r') || text.includes('\n')) {
					this.stdin.off('data', onData);
					this.stdin.pause();
					resolve();
				}
			};
			this.stdin.on('data', onData);
			this.stdin.resume();
		});
	}

	/** Writes straight to the terminal. */
	write(text: string): void {
		try {
			this.stdout.write(text);
		} catch {
			// EIO after a hang-up: the terminal is gone.
		}
	}
}
