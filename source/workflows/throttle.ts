// Coalesces many pokes into at most `hz` calls a second: a step flooding its
// output must not turn into one store update (and one frame) per chunk. The
// one throttle of the cockpit (the detail pane's output and the rollback
// panel's output both use it).
export class Throttle {
	private timer: ReturnType<typeof setTimeout> | undefined;
	private dirty = false;

	constructor(
		private readonly hz: number,
		private readonly flush: () => void,
	) {}

	/** Something changed: flush within 1/hz s (once, however many pokes). */
	poke(): void {
		this.dirty = true;
		this.timer ??= setTimeout(() => {
			this.timer = undefined;
			if (!this.dirty) return;
			this.dirty = false;
			this.flush();
		}, 1000 / this.hz);
	}

	stop(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.dirty = false;
	}
}
