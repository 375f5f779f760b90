// The output of this member's runs on its way to the team's output stream.
// While the link is down it is held, the newest HELD_CHARS of it, and sent
// when the link is back, so the others see what a run printed during an
// outage instead of a gap (the log on the running machine has all of it).
// What the bound cut off is said in a line in front of what was kept. A batch
// whose send failed goes back in front of what came since.
import type {OutputWire} from './member.js';

/** How much output is held while the link is down (characters; ~256 KiB of text). */
export const HELD_CHARS = 256 * 1024;

interface Held extends OutputWire {
	/** Characters of this run cut off in front of `chunk` by the bound. */
	omitted?: number;
}

export class OutputQueue {
	private wires: Held[] = [];
	private size = 0;

	constructor(private readonly cap = HELD_CHARS) {}

	get length(): number {
		return this.wires.length;
	}

	/** Adds a chunk (joined to the last one when it is of the same run). */
	push(wire: OutputWire): void {
		const last = this.wires.at(-1);
		if (last && last.runId === wire.runId && last.member === wire.member) last.chunk += wire.chunk;
		else this.wires.push({...wire});
		this.size += wire.chunk.length;
		this.trim();
	}

	/** Everything held, in order, each cut-off run's part led by a line that says so; the queue is empty after. */
	take(): OutputWire[] {
		const out = this.wires.map(({omitted, ...wire}) => (omitted ? {...wire, chunk: `[deploycockpit: ${omitted} characters of this run's output were not sent while the team link was down; the log on the machine that ran it has them]\n${wire.chunk}`} : wire));
		this.wires = [];
		this.size = 0;
		return out;
	}

	/** Wires that were not sent go back in front of what came since. */
	putBack(wires: OutputWire[]): void {
		this.wires = [...wires.map(wire => ({...wire})), ...this.wires];
		this.size = this.wires.reduce((sum, wire) => sum + wire.chunk.length, 0);
		this.trim();
	}

	/** Drops the oldest output past the bound, at a line's start where there is one. */
	private trim(): void {
		while (this.size > this.cap && this.wires.length > 0) {
			const first = this.wires[0]!;
			const over = this.size - this.cap;
			if (first.chunk.length <= over) {
				this.wires.shift();
				this.size -= first.chunk.length;
				const next = this.wires[0];
				if (next && next.runId === first.runId) next.omitted = (next.omitted ?? 0) + (first.omitted ?? 0) + first.chunk.length;
				continue;
			}
			const newline = first.chunk.indexOf('\n', over - 1);
			const cut = newline === -1 || newline + 1 >= first.chunk.length ? over : newline + 1;
			first.chunk = first.chunk.slice(cut);
			first.omitted = (first.omitted ?? 0) + cut;
			this.size -= cut;
		}
	}
}
