// Real sessions on copies of the rollback fixtures in a temp dir: rollback
// steps run through the real engine (detached bash), state in a temp state dir.
import {copyFileSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {openSession} from '../../source/session/open.js';
import type {SessionHandle} from '../../source/session/types.js';

export const fixtures = fileURLToPath(new URL('../fixtures/rollback/', import.meta.url));

export interface Workspace {
	dir: string;
	stateDir: string;
	file(name: string): string;
	open(name: string): Promise<SessionHandle>;
	cleanup(): Promise<void>;
}

export function workspace(...names: string[]): Workspace {
	const dir = mkdtempSync(join(tmpdir(), 'dc-rollback-'));
	const stateDir = join(dir, 'state');
	mkdirSync(stateDir, {mode: 0o700});
	for (const name of names) copyFileSync(join(fixtures, name), join(dir, name));
	const sessions: SessionHandle[] = [];
	return {
		dir,
		stateDir,
		file: name => join(dir, name),
		async open(name) {
			const s = await openSession(join(dir, name), {stateDir, cancelGraceMs: 200});
			sessions.push(s);
			return s;
		},
		async cleanup() {
			for (const s of sessions) {
				for (const [id, r] of Object.entries(s.getState().steps)) if (r.status === 'running') await s.cancel(id).catch(() => undefined);
				await s.close().catch(() => undefined);
			}
			// A runner or rollback procedure may still be writing its last file (exit, procedure file) for a moment.
			rmSync(dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
		},
	};
}

export function stepIdOf(session: SessionHandle, title: string): string {
	const step = session.checklist.steps.find(s => s.title.startsWith(title));
	if (!step) throw new Error(`no step "${title}"`);
	return step.id;
}

export async function until<T>(fn: () => T | undefined | null | false, what: string, ms = 8000): Promise<T> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		const v = fn();
		if (v) return v;
		await new Promise(r => setTimeout(r, 20));
	}
	throw new Error(`timed out waiting for ${what}`);
}

/** Like Rendered.waitFor, with room for a loaded machine (rollback steps are real processes). */
export async function waitFrame(r: {frame(): string}, predicate: (frame: string) => boolean, what = 'frame', ms = 15_000): Promise<string> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		const f = r.frame();
		if (predicate(f)) return f;
		await new Promise(res => setTimeout(res, 20));
	}
	throw new Error(`timed out waiting for ${what}; last frame:\n${r.frame()}`);
}
