// A client-side deadline for one round trip to a server. statement_timeout
// is enforced by the server, so a server that stops answering (frozen, a
// network black hole after connect) would hold a step forever; when the
// deadline passes, the connection is destroyed, which fails the pending query.

export class Deadline {
	private timer: NodeJS.Timeout | undefined;
	/** Set once the deadline passed and the connection was destroyed. */
	expiredAfterMs: number | undefined;

	constructor(private readonly destroy: () => void) {}

	/** (Re)starts the clock for the next round trip; 0 means none. */
	arm(ms: number): void {
		this.clear();
		if (ms <= 0) return;
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.expiredAfterMs = ms;
			this.destroy();
		}, ms);
	}

	clear(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
	}

	get expired(): boolean {
		return this.expiredAfterMs !== undefined;
	}
}

/** Resolves with the promise, or rejects with `cancelled` as soon as the signal aborts. */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal, onLate: (value: T) => void): Promise<T> {
	if (signal.aborted) {
		promise.then(onLate, () => {});
		return Promise.reject(new CancelledWhileWaiting());
	}
	return new Promise<T>((resolve, reject) => {
		let settled = false;
		const onAbort = () => {
			if (settled) return;
			settled = true;
			reject(new CancelledWhileWaiting());
		};
		signal.addEventListener('abort', onAbort, {once: true});
		promise.then(
			value => {
				signal.removeEventListener('abort', onAbort);
				if (settled) onLate(value);
				else {
					settled = true;
					resolve(value);
				}
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				if (settled) return;
				settled = true;
				reject(error);
			},
		);
	});
}

export class CancelledWhileWaiting extends Error {
	constructor() {
		super('cancelled');
	}
}
