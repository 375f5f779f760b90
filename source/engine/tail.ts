// The in-memory output of a run: the last lines only (the full output is in
// the log file), so a step printing 100 MB costs a bounded amount of memory.

export interface TailLimits {
	maxChars: number;
	maxLines: number;
}

export const defaultTailLimits: TailLimits = {maxChars: 1024 * 1024, maxLines: 2000};

function countNewlines(text: string): number {
	let count = 0;
	for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
	return count;
}

/**
 * The last lines of a run's output. A push only appends and drops whole
 * chunks that are past the size limit, so a flood costs a few array
 * operations per chunk; the exact cut (characters, then lines) is made when
 * the text is asked for, and kept until the next push.
 */
export class BoundedTail {
	private chunks: string[] = [];
	private chars = 0;
	/** The chunks are cut to the limits (text() was called since the last push). */
	private cut = true;
	/** Characters dropped from the front so far. */
	dropped = 0;

	constructor(private readonly limits: TailLimits = defaultTailLimits) {}

	get length(): number {
		return this.text().length;
	}

	get lineCount(): number {
		return countNewlines(this.text());
	}

	push(text: string): void {
		if (!text) return;
		this.chunks.push(text);
		this.chars += text.length;
		this.cut = false;
		// Whole chunks that the size limit drops anyway go now: memory stays bounded.
		while (this.chunks.length > 1 && this.chars - this.chunks[0]!.length >= this.limits.maxChars) {
			const first = this.chunks.shift()!;
			this.chars -= first.length;
			this.dropped += first.length;
		}
		if (this.chunks.length > 512) this.chunks = [this.chunks.join('')];
	}

	text(): string {
		if (!this.cut) this.trim();
		return this.chunks[0] ?? '';
	}

	clear(): void {
		this.chunks = [];
		this.chars = 0;
		this.cut = true;
		this.dropped = 0;
	}

	private trim(): void {
		let text = this.chunks.join('');
		// The size limit: start the kept text at a line start when there is one.
		if (text.length > this.limits.maxChars) {
			let from = text.length - this.limits.maxChars;
			const next = text.indexOf('\n', from - 1);
			if (next >= 0 && next + 1 < text.length) from = next + 1;
			text = text.slice(from);
			this.dropped += from;
		}
		// The line limit: maxLines line ends (and a last line not yet ended): cut after the one before them.
		let at = text.length;
		for (let n = 0; n <= this.limits.maxLines && at >= 0; n++) at = at === 0 ? -1 : text.lastIndexOf('\n', at - 1);
		if (at >= 0) {
			this.dropped += at + 1;
			text = text.slice(at + 1);
		}
		this.chunks = text ? [text] : [];
		this.chars = text.length;
		this.cut = true;
	}
}
