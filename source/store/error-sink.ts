// The one place a caught failure goes when nothing else handles it: it is
// flashed, and recorded in the session's audit log when that is possible
// (never a silent `catch {}` on audit, trigger, mark or state paths: "never
// lose what happened" includes failing to write it down). A full disk is
// named as such, with what could not be written.
import {appendAudit} from '../session/audit.js';
import {whoAmI} from '../session/identity.js';
import {isDiskFull} from '../session/write-errors.js';
import type {SessionHandle} from '../session/types.js';

/** One line for the engineer: "the disk is full: could not write the audit log (…)". */
export function describeFailure(error: unknown, what?: string): string {
	const message = error instanceof Error ? error.message : String(error);
	if (isDiskFull(error)) return `the disk is full: ${what ? `could not ${what}` : 'a write failed'} (${message})`;
	return what ? `could not ${what}: ${message}` : message;
}

export type ReportError = (error: unknown, what?: string) => void;

/**
 * report(error, what): flash it, and append an `error` entry to the audit
 * log while this cockpit writes the session. When that append fails too
 * (the disk is full), the flash is all there is; nothing loops.
 */
export function createErrorSink(session: SessionHandle, flash: (text: string) => void): ReportError {
	const by = whoAmI();
	return (error, what) => {
		const text = describeFailure(error, what);
		flash(text);
		if (session.readOnly || isDiskFull(error) || what === 'write the audit log') return;
		appendAudit(session.dir, {at: new Date().toISOString(), type: 'error', by, message: text}).catch(() => {
			// Already on screen; a failing audit log cannot also report itself.
		});
	};
}
