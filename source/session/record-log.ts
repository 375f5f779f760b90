// Where a session's records live: an ordered event log plus a snapshot of
// its reduction. One interface, several homes: the local files today
// (audit.jsonl + state.json in the session dir); the team issue adds a Redis
// one (a stream per session + a periodic snapshot) behind the same calls.
import type {Masker} from '../safety/mask.js';
import {appendAudit, auditPath, readAudit, type AuditEntry} from './audit.js';
import {auditFieldsOf, auditTypeOf, timeOf, type RecordEvent, type SequencedEvent} from './events.js';
import {readLogEnd} from './log-end.js';
import {readState, writeState, type ReadResult} from './state-file.js';
import type {SessionState} from './types.js';

export interface RecordLog {
	/** Appends one event at its seq; `extra` adds human fields to its entry (the command text, ...). */
	append(entry: SequencedEvent, extra?: Record<string, unknown>): Promise<void>;
	/** Every logged event with seq > fromSeq, in seq order. */
	read(fromSeq?: number): Promise<SequencedEvent[]>;
	/** The highest seq in the log (0 when none). */
	lastSeq(): Promise<number>;
	/** Writes the reduction (its `seq` says which events it holds). */
	snapshot(state: SessionState): Promise<void>;
	/** The last snapshot, checked field by field (state-file.ts). */
	restore(): Promise<ReadResult>;
}

/** A log entry that carries an event. */
export function eventOf(entry: AuditEntry): SequencedEvent | undefined {
	const {seq, event} = entry as {seq?: unknown; event?: unknown};
	if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) return undefined;
	if (typeof event !== 'object' || event === null || typeof (event as {kind?: unknown}).kind !== 'string') return undefined;
	return {seq, event: event as RecordEvent};
}

/** The local home: audit.jsonl is the event log (masked), state.json the snapshot (masked). */
export class FileRecordLog implements RecordLog {
	constructor(
		private readonly dir: string,
		private readonly by: string,
		/** The masker of the moment (carried secrets change it). */
		private readonly masker: () => Masker,
	) {}

	append({seq, event}: SequencedEvent, extra: Record<string, unknown> = {}): Promise<void> {
		const entry: AuditEntry = {at: timeOf(event) ?? new Date().toISOString(), type: auditTypeOf(event), by: this.by, ...auditFieldsOf(event), ...extra, seq, event};
		return appendAudit(this.dir, entry, this.masker());
	}

	async read(fromSeq = 0): Promise<SequencedEvent[]> {
		const out: SequencedEvent[] = [];
		for (const entry of await readAudit(this.dir)) {
			const sequenced = eventOf(entry);
			if (sequenced && sequenced.seq > fromSeq) out.push(sequenced);
		}
		// Appends that were queued out of order (a run's start is logged after its runner is spawned).
		return out.sort((a, b) => a.seq - b.seq);
	}

	async lastSeq(): Promise<number> {
		// The last entries are enough: seqs only grow (a slightly late append is a few lines back at most).
		const text = readLogEnd(auditPath(this.dir), 256 * 1024);
		let last = 0;
		for (const match of text.matchAll(/"seq":(\d+)/g)) last = Math.max(last, Number(match[1]));
		return last;
	}

	snapshot(state: SessionState): Promise<void> {
		return writeState(this.dir, state, this.masker());
	}

	restore(): Promise<ReadResult> {
		return readState(this.dir);
	}
}
