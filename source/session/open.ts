// Opening a checklist creates or resumes its session. A session is tied to
// the checklist's absolute path; reopening the same path resumes the latest
// session for it, also when the content changed (statuses are mapped by step
// id, steps that are gone are kept as orphans and reported).
import {createHash} from 'node:crypto';
import {chmod, mkdir, readdir, readFile, stat, unlink} from 'node:fs/promises';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {bundled} from '../bundled.js';
import type {Checklist} from '../checklist/model.js';
import {addSecretRules, createMasker, secretRules} from '../safety/mask.js';
import {RULES} from '../safety/secret-rules.js';
import {writeFileAtomic} from '../engine/atomic-write.js';
import {appendAudit} from './audit.js';
import {withChecklistLock} from './checklist-lock.js';
import {newSessionId, whoAmI} from './identity.js';
import {lockIsLive, readLock, WriterLock} from './lock.js';
import {readMeta, repairMeta, writeMeta, type SessionMeta} from './meta.js';
import {sessionsRoot, stateDirectory} from './paths.js';
import {rebuildStepRecords} from './rebuild.js';
import {Session} from './session.js';
import {isDiskFull} from './write-errors.js';
import {freshState, keepSetAside, readState, setAside, statePath} from './state-file.js';
import type {RecordLog} from './record-log.js';
import type {SessionHandle, SessionState} from './types.js';

export type {SessionMeta} from './meta.js';

export {stateDirectory} from './paths.js';

export interface OpenOptions {
	stateDir?: string;
	/** --new: start a fresh session even if one exists for this file. */
	fresh?: boolean;
	/** Take the writer lock from another live cockpit. */
	takeOver?: boolean;
	/** Resolve FILE against this directory. */
	cwd?: string;
	/** Never take the writer lock (status, report): a view that writes nothing. */
	readOnly?: boolean;
	/** An already loaded checklist (tests, or a caller that loaded it). */
	checklist?: Checklist;
	/** Hold the parsed-model cache write back until flushChecklistCache() (after the first frame). */
	deferCacheWrite?: boolean;
	/** Grace between SIGINT, SIGTERM and SIGKILL on cancel (default 2000 ms). */
	cancelGraceMs?: number;
	/** Added to every run's environment (the cockpit's --prometheus as PROMETHEUS_URL), never to process.env. */
	runEnv?: Record<string, string>;
	/**
	 * With takeOver: a reason not to take the session from its live writer,
	 * asked before anything is taken (`run --take-over` of a step that runs there).
	 */
	refuseTakeOver?: (state: SessionState) => string | undefined;
	/** The name on runs and marks (team mode's --as); default user@host. */
	by?: string;
	/** Wraps the record log (team mode: source/team publishes every appended event). */
	wrapRecords?: (inner: RecordLog) => RecordLog;
}

/** `run --take-over` refused before it took anything; the writer keeps the session. */
export class TakeOverRefused extends Error {}

export interface SessionSummary extends SessionMeta {
	dir: string;
	updatedAt?: string;
	title?: string;
	counts: Partial<Record<string, number>>;
	/** A cockpit holds the writer lock right now. */
	open: boolean;
	problem?: string;
}

async function ensureDir(path: string): Promise<void> {
	await mkdir(path, {recursive: true, mode: 0o700});
	await chmod(path, 0o700).catch(() => undefined);
}

/** The latest session for an absolute checklist path, if any. */
export async function findSession(file: string, stateDir = stateDirectory()): Promise<{dir: string; meta: SessionMeta; rebuilt?: string} | undefined> {
	const root = sessionsRoot(stateDir);
	let names: string[];
	try {
		names = await readdir(root);
	} catch {
		return undefined;
	}
	let best: {dir: string; meta: SessionMeta; rebuilt?: string} | undefined;
	for (const name of names) {
		const dir = join(root, name);
		const read = await readMeta(dir);
		if (!read || read.meta.file !== file) continue;
		if (!best || read.meta.createdAt > best.meta.createdAt) best = {dir, ...read};
	}
	return best;
}

export async function listSessions(stateDir = stateDirectory()): Promise<SessionSummary[]> {
	const root = sessionsRoot(stateDir);
	let names: string[];
	try {
		names = await readdir(root);
	} catch {
		return [];
	}
	const out: SessionSummary[] = [];
	for (const name of names.sort()) {
		const dir = join(root, name);
		const metaRead = await readMeta(dir);
		if (!metaRead) continue;
		const summary: SessionSummary = {...metaRead.meta, dir, counts: {}, open: lockIsLive(readLock(dir))};
		const problems = metaRead.rebuilt ? [metaRead.rebuilt] : [];
		const read = await readState(dir);
		if (read.kind === 'ok') {
			if (read.problems.length) problems.push(`state.json: ${read.problems.length} field${read.problems.length === 1 ? '' : 's'} repaired or set aside`);
			for (const record of Object.values(read.state.steps)) summary.counts[record.status] = (summary.counts[record.status] ?? 0) + 1;
			const info = await stat(statePath(dir)).catch(() => undefined);
			if (info) summary.updatedAt = info.mtime.toISOString();
		} else if (read.kind === 'corrupt') {
			problems.push(`state.json: ${read.reason}`);
		}
		if (problems.length) summary.problem = problems.join('; ');
		out.push(summary);
	}
	return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

/**
 * The parsed-model cache: <state dir>/cache/checklists/<sha256 of the bytes>.json.
 * A hit skips importing markdown-it and parsing (most of opening a long
 * checklist). An entry is used only when its hash, path and parser stamp all
 * match the file read just now; anything else (missing, corrupt, another
 * parser build) falls back to loading the file as usual and rewrites it.
 * load.js is imported only on a miss: importing it loads markdown-it.
 * Nothing with a secret in it is written under the state dir, so a checklist
 * in which the masker finds anything (a URL password, `password=...`, the
 * value of a secret environment variable, a credential flag like `mysql -ppw`)
 * is never cached. An entry written under other masking rules (an older
 * build, other `secrets:` in the user config) is deleted, not used: it was
 * judged by rules that may have missed a secret.
 */
const cacheVersion = 2;

/** The masking rules an entry was judged by. */
function maskStamp(): string {
	return createHash('sha256').update(JSON.stringify([RULES.map(r => `${r.re.source}/${r.re.flags}`), secretRules()])).digest('hex');
}
const maxChecklistBytes = 64 * 1024 * 1024;

export function checklistCacheDir(stateDir: string): string {
	return join(stateDir, 'cache', 'checklists');
}

interface CacheEntry {
	version: number;
	stamp: string;
	masked: string;
	hash: string;
	file: string;
	checklist: Checklist;
}

let parserStampMemo: Promise<string> | undefined;
/** Changes whenever the parser's code does: names, sizes and mtimes of the checklist modules. */
function parserStamp(): Promise<string> {
	parserStampMemo ??= (async () => {
		// The bundle has no checklist/ sources beside it; it carries their hash.
		if (bundled) return createHash('sha256').update(`${cacheVersion}\n${bundled.parserStamp}`).digest('hex');
		const dir = fileURLToPath(new URL('../checklist/', import.meta.url));
		const names = (await readdir(dir)).filter(n => /\.[cm]?[jt]sx?$/.test(n)).sort();
		const parts = await Promise.all(names.map(async n => {
			const info = await stat(join(dir, n));
			return `${n}:${info.size}:${info.mtimeMs}`;
		}));
		return createHash('sha256').update(`${cacheVersion}\n${parts.join('\n')}`).digest('hex');
	})();
	return parserStampMemo;
}

async function readCachedChecklist(cacheDir: string, file: string, masked: string): Promise<Checklist | undefined> {
	try {
		const info = await stat(file);
		// Directories, FIFOs and huge files go through loadChecklist for its error.
		if (!info.isFile() || info.size > maxChecklistBytes) return undefined;
		const bytes = await readFile(file);
		const hash = createHash('sha256').update(bytes).digest('hex');
		const path = join(cacheDir, `${hash}.json`);
		const entry = JSON.parse(await readFile(path, 'utf8')) as Partial<CacheEntry>;
		if (entry.version !== cacheVersion || entry.masked !== masked) {
			await unlink(path).catch(() => undefined);
			return undefined;
		}
		if (entry.version !== cacheVersion || entry.hash !== hash || entry.file !== file || entry.stamp !== (await parserStamp())) return undefined;
		const checklist = entry.checklist;
		if (!checklist || typeof checklist !== 'object' || checklist.hash !== hash || !Array.isArray(checklist.steps) || !Array.isArray(checklist.sections)) return undefined;
		return checklist;
	} catch {
		return undefined;
	}
}

/** Every edit of a checklist leaves an entry; only the most recent ones are kept. */
const maxCacheEntries = 32;

async function pruneCache(cacheDir: string): Promise<void> {
	const names = (await readdir(cacheDir)).filter(n => /^[0-9a-f]{64}\.json$/.test(n));
	if (names.length <= maxCacheEntries) return;
	const dated = await Promise.all(names.map(async n => ({n, at: (await stat(join(cacheDir, n)).catch(() => undefined))?.mtimeMs ?? 0})));
	dated.sort((a, b) => b.at - a.at);
	await Promise.all(dated.slice(maxCacheEntries).map(({n}) => unlink(join(cacheDir, n)).catch(() => undefined)));
}

async function writeCachedChecklist(cacheDir: string, checklist: Checklist, masked: string): Promise<void> {
	if (!checklist.hash || !checklist.file) return;
	try {
		const entry: CacheEntry = {version: cacheVersion, stamp: await parserStamp(), masked, hash: checklist.hash, file: checklist.file, checklist};
		const json = JSON.stringify(entry);
		if (createMasker(process.env)(json) !== json) return;
		await mkdir(cacheDir, {recursive: true, mode: 0o700});
		await writeFileAtomic(join(cacheDir, `${checklist.hash}.json`), json);
		await pruneCache(cacheDir);
	} catch {
		// A cache that cannot be written only costs the next open a parse.
	}
}

let deferredWrites: Array<() => Promise<void>> = [];

/**
 * Writes the cache entries that openSession({deferCacheWrite}) held back.
 * The cockpit calls it after its first frame: serialising, masking and
 * fsyncing a long model would otherwise delay that frame on a first open.
 */
export async function flushChecklistCache(): Promise<void> {
	const writes = deferredWrites;
	deferredWrites = [];
	for (const write of writes) await write();
}

/** loadChecklist, through the parsed-model cache in the state dir. */
export async function loadChecklistCached(file: string, stateDir: string, options: {deferWrite?: boolean} = {}): Promise<Checklist> {
	const cacheDir = checklistCacheDir(stateDir);
	// Taken before the checklist's own rules are added: those are part of the file, hence of its hash.
	const masked = maskStamp();
	const cached = await readCachedChecklist(cacheDir, file, masked);
	if (cached) {
		addSecretRules(cached.settings.secrets as Parameters<typeof addSecretRules>[0]);
		return cached;
	}
	const {loadChecklist} = await import('../checklist/load.js');
	const checklist = await loadChecklist(file);
	// The checklist's own `secrets:` count for masking everything, this cache entry included.
	for (const problem of addSecretRules(checklist.settings.secrets as Parameters<typeof addSecretRules>[0])) checklist.warnings.push({line: 1, message: problem});
	const write = () => writeCachedChecklist(cacheDir, checklist, masked);
	if (options.deferWrite) deferredWrites.push(write);
	else await write();
	return checklist;
}

/** Maps the records onto the current checklist: gone steps become orphans, returning ones come back. */
function remap(state: SessionState, checklist: Checklist, notices: string[]): void {
	const ids = new Set(checklist.steps.map(s => s.id));
	const orphans = [...(state.orphans ?? [])];
	for (const [id, record] of Object.entries(state.steps)) {
		if (ids.has(id)) continue;
		orphans.push({id, ...(record.title ? {title: record.title} : {}), record});
		delete state.steps[id];
		notices.push(`step ${id}${record.title ? ` (${record.title})` : ''} is no longer in the checklist; its record (${record.status}) is kept under orphans`);
	}
	state.orphans = orphans.filter(o => {
		if (!ids.has(o.id) || state.steps[o.id]) return true;
		state.steps[o.id] = o.record;
		notices.push(`step ${o.id} is back in the checklist; its earlier record (${o.record.status}) is restored`);
		return false;
	});
	if (state.orphans.length === 0) delete state.orphans;
}

export async function openSession(file: string, options: OpenOptions = {}): Promise<SessionHandle> {
	const stateDir = options.stateDir ?? stateDirectory();
	const checklist = options.checklist ?? (await loadChecklistCached(resolve(options.cwd ?? process.cwd(), file), stateDir, {deferWrite: options.deferCacheWrite ?? false}));
	if (options.checklist) addSecretRules(checklist.settings.secrets as Parameters<typeof addSecretRules>[0]);
	const absolute = checklist.file ?? resolve(options.cwd ?? process.cwd(), file);
	const hash = checklist.hash ?? '';
	const notices: string[] = [];
	const by = options.by ?? whoAmI();

	// The state dir may be a shared one the user pointed at: created 0700 if missing, never chmodded.
	await mkdir(stateDir, {recursive: true, mode: 0o700});
	await ensureDir(sessionsRoot(stateDir));
	// Finding (or creating) the session and taking its writer lock is one step per checklist.
	const claim = () => claimSession(absolute, hash, stateDir, by, options, notices);
	let claimed: Claimed;
	let readOnlyReason: string | undefined;
	try {
		claimed = options.readOnly ? await claim() : await withChecklistLock(stateDir, absolute, claim);
	} catch (error) {
		if (!isDiskFull(error)) throw error;
		// A full disk: still open, read-only, so the engineer sees where things stand.
		const existing = await findSession(absolute, stateDir);
		if (!existing) throw new Error(`the disk is full: cannot create a session for ${absolute} (${(error as Error).message})`);
		claimed = {dir: existing.dir, meta: existing.meta, created: false, lock: undefined};
		readOnlyReason = 'the disk is full';
		notices.push(`the disk is full (${(error as Error).message}): opened read-only; free some space and reopen to run steps`);
	}
	const {dir, meta, created, lock, tookOver} = claimed;

	const read = await readState(dir, {id: meta.id, file: absolute, hash, cwd: dirname(absolute), ...(meta.createdAt ? {createdAt: meta.createdAt} : {})});
	let state: SessionState;
	if (read.kind === 'ok') {
		state = read.state;
		if (read.problems.length) {
			const kept = lock && Object.keys(read.setAside).length ? await keepSetAside(dir, read.setAside).catch(() => undefined) : undefined;
			notices.push(`the session state had wrong-typed fields: ${read.problems.join('; ')}${kept ? ` (the originals are kept in ${kept})` : ''}`);
		}
	} else {
		state = freshState(meta.id, absolute, hash, dirname(absolute), meta.createdAt ? new Date(meta.createdAt) : undefined);
		if (read.kind === 'corrupt') {
			if (lock) {
				const aside = await setAside(dir);
				notices.push(`the session state was unreadable (${read.reason}); kept it as ${aside}`);
			} else {
				notices.push(`the session state is unreadable (${read.reason})`);
			}
		}
		if (!created) {
			const count = await rebuildStepRecords(dir, state, checklist);
			if (count > 0) notices.push(`rebuilt ${count} step record${count === 1 ? '' : 's'} from the audit log and the run files (the cursor and the tiles' latest values are not rebuilt)`);
			else if (read.kind === 'corrupt') notices.push('nothing to rebuild the step records from; started a fresh state');
		}
	}
	if (state.hash !== hash) {
		if (state.hash) notices.push('the checklist changed since this session began; statuses are kept by step id');
		remap(state, checklist, notices);
		state.hash = hash;
		if (lock) await writeMeta(dir, {...meta, hash});
	}

	const session = new Session({checklist, dir, state, lock, notices, ...(readOnlyReason ? {readOnlyReason} : {}), ...(options.cancelGraceMs !== undefined ? {cancelGraceMs: options.cancelGraceMs} : {}), ...(options.runEnv ? {runEnv: options.runEnv} : {}), by, ...(options.wrapRecords ? {wrapRecords: options.wrapRecords} : {})});
	await session.start();
	if (lock) {
		const action = created ? 'created' : tookOver ? 'taken-over' : 'opened';
		const at = new Date().toISOString();
		// A take-over is an event of the log (who wrote from when); opening is only audited.
		const written = tookOver ? session.apply({kind: 'taken-over', at, by}, {file: absolute, hash}) : appendAudit(dir, {at, type: 'session', by, action, file: absolute, hash});
		await written.catch(error => {
			notices.push(`could not write the audit log: ${(error as Error).message}`);
		});
	}
	return session;
}

interface Claimed {
	dir: string;
	meta: SessionMeta;
	created: boolean;
	lock: WriterLock | undefined;
	/** The lock was taken from a live writer (--take-over). */
	tookOver?: boolean;
}

/** Finds or creates the session and takes its writer lock (the caller holds the checklist lock). */
async function claimSession(absolute: string, hash: string, stateDir: string, by: string, options: OpenOptions, notices: string[]): Promise<Claimed> {
	const existing = options.fresh ? undefined : await findSession(absolute, stateDir);
	let dir: string;
	let meta: SessionMeta;
	let created = false;
	if (existing) {
		({dir, meta} = existing);
	} else {
		if (options.readOnly) throw new Error(`no session for ${absolute}`);
		meta = {id: newSessionId(absolute), file: absolute, hash, createdAt: new Date().toISOString()};
		dir = join(sessionsRoot(stateDir), meta.id);
		await ensureDir(dir);
		await writeMeta(dir, meta);
		created = true;
	}
	if (options.readOnly) {
		if (existing?.rebuilt) notices.push(existing.rebuilt);
		return {dir, meta, created, lock: undefined};
	}
	await ensureDir(join(dir, 'runs'));

	const holder = readLock(dir);
	if (options.takeOver && options.refuseTakeOver && lockIsLive(holder)) {
		const read = await readState(dir);
		const reason = read.kind === 'ok' ? options.refuseTakeOver(read.state) : undefined;
		if (reason) throw new TakeOverRefused(`${reason}; not taking the session over from ${holder!.by} (pid ${holder!.pid})`);
	}
	const lock = WriterLock.acquire(dir, by, options.takeOver ?? false);
	const tookOver = Boolean(lock && options.takeOver && lockIsLive(holder));
	if (!lock) {
		const now = readLock(dir);
		notices.push(`read-only: this session is open in another cockpit${now ? ` (${now.by}, pid ${now.pid})` : ''}; following it`);
		if (existing?.rebuilt) notices.push(existing.rebuilt);
	} else if (existing?.rebuilt) {
		const kept = await repairMeta(dir, meta);
		notices.push(`${existing.rebuilt}${kept ? ` (the garbled one is kept as ${kept})` : ''}`);
	}
	if (tookOver) notices.push(`took the session over from ${holder!.by} (pid ${holder!.pid})`);
	return {dir, meta, created, lock, tookOver};
}
