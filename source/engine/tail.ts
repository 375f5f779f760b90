// The in-memory output of a run: the last lines only (the full output is in
// the log file), so a step printing 100 MB costs a bounded amount of memory.

export interface TailLimits {
	maxChars: number;
	maxLines: number;
}

export const defaultTailLimits: TailLimits = {maxChars: 1024 * 1024, maxLines: 2000};

function nthNewline(text: string, n: number): number {
	let at = -1;
	for (let i = 0; i < n; i++) {
		at = text.indexOf('\n', at + 1);
		if (at < 0) return -1;
	}
	return at;
}

function countNewlines(text: string): number {
	let count = 0;
	for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
	return count;
}

export class BoundedTail {
	private chunks: string[] = [];
	private chars = 0;
	private lines = 0;
	/** Characters dropped from the front so far. */
	dropped = 0;

	constructor(private readonly limits: TailLimits = defaultTailLimits) {}

	get length(): number {
		return this.chars;
	}

	get lineCount(): number {
		return this.lines;
	}

	push(text: string): void {
		if (!text) return;
		// A single huge chunk: only its end can survive.
		if (text.length > this.limits.maxChars) {
			this.dropped += this.chars + text.length - this.limits.maxChars;
			this.chunks = [];
			this.chars = 0;
			this.lines = 0;
			text = text.slice(text.length - this.limits.maxChars);
		}
		this.chunks.push(text);
		this.chars += text.length;
		this.lines += countNewlines(text);
		this.trim();
		if (this.chunks.length > 512) this.chunks = [this.chunks.join('')];
	}

	text(): string {
		if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
		return this.chunks[0] ?? '';
	}

	clear(): void {
		this.chunks = [];
		this.chars = 0;
		this.lines = 0;
		this.dropped = 0;
	}

	private trim(): void {
		while (this.chars > this.limits.maxChars || this.lines > this.limits.maxLines) {
			const first = this.chunks[0]!;
			let cut = Math.max(0, this.chars - this.limits.maxChars);
			const excessLines = this.lines - this.limits.maxLines;
			if (excessLines > 0) {
				const at = nthNewline(first, excessLines);
				cut = Math.max(cut, at < 0 ? first.length : at + 1);
			} else if (cut > 0 && cut < first.length) {
				// Start the kept text at a line start when the chunk has one.
				const next = first.indexOf('\n', cut - 1);
				if (next >= 0) cut = next + 1;
			}
			if (cut >= first.length || this.chunks.length === 1 && cut === 0) {
				if (cut === 0) break;
				this.chunks.shift();
				this.chars -= first.length;
				this.lines -= countNewlines(first);
				this.dropped += first.length;
				if (this.chunks.length === 0) break;
				continue;
			}
			const removed = first.slice(0, cut);
			this.chunks[0] = first.slice(cut);
			this.chars -= removed.length;
			this.lines -= countNewlines(removed);
			this.dropped += removed.length;
		}
	}
}
