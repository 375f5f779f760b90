// Reading a checklist file: the only I/O in source/checklist.
import {createHash} from 'node:crypto';
import {readFile, stat} from 'node:fs/promises';
import {resolve} from 'node:path';
import {ChecklistError} from './errors.js';
import type {Checklist} from './model.js';
import {parseChecklist} from './parse.js';

export {parseChecklist} from './parse.js';
export {ChecklistError} from './errors.js';

/** Bigger than any runbook a person writes; refusing keeps a wrong path from eating memory. */
const maxBytes = 64 * 1024 * 1024;

/**
 * True when the bytes are not text: a NUL byte, many control bytes, or (when
 * not UTF-8) mostly high bytes. Windows-1252 prose is mostly ASCII, so it passes.
 */
export function looksBinary(bytes: Uint8Array): boolean {
	const sample = bytes.subarray(0, 64 * 1024);
	if (sample.length === 0) return false;
	if (sample.includes(0)) return true;
	let control = 0;
	let high = 0;
	for (const b of sample) {
		if (b < 0x20 && b !== 9 && b !== 10 && b !== 12 && b !== 13 && b !== 27) control++;
		else if (b >= 0x80) high++;
	}
	if (control / sample.length > 0.05) return true;
	try {
		// A sample cut mid-character is still UTF-8: 'stream' tolerates the cut at the end.
		new TextDecoder('utf-8', {fatal: true}).decode(sample, {stream: true});
		return false;
	} catch {
		return high / sample.length > 0.3;
	}
}

function describe(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	switch (code) {
		case 'ENOENT': return 'no such file';
		case 'EACCES': case 'EPERM': return 'permission denied';
		case 'EISDIR': return 'is a directory, not a checklist file';
		case 'ELOOP': return 'too many symbolic links';
		case 'ENAMETOOLONG': return 'path too long';
		default: return error instanceof Error ? (error.message.split('\n')[0] ?? 'unreadable') : 'unreadable';
	}
}

export async function loadChecklist(path: string): Promise<Checklist> {
	if (typeof path !== 'string' || path.trim() === '') throw new ChecklistError('no checklist file given');
	const file = resolve(path);
	let bytes: Buffer;
	try {
		const info = await stat(file);
		if (info.isDirectory()) throw new ChecklistError(`${path}: is a directory, not a checklist file`);
		if (!info.isFile()) throw new ChecklistError(`${path}: not a regular file`);
		if (info.size > maxBytes) throw new ChecklistError(`${path}: too large for a checklist (${Math.round(info.size / 1048576)} MB; limit 64 MB)`);
		bytes = await readFile(file);
	} catch (error) {
		if (error instanceof ChecklistError) throw error;
		throw new ChecklistError(`${path}: ${describe(error)}`);
	}
	if (looksBinary(bytes)) throw new ChecklistError(`${path}: looks like a binary file, not a markdown checklist`);
	let text: string;
	let latin1 = false;
	try {
		text = new TextDecoder('utf-8', {fatal: true}).decode(bytes);
	} catch {
		// Not UTF-8 but text (a few stray bytes): Windows-1252 is what such files usually are.
		text = new TextDecoder('windows-1252').decode(bytes);
		latin1 = true;
	}
	const checklist = parseChecklist(text, file);
	if (latin1) checklist.warnings.unshift({line: 1, message: 'file is not valid UTF-8; read as Windows-1252'});
	checklist.hash = createHash('sha256').update(bytes).digest('hex');
	return checklist;
}
