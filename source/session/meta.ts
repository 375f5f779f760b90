// meta.json: {id, file, hash, createdAt}, how a session is found for a
// checklist. It is small and written once, but if it is garbled the session
// must not vanish (a new one would start silently and `sessions` would stop
// listing the old one): what it holds is rebuilt from the rest — the id from
// the directory name, the file, hash and creation time from state.json or,
// failing that, from the audit log's first `session` entry.
import {readFile, rename} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {writeFileAtomic} from '../engine/atomic-write.js';
import {readAudit} from './audit.js';

export interface SessionMeta {
	id: string;
	file: string;
	hash: string;
	createdAt: string;
}

export function metaPath(dir: string): string {
	return join(dir, 'meta.json');
}

const isString = (v: unknown): v is string => typeof v === 'string';

function usable(value: unknown): value is SessionMeta {
	if (typeof value !== 'object' || value === null) return false;
	const meta = value as Partial<SessionMeta>;
	return isString(meta.id) && isString(meta.file) && meta.file !== '' && (meta.hash === undefined || isString(meta.hash)) && (meta.createdAt === undefined || isString(meta.createdAt));
}

/** meta.json as written; `rebuilt` says why it had to be rebuilt (undefined: read as is). */
export interface MetaRead {
	meta: SessionMeta;
	rebuilt?: string;
}

async function fromState(dir: string): Promise<Partial<SessionMeta>> {
	try {
		const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as Record<string, unknown>;
		return {
			...(isString(state.file) && state.file ? {file: state.file} : {}),
			...(isString(state.hash) ? {hash: state.hash} : {}),
			...(isString(state.createdAt) ? {createdAt: state.createdAt} : {}),
		};
	} catch {
		return {};
	}
}

async function fromAudit(dir: string): Promise<Partial<SessionMeta>> {
	const first = (await readAudit(dir)).find(e => e.type === 'session' && isString(e.file));
	if (!first) return {};
	return {file: first.file as string, ...(isString(first.hash) ? {hash: first.hash} : {}), createdAt: first.at};
}

/** The session's meta, rebuilt when meta.json is missing or garbled; undefined when nothing says which file it is. */
export async function readMeta(dir: string): Promise<MetaRead | undefined> {
	let why: string;
	try {
		const value: unknown = JSON.parse(await readFile(metaPath(dir), 'utf8'));
		if (usable(value)) return {meta: {id: value.id, file: value.file, hash: value.hash ?? '', createdAt: value.createdAt ?? ''}};
		why = 'meta.json is not a session meta';
	} catch (error) {
		why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'meta.json is missing' : 'meta.json is unreadable';
	}
	const state = await fromState(dir);
	const audit = state.file ? {} : await fromAudit(dir);
	const file = state.file ?? audit.file;
	if (!file) return undefined;
	const from = state.file ? 'state.json' : 'the audit log';
	return {
		meta: {id: basename(dir), file, hash: state.hash ?? audit.hash ?? '', createdAt: state.createdAt ?? audit.createdAt ?? ''},
		rebuilt: `${why}; rebuilt it from ${from}`,
	};
}

export async function writeMeta(dir: string, meta: SessionMeta): Promise<void> {
	await writeFileAtomic(metaPath(dir), JSON.stringify(meta, null, '\t') + '\n');
}

/** Rewrites a rebuilt meta.json, keeping a garbled one aside; returns where (undefined: there was none). */
export async function repairMeta(dir: string, meta: SessionMeta, now = new Date()): Promise<string | undefined> {
	const aside = `${metaPath(dir)}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
	const kept = await rename(metaPath(dir), aside).then(
		() => aside,
		() => undefined,
	);
	await writeMeta(dir, meta);
	return kept;
}
