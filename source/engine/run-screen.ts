// A run's screen in the cockpit: a headless xterm fed with the run's (masked)
// output, so colours, `\r` progress bars and cursor addressing end up where a
// terminal would put them. Built for the runs on view only: a reattached or
// newly selected run is replayed from its kept output tail first.
import xterm from '@xterm/headless';
import {screenLines, type BufferLike, type ScreenLines} from './screen-runs.js';

const {Terminal} = xterm;

export const SCREEN_SCROLLBACK = 2000;

export class RunScreen {
	private readonly term: InstanceType<typeof Terminal>;
	private cache: ScreenLines | undefined;
	private writes = 0;
	private settled = 0;

	constructor(
		readonly runId: string,
		cols: number,
		rows: number,
	) {
		// convertEol: output logged through pipes (the fallback) has bare \n; on a PTY the line discipline already sent \r\n.
		this.term = new Terminal({cols: Math.max(2, cols), rows: Math.max(1, rows), scrollback: SCREEN_SCROLLBACK, convertEol: true, allowProposedApi: true});
	}

	get cols(): number {
		return this.term.cols;
	}

	get rows(): number {
		return this.term.rows;
	}

	/** Feeds output; `done` runs once xterm has parsed it. */
	write(text: string, done?: () => void): void {
		if (!text) return;
		this.writes++;
		this.term.write(text, () => {
			this.settled++;
			this.cache = undefined;
			done?.();
		});
	}

	/** True while written output is still being parsed. */
	get busy(): boolean {
		return this.settled < this.writes;
	}

	/** The program asked for bracketed paste (ESC[?2004h). */
	get bracketedPaste(): boolean {
		return this.term.modes.bracketedPasteMode;
	}

	resize(cols: number, rows: number): void {
		if (cols === this.term.cols && rows === this.term.rows) return;
		this.term.resize(Math.max(2, cols), Math.max(1, rows));
		this.cache = undefined;
	}

	lines(): ScreenLines {
		this.cache ??= screenLines(this.term.buffer.active as unknown as BufferLike);
		return this.cache;
	}

	dispose(): void {
		this.term.dispose();
	}
}
