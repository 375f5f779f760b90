// The in-memory end of a followed run's output, read back from its log when
// asked for instead of kept as a copy: the log is the record and only ever
// grows, so its last bytes up to where the follower has read are exactly the
// tail (and what the listeners were told). A flood then costs no copy at all
// while it arrives (a ring of the last MiB cost a copy of every byte: ~40 ms
// of a 100 MB flood's CPU in `run`, which never reads it); the cockpit reads
// the end of the file (≤ 1 MiB from the page cache) once per new offset.
import {BoundedTail, defaultTailLimits, type TailLimits} from '../engine/tail.js';
import {readLogEnd} from './log-end.js';

export class FollowedTail {
	private at = -1;
	private cached = '';

	constructor(
		private readonly path: string,
		/** Where the follower has read to: the end of what was told. */
		private readonly offset: () => number,
		private readonly limits: TailLimits = defaultTailLimits,
	) {}

	text(): string {
		const at = this.offset();
		if (at === this.at) return this.cached;
		const tail = new BoundedTail(this.limits);
		tail.push(readLogEnd(this.path, this.limits.maxChars, at));
		this.cached = tail.text();
		this.at = at;
		return this.cached;
	}
}
