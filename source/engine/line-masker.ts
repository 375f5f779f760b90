// Masks a byte stream on the fly. Secrets are matched within a line, so
// output is held back until its newline; a partial line is let through
// after a short pause (prompts, progress dots) or when it grows large.
import {StringDecoder} from 'node:string_decoder';
import type {Masker} from '../safety/mask.js';

export interface LineMaskerOptions {
	/** Flush a partial line after this much quiet (ms). */
	idleMs?: number;
	/** Flush a partial line once it is this long (chars). */
	maxPending?: number;
}

export class LineMasker {
	private readonly decoder = new StringDecoder('utf8');
	private pending = '';
	private timer: NodeJS.Timeout | undefined;
	private readonly idleMs: number;
	private readonly maxPending: number;

	constructor(
		private readonly mask: Masker,
		private readonly out: (text: string) => void,
		options: LineMaskerOptions = {},
	) {
		this.idleMs = options.idleMs ?? 100;
		this.maxPending = options.maxPending ?? 64 * 1024;
	}

	write(chunk: Buffer | string): void {
		const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
		const cut = text.lastIndexOf('\n') + 1;
		if (cut > 0) this.out(this.mask(text.slice(0, cut)));
		this.pending = text.slice(cut);
		if (this.pending.length >= this.maxPending) {
			this.out(this.mask(this.pending));
			this.pending = '';
		}
		this.arm();
	}

	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		const rest = this.pending + this.decoder.end();
		this.pending = '';
		if (rest) this.out(this.mask(rest));
	}

	private arm(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		if (!this.pending) return;
		this.timer = setTimeout(() => {
			this.timer = undefined;
			if (this.pending) {
				const rest = this.pending;
				this.pending = '';
				this.out(this.mask(rest));
			}
		}, this.idleMs);
		this.timer.unref?.();
	}
}
