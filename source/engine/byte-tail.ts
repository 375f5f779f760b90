// The in-memory end of a followed run's log, kept as bytes: a ring that
// grows to the size limit and then overwrites its oldest bytes, so a flood
// costs one copy per slice and no garbage (no text is made while output
// arrives). The text (from a line start, cut to the limits as BoundedTail
// cuts it) is decoded when asked for and kept until the next push.
import {BoundedTail, defaultTailLimits, type TailLimits} from './tail.js';

const FIRST_SIZE = 64 * 1024;

export class ByteTail {
	private ring: Buffer;
	/** Next write position in the ring, and how many bytes it holds. */
	private at = 0;
	private held = 0;
	/** Bytes were overwritten (the kept text then starts at a line start). */
	private wrapped = false;
	private cached: string | undefined = '';

	constructor(
		private readonly limits: TailLimits = defaultTailLimits,
		start = '',
	) {
		this.ring = Buffer.allocUnsafe(Math.min(FIRST_SIZE, limits.maxChars));
		if (start) this.push(Buffer.from(start, 'utf8'));
	}

	get length(): number {
		return this.text().length;
	}

	/** Copies `bytes` in (they may be a reused read buffer). */
	push(bytes: Buffer): void {
		if (bytes.length === 0) return;
		this.cached = undefined;
		this.grow(this.held + bytes.length);
		const size = this.ring.length;
		if (bytes.length >= size) {
			bytes.copy(this.ring, 0, bytes.length - size);
			this.at = 0;
			this.held = size;
			this.wrapped = true;
			return;
		}
		const first = Math.min(bytes.length, size - this.at);
		bytes.copy(this.ring, this.at, 0, first);
		if (first < bytes.length) bytes.copy(this.ring, 0, first);
		this.at = (this.at + bytes.length) % size;
		if (this.held + bytes.length > size) this.wrapped = true;
		this.held = Math.min(size, this.held + bytes.length);
	}

	text(): string {
		if (this.cached !== undefined) return this.cached;
		const size = this.ring.length;
		const start = (this.at - this.held + size) % size;
		let bytes = start + this.held <= size ? this.ring.subarray(start, start + this.held) : Buffer.concat([this.ring.subarray(start), this.ring.subarray(0, this.at)]);
		if (this.wrapped) {
			// The oldest line was cut by the ring: start at the next line.
			const line = bytes.indexOf(0x0a);
			if (line >= 0 && line + 1 < bytes.length) bytes = bytes.subarray(line + 1);
		}
		const tail = new BoundedTail(this.limits);
		tail.push(bytes.toString('utf8'));
		this.cached = tail.text();
		return this.cached;
	}

	/** Doubles the ring (keeping its order) until it holds `want` bytes or is at the size limit. */
	private grow(want: number): void {
		let size = this.ring.length;
		if (want <= size || size >= this.limits.maxChars) return;
		while (size < want && size < this.limits.maxChars) size *= 2;
		size = Math.min(size, this.limits.maxChars);
		const old = this.ring;
		const start = (this.at - this.held + old.length) % old.length;
		const next = Buffer.allocUnsafe(size);
		if (start + this.held <= old.length) old.copy(next, 0, start, start + this.held);
		else {
			old.copy(next, 0, start);
			old.copy(next, old.length - start, 0, this.at);
		}
		this.ring = next;
		this.at = this.held % size;
	}
}
