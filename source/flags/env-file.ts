// `KEY=true/false` flags in env files, read and rewritten one line at a time.
// The rest of the file (comments, order, quoting, CRLF) is left byte for byte.
import {randomBytes} from 'node:crypto';
import {chown, open, readFile, rename, rm, stat} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {flagEnabled} from './values.js';

export interface EnvFlagLine {
	key: string;
	value: string;
	/** 1-based. */
	line: number;
}

const ASSIGNMENT = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)(.*?)(\r?)$/;

interface ValueParts {
	value: string;
	/** Text before and after the value on the line: quotes, trailing comment. */
	open: string;
	close: string;
}

function splitValue(rest: string): ValueParts {
	const quote = rest[0];
	if (quote === '"' || quote === "'") {
		const end = rest.indexOf(quote, 1);
		if (end > 0) return {value: rest.slice(1, end), open: quote, close: rest.slice(end)};
	}
	// Unquoted: a ` #` starts a comment, as in shells and dotenv.
	const comment = /\s+#/.exec(rest);
	const raw = comment ? rest.slice(0, comment.index) : rest;
	const value = raw.trimEnd();
	return {value, open: '', close: rest.slice(value.length)};
}

/**
 * Flags of an env file: every `PREFIX…=` line when a prefix is set, else only
 * lines whose value reads as a boolean. A key set twice reports its last line
 * (the one a shell that sources the file ends up with).
 */
export function parseEnvFlags(text: string, prefix?: string): EnvFlagLine[] {
	const byKey = new Map<string, EnvFlagLine>();
	text.split('\n').forEach((raw, index) => {
		const match = ASSIGNMENT.exec(raw);
		if (!match) return;
		const key = match[2]!;
		if (prefix && !key.startsWith(prefix)) return;
		const {value} = splitValue(match[4]!);
		if (!prefix && flagEnabled(value) === null) return;
		byKey.set(key, {key, value, line: index + 1});
	});
	return [...byKey.values()].sort((a, b) => a.line - b.line);
}

export class FlagChangedError extends Error {}

/**
 * Rewrites the value on `line` (which must still assign `key` = `expected`)
 * and nothing else, atomically: a temp file in the same directory, fsynced,
 * renamed over the original, with the original's mode and owner.
 */
export async function writeEnvFlag(file: string, key: string, line: number, expected: string, value: string): Promise<{before: string; after: string}> {
	const text = await readFile(file, 'utf8');
	const lines = text.split('\n');
	const sets = (n: number) => ASSIGNMENT.exec(lines[n - 1] ?? '')?.[2] === key;
	if (!sets(line)) {
		// Lines were added or removed above it since it was read: follow the key (its last assignment).
		const moved = lines.map((_, i) => i + 1).filter(sets).pop();
		if (moved === undefined) throw new FlagChangedError(`${basename(file)} no longer sets ${key}; nothing written`);
		line = moved;
	}
	const current = lines[line - 1]!;
	const match = ASSIGNMENT.exec(current)!;
	const parts = splitValue(match[4]!);
	if (parts.value !== expected) throw new FlagChangedError(`${key} changed to ${parts.value} since it was shown; nothing written`);
	const after = `${match[1]}${key}${match[3]}${parts.open}${value}${parts.close}${match[5]}`;
	lines[line - 1] = after;

	const info = await stat(file);
	const temp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
	const handle = await open(temp, 'wx', info.mode & 0o7777);
	try {
		// open()'s mode is filtered by the umask; the copy must keep the original's.
		await handle.chmod(info.mode & 0o7777);
		await handle.writeFile(lines.join('\n'));
		await handle.sync();
	} finally {
		await handle.close();
	}
	try {
		await chown(temp, info.uid, info.gid).catch(() => {});
		await rename(temp, file);
	} catch (error) {
		await rm(temp, {force: true});
		throw error;
	}
	return {before: current!.replace(/\r$/, ''), after: after.replace(/\r$/, '')};
}
