// Contract: the append-only JSON-lines audit log of a session. The safety
// work owns this file (masking, entry kinds); the engine and the store call it.
import {appendFile} from 'node:fs/promises';
import {join} from 'node:path';

export interface AuditEntry {
	at: string;
	type: 'run-start' | 'run-end' | 'mark' | 'rollback-start' | 'rollback-step' | 'rollback-end' | 'trigger' | 'flag' | 'session';
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

export async function appendAudit(sessionDir: string, entry: AuditEntry): Promise<void> {
	await appendFile(auditPath(sessionDir), JSON.stringify(entry) + '\n', {mode: 0o600});
}
