// The byte side of the stream masker (mask.ts): a command's output arrives
// as bytes, and whole lines whose bytes hold no trigger (trigger-scan.ts: a
// rule's trigger, `PRIVATE KEY`, a secret value) are passed on as they are,
// without decoding, copying or regexes; lines that hold one are decoded and
// masked. The end of a line not yet complete is held (as bytes), so a secret
// split between two chunks is seen whole with the next one.
import {StringDecoder} from 'node:string_decoder';
import {TriggerScan, type Trigger} from './trigger-scan.js';

type Masker = (text: string) => string;

/** Start of the first line end (\n or \r) in `bytes`, or -1. */
function firstLineEnd(bytes: Buffer): number {
	const n = bytes.indexOf(0x0a);
	const r = bytes.indexOf(0x0d);
	return n < 0 ? r : r < 0 ? n : Math.min(n, r);
}

export class ByteLines {
	private readonly decoder = new StringDecoder('utf8');
	private readonly scan: TriggerScan | undefined;
	/** Secrets with a line break in them: a line can end inside one (the masker then masks that end). */
	private readonly multiline: string[];
	private held: Buffer | null = null;
	/** Nothing of a character is left in the decoder: bytes may bypass it. */
	private decoderEmpty = true;

	/**
	 * `triggers` undefined: every text must be masked (a user pattern has no
	 * trigger), so there is no byte path. `reach`: how far past the end of a
	 * held line the join is scanned, longer than any trigger (and than the
	 * usual span of a rule's match across a line end).
	 */
	constructor(
		triggers: Trigger[] | undefined,
		secrets: string[],
		private readonly reach: number,
	) {
		this.scan = triggers ? new TriggerScan(triggers) : undefined;
		this.multiline = secrets.filter(s => s.includes('\n') || s.includes('\r'));
	}

	/** The byte path can be taken (no user pattern, nothing of a character pending in the decoder). */
	get fast(): boolean {
		return this.scan !== undefined && this.decoderEmpty;
	}

	/** Held bytes and `chunk` as text through the decoder (a character split between chunks is kept for the next). */
	decode(chunk: Buffer): string {
		const held = this.held;
		this.held = null;
		const all = held ? Buffer.concat([held, chunk]) : chunk;
		// An ASCII byte last: no character is left half in the decoder.
		if (all.length > 0) this.decoderEmpty = all[all.length - 1]! < 0x80;
		return this.decoder.write(all);
	}

	/** The held line as text (the text way takes over). */
	takeText(): string {
		return this.held ? this.decode(Buffer.alloc(0)) : '';
	}

	endText(): string {
		this.decoderEmpty = true;
		return this.decoder.end();
	}

	/**
	 * Emits the complete lines of held + `chunk` (bytes when clean, masked
	 * text when not) and holds the rest; returns how many bytes are held. The
	 * chunk is not copied: a held line is joined only with the chunk's first
	 * line (and `reach` bytes more, so nothing that straddles the join is missed).
	 */
	lines(chunk: Buffer, mask: Masker, emit: (out: string | Buffer) => void): number {
		const held = this.held;
		this.held = null;
		// \r ends a line too: progress bars redraw with it. Neither byte is ever inside a UTF-8 character.
		const cut = Math.max(chunk.lastIndexOf(0x0a), chunk.lastIndexOf(0x0d)) + 1;
		if (cut === 0) {
			this.held = held ? Buffer.concat([held, chunk]) : Buffer.from(chunk);
			return this.held.length;
		}
		let from = 0;
		if (held) {
			const firstEnd = firstLineEnd(chunk) + 1;
			const joined = Buffer.concat([held, chunk.subarray(0, Math.min(cut, firstEnd + this.reach))]);
			if (!this.clean(joined)) {
				emit(mask(Buffer.concat([held, chunk.subarray(0, cut)]).toString('utf8')));
				return this.hold(chunk, cut);
			}
			emit(joined.subarray(0, held.length + firstEnd));
			from = firstEnd;
		}
		if (from < cut) {
			const body = chunk.subarray(from, cut);
			emit(this.clean(body) ? body : mask(body.toString('utf8')));
		}
		return this.hold(chunk, cut);
	}

	private hold(chunk: Buffer, cut: number): number {
		// Copied: a held end of line must not keep the chunk (a reused read buffer) alive.
		if (cut < chunk.length) this.held = Buffer.from(chunk.subarray(cut));
		return this.held?.length ?? 0;
	}

	private clean(bytes: Buffer): boolean {
		return !this.scan!.anyInBytes(bytes) && !this.endsInSecret(bytes);
	}

	/** Do the bytes end with the start of a secret that has a line break (four characters or more, as the masker's edges)? */
	private endsInSecret(bytes: Buffer): boolean {
		if (this.multiline.length === 0) return false;
		const longest = Math.max(...this.multiline.map(s => s.length));
		const tail = bytes.toString('utf8', Math.max(0, bytes.length - 4 * longest));
		return this.multiline.some(s => {
			for (let k = s.length - 1; k >= 4; k--) if (tail.endsWith(s.slice(0, k))) return true;
			return false;
		});
	}
}
