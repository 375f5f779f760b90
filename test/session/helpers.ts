import {copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export const fixtures = join(import.meta.dirname, '..', 'fixtures', 'engine');

/** A temp dir with a copy of the fixture checklist and its own state dir. */
export function sandbox(fixture = 'carry.md'): {dir: string; file: string; stateDir: string; cleanup(): void} {
	const dir = mkdtempSync(join(tmpdir(), 'dc-session-'));
	const file = join(dir, fixture);
	copyFileSync(join(fixtures, fixture), file);
	const stateDir = join(dir, 'state');
	return {dir, file, stateDir, cleanup: () => rmSync(dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100})};
}

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export async function until<T>(fn: () => T | Promise<T>, ms = 10_000, step = 50): Promise<NonNullable<T>> {
	const end = Date.now() + ms;
	for (;;) {
		const value = await fn();
		if (value) return value as NonNullable<T>;
		if (Date.now() > end) throw new Error('condition not met in time');
		await sleep(step);
	}
}

/** Every file below `dir` (none when it does not exist): what a masking proof searches. */
export function filesUnder(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, {recursive: true, withFileTypes: true}).filter(e => e.isFile()).map(e => join(e.parentPath, e.name));
}
