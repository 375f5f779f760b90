// Puts Ink's frames on the terminal, rewriting only the lines that changed,
// each addressed absolutely (ESC[row;1H). Ink renders into this object in
// debug mode (it hands over every whole frame and writes nothing itself).
//
// Why not Ink's own incrementalRendering: in Ink 6.8 its incremental
// log-update parks the cursor below a frame that ends in a newline (every
// frame shorter than the terminal) but moves up only `lines - 1` for the next
// one, so each update lands one row lower (reproduced in tmux with a
// three-line counter). Absolute addressing cannot drift, makes a full redraw
// (after `!`, `o` or a resize) a matter of forgetting the previous frame,
// and keeps the idle cost at the one line that changed.
import {EventEmitter} from 'node:events';

export interface TerminalOut {
	write(data: string): unknown;
	columns?: number;
	rows?: number;
	on?(event: 'resize', listener: () => void): unknown;
	off?(event: 'resize', listener: () => void): unknown;
}

const BEGIN_SYNC = '\x1b[?2026h';
const END_SYNC = '\x1b[?2026l';
const MIN_INTERVAL_MS = 16;

export class FrameWriter extends EventEmitter {
	/** Give this to Ink as `stdout` (with debug: true). */
	readonly inkStdout: NodeJS.WriteStream;
	bytesWritten = 0;
	framesWritten = 0;
	private previous: string[] = [];
	private latest: string | null = null;
	private paused = false;
	private timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
	private lastFlush = 0;
	private clearFirst = false;
	private urgent = false;
	private readonly onResize = () => {
		this.invalidate();
		this.emit('resize');
	};

	constructor(
		private readonly out: TerminalOut,
		private readonly minIntervalMs = MIN_INTERVAL_MS,
	) {
		super();
		const ink = new EventEmitter() as EventEmitter & Record<string, unknown>;
		Object.defineProperties(ink, {
			columns: {get: () => out.columns ?? 80},
			rows: {get: () => out.rows ?? 24},
			isTTY: {value: true},
		});
		ink.write = (frame: string) => {
			this.frame(frame);
			return true;
		};
		this.inkStdout = ink as unknown as NodeJS.WriteStream;
		this.on('resize', () => ink.emit('resize'));
		out.on?.('resize', this.onResize);
	}

	/** A whole frame from Ink. */
	frame(text: string): void {
		this.latest = text;
		this.schedule();
	}

	/** The next frame answers a key press: write it as soon as it exists, whatever the rate limit. */
	expedite(): void {
		this.urgent = true;
		if (this.timer && this.latest !== null) {
			this.cancel();
			this.schedule();
		}
	}

	/** Forget what is on screen: the next flush clears and repaints everything. */
	invalidate(): void {
		this.previous = [];
		this.clearFirst = true;
		this.schedule();
	}

	pause(): void {
		this.paused = true;
		this.cancel();
	}

	resume(): void {
		this.paused = false;
		this.invalidate();
	}

	dispose(): void {
		this.cancel();
		this.out.off?.('resize', this.onResize);
	}

	/** Writes the pending frame now (tests, shutdown). */
	flush(): void {
		this.cancel();
		if (this.paused || this.latest === null) return;
		const next = this.latest.split('\n');
		const rows = this.out.rows ?? next.length + 1;
		// Never the last row: a write there can scroll the whole screen.
		if (next.length > rows - 1) next.length = Math.max(0, rows - 1);
		let buffer = this.clearFirst ? '\x1b[H\x1b[2J' : '';
		this.clearFirst = false;
		let changed = 0;
		const count = Math.max(next.length, this.previous.length);
		for (let i = 0; i < count; i++) {
			const line = next[i] ?? '';
			if (line === this.previous[i]) continue;
			changed++;
			buffer += `\x1b[${i + 1};1H${line}\x1b[0m\x1b[K`;
		}
		this.previous = next;
		this.lastFlush = Date.now();
		if (buffer.length === 0) return;
		if (changed > 1) buffer = BEGIN_SYNC + buffer + END_SYNC;
		this.bytesWritten += Buffer.byteLength(buffer);
		this.framesWritten++;
		this.out.write(buffer);
	}

	private schedule(): void {
		if (this.paused || this.timer) return;
		const wait = this.urgent ? 0 : this.minIntervalMs - (Date.now() - this.lastFlush);
		this.urgent = false;
		this.timer = wait > 0 ? setTimeout(() => this.run(), wait) : setImmediate(() => this.run());
	}

	private run(): void {
		this.timer = undefined;
		this.flush();
	}

	private cancel(): void {
		if (!this.timer) return;
		clearTimeout(this.timer as ReturnType<typeof setTimeout>);
		clearImmediate(this.timer as ReturnType<typeof setImmediate>);
		this.timer = undefined;
	}
}
