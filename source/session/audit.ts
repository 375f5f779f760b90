// The append-only JSON-lines audit log of a session (audit.jsonl, mode 0600):
// one line per thing that happened, masked before it is written. The engine,
// the store and the rollback flow append; nothing ever rewrites it.
import {appendFile, chmod, open, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {createMasker, maskDeep, type Masker} from '../safety/mask.js';

export type AuditType =
	| 'session' // opened, resumed, taken over, closed
	| 'run-start' // a step's run began: command, by, dry?
	| 'run-end' // exit code, signal, duration
	| 'cancel' // the operator cancelled a run
	| 'input' // input sent to a running step's terminal: its length only, never its text
	| 'mark' // manual done / skipped / failed / pending
	| 'confirm' // the operator confirmed a dangerous command (command, reason)
	| 'refused' // a dangerous command refused (headless without --yes, paste)
	| 'dry-run' // what would have run
	| 'rollback-start'
	| 'rollback-step'
	| 'rollback-end'
	| 'rollback-pick' // a section picked with R as the rollback (the checklist named none)
	| 'trigger' // a rollback trigger fired (kind, message, value)
	| 'trigger-tick' // an item of a trigger section was checked
	| 'flag' // a feature flag toggled (name, from, to)
	| 'error' // a failure the cockpit reported (message)
	| 'record'; // a bookkeeping event of the event log (run-segment, shell-carried, ...): see events.ts

export interface AuditEntry {
	at: string;
	type: AuditType;
	/** user@host. */
	by: string;
	stepId?: string;
	/** The command text, masked. */
	command?: string;
	exitCode?: number | null;
	durationMs?: number;
	[key: string]: unknown;
}

export function auditPath(sessionDir: string): string {
	return join(sessionDir, 'audit.jsonl');
}

const chmodded = new Set<string>();
/** Appends per file are chained so lines land in call order. */
const queues = new Map<string, Promise<void>>();

/**
 * Appends one entry, masked (every string field; secret-named fields
 * wholesale). Without a masker, the process environment's secrets are used.
 */
export async function appendAudit(sessionDir: string, entry: AuditEntry, masker?: Masker): Promise<void> {
	const path = auditPath(sessionDir);
	const mask = masker ?? createMasker(process.env);
	const line = JSON.stringify(maskDeep(entry, mask)) + '\n';
	const previous = queues.get(path) ?? Promise.resolve();
	const next = previous.then(async () => {
		const first = !chmodded.has(path);
		// A crash may have left a torn last line: start on a fresh line so this entry stays readable.
		const prefix = first && !(await endsWithNewline(path)) ? '\n' : '';
		await appendFile(path, prefix + line, {mode: 0o600});
		if (first) {
			// appendFile's mode applies only when it creates the file.
			await chmod(path, 0o600);
			chmodded.add(path);
		}
	});
	const settled = next.catch(() => {});
	queues.set(path, settled);
	void settled.then(() => {
		if (queues.get(path) === settled) queues.delete(path);
	});
	await next;
}

async function endsWithNewline(path: string): Promise<boolean> {
	let handle;
	try {
		handle = await open(path, 'r');
	} catch {
		return true;
	}
	try {
		const {size} = await handle.stat();
		if (size === 0) return true;
		const buf = Buffer.alloc(1);
		await handle.read(buf, 0, 1, size - 1);
		return buf[0] === 10;
	} finally {
		await handle.close();
	}
}

/** Every entry of a session's audit log; a torn last line (crash mid-write) is skipped. */
export async function readAudit(sessionDir: string): Promise<AuditEntry[]> {
	let text: string;
	try {
		text = await readFile(auditPath(sessionDir), 'utf8');
	} catch {
		return [];
	}
	const entries: AuditEntry[] = [];
	for (const line of text.split('\n')) {
		if (!line.trim()) continue;
		try {
			entries.push(JSON.parse(line) as AuditEntry);
		} catch {
			// A partial line from a crash: the rest of the log is still good.
		}
	}
	return entries;
}

/** A session's audit log with who and the masker bound: `log.write('trigger', {...})`. */
export interface AuditLog {
	write(type: AuditType, fields?: Omit<AuditEntry, 'at' | 'type' | 'by'> & {by?: string}): Promise<void>;
	readonly path: string;
}

export function openAudit(sessionDir: string, by: string, env: Record<string, string | undefined> = process.env): AuditLog {
	const mask = createMasker(env);
	return {
		path: auditPath(sessionDir),
		write: (type, fields = {}) => appendAudit(sessionDir, {at: new Date().toISOString(), type, by, ...fields}, mask),
	};
}
