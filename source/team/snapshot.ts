// The periodic snapshot: the stream is capped (XADD MAXLEN ~), so a member
// that joins late reads a snapshot and then the stream's tail after it. The
// snapshot is not a reduced state (each member reduces the others' events
// through its own fence checks and finds its own conflicts) but the stream
// compacted: per step and member the latest run's events and the latest mark,
// every rollback, the window's start. Replayed in stream order through the
// same path as live events, it leaves a joiner where the whole stream would
// have, as far as the records go (input-sent of older runs is dropped with them).
import type {RecordEvent} from '../session/events.js';
import type {Wire} from './member.js';

/** A stream id as Redis gives it ("ms-seq"); compared numerically. */
export function idAfter(a: string, b: string): boolean {
	const [am, as] = a.split('-').map(Number) as [number, number];
	const [bm, bs] = b.split('-').map(Number) as [number, number];
	return am !== bm ? am > bm : (as ?? 0) > (bs ?? 0);
}

export interface SnapshotEntry {
	id: string;
	wire: Wire;
}

export interface Snapshot {
	/** The stream id up to which (inclusive) the snapshot holds what matters. */
	upTo: string;
	at: string;
	entries: SnapshotEntry[];
}

/** Where an event goes in the compacted set; undefined: not kept. */
function slot(event: RecordEvent, member: string): {key: string; starts: boolean} | undefined {
	switch (event.kind) {
		case 'run-started':
			return {key: `run:${event.stepId}:${member}`, starts: true};
		case 'run-segment':
		case 'cancel-requested':
		case 'run-ended':
		case 'input-sent':
			return {key: `run:${event.stepId}:${member}`, starts: false};
		case 'marked':
			return {key: `mark:${event.stepId}:${member}`, starts: true};
		case 'window-started':
			return {key: 'window', starts: false};
		case 'rollback-started':
			return {key: `rollback:${event.rollback.id}`, starts: false};
		case 'rollback-step':
		case 'rollback-ended':
			return {key: `rollback:${event.rollbackId}`, starts: false};
		case 'rollback-picked':
			return {key: 'picked', starts: true};
		default:
			return undefined;
	}
}

/** The compacted stream, fed with every entry a member reads (its own included). */
export class Compactor {
	private readonly slots = new Map<string, SnapshotEntry[]>();
	upTo = '0-0';

	add(id: string, wire: Wire): void {
		if (idAfter(id, this.upTo)) this.upTo = id;
		const at = slot(wire.event, wire.member);
		if (!at) return;
		const list = this.slots.get(at.key);
		// The window starts once: the first start is the one that counts.
		if (at.key === 'window' && list) return;
		if (at.starts || !list) {
			this.slots.set(at.key, [{id, wire}]);
			return;
		}
		// A later event of an older run (it was replaced by a newer start) is dropped with it.
		const first = list[0]!.wire.event;
		const runId = 'runId' in wire.event ? wire.event.runId : undefined;
		if (first.kind === 'run-started' && runId !== undefined && runId !== first.runId) return;
		list.push({id, wire});
	}

	/** Adds a snapshot read from Redis (join). */
	load(snapshot: Snapshot): void {
		for (const entry of snapshot.entries) this.add(entry.id, entry.wire);
		if (idAfter(snapshot.upTo, this.upTo)) this.upTo = snapshot.upTo;
	}

	snapshot(): Snapshot {
		const entries = [...this.slots.values()].flat().sort((a, b) => (a.id === b.id ? 0 : idAfter(a.id, b.id) ? 1 : -1));
		return {upTo: this.upTo, at: new Date().toISOString(), entries};
	}

	get size(): number {
		let n = 0;
		for (const list of this.slots.values()) n += list.length;
		return n;
	}
}
