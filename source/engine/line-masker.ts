// Masks a byte stream on the fly with the safety part's stream masker
// (line-buffered, so a secret split across chunks is still caught) and lets
// a held-back partial line (a prompt, progress dots) through after a short
// quiet period. Bytes are handed to the masker as bytes: lines that need no
// masking come back as the same bytes (written without decoding), others as
// masked text.
import type {StreamMasker} from '../safety/mask.js';

export class LineMasker {
	private timer: NodeJS.Timeout | undefined;
	private holding = false;

	constructor(
		private readonly masker: StreamMasker,
		private readonly out: (text: string | Buffer) => void,
		/** How long a partial line (a prompt) is held for more text. */
		public idleMs = 100,
	) {}

	write(chunk: Buffer | string): void {
		if (typeof chunk !== 'string') this.masker.writeBytes(chunk, this.out);
		else {
			const ready = this.masker.write(chunk);
			if (ready) this.out(ready);
		}
		this.holding = true;
		this.arm();
	}

	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		const last = this.masker.end();
		this.holding = false;
		if (last) this.out(last);
	}

	private arm(): void {
		if (this.timer) return;
		this.timer = setTimeout(() => {
			this.timer = undefined;
			if (!this.holding) return;
			this.holding = false;
			const idle = this.masker.flushIdle();
			if (idle) this.out(idle);
		}, this.idleMs);
		this.timer.unref?.();
	}
}
