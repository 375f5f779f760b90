// Issue 16, item 4 (the cockpit's side): a full disk under the state dir is
// said, not swallowed, and the cockpit still opens (read-only). The state dir
// is a small tmpfs filled up by the test; without the right to mount one
// (not root) these tests skip with a message. A failing audit append is
// shown too (issue 17's one error sink).
import {spawnSync} from 'node:child_process';
import {closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync, copyFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {openSession} from '../../source/session/open.js';
import type {SessionHandle} from '../../source/session/types.js';
import {fixtures} from '../session/helpers.js';
import {renderCockpit} from '../ui/render-cockpit.js';

const MANUAL = 'prepare/manual-check-on-the-dashboard';
const SET = 'prepare/set-the-target';

function canMount(): boolean {
	if (process.getuid?.() !== 0) return false;
	const probe = mkdtempSync(join(tmpdir(), 'dc-mount-probe-'));
	const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
	if (ok) spawnSync('umount', [probe]);
	rmSync(probe, {recursive: true, force: true});
	if (!ok) console.warn('skipping the full-disk tests: cannot mount a tmpfs here (needs root)');
	return ok;
}
const mountable = canMount();

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	// Each cleanup runs even when an earlier one fails (a tmpfs must never stay mounted).
	for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch(() => undefined);
	cleanups = [];
});

/** A checklist in a normal temp dir, its state dir on a 1 MiB tmpfs. */
function smallDisk(): {file: string; stateDir: string; fill(): void; free(): void} {
	const dir = mkdtempSync(join(tmpdir(), 'dc-full-'));
	const file = join(dir, 'carry.md');
	copyFileSync(join(fixtures, 'carry.md'), file);
	const stateDir = join(dir, 'state');
	mkdirSync(stateDir);
	const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', stateDir]);
	if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr}`);
	cleanups.push(() => {
		spawnSync('umount', ['-l', stateDir]);
		rmSync(dir, {recursive: true, force: true});
	});
	const filler = join(stateDir, 'filler');
	return {
		file,
		stateDir,
		fill() {
			const fd = openSync(filler, 'a');
			const chunk = Buffer.alloc(4096, 1);
			try {
				for (;;) writeSync(fd, chunk);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
			} finally {
				closeSync(fd);
			}
		},
		free() {
			unlinkSync(filler);
		},
	};
}

async function open(file: string, stateDir: string): Promise<SessionHandle> {
	const session = await openSession(file, {stateDir, cancelGraceMs: 300});
	cleanups.push(() => session.close());
	return session;
}

describe.skipIf(!mountable)('a full disk under the state dir', () => {
	it('still opens the session, read-only, and says the disk is full', async () => {
		const disk = smallDisk();
		const first = await openSession(disk.file, {stateDir: disk.stateDir});
		await first.runStep(SET);
		await first.close();
		disk.fill();
		const session = await open(disk.file, disk.stateDir);
		expect(session.readOnly).toBe(true);
		expect(session.readOnlyReason).toBe('the disk is full');
		expect(session.notices.join('\n')).toMatch(/the disk is full \(.*ENOSPC.*\): opened read-only/);
		expect(session.getState().steps[SET]?.status).toBe('done');
		const view = await renderCockpit(session);
		cleanups.push(() => view.unmount());
		await view.waitFor(f => f.split('\n')[0]!.includes('read-only: the disk is full'), 'read-only header');
	});

	it('says so when the disk fills while the cockpit is open: a mark that cannot be saved is flashed', async () => {
		const disk = smallDisk();
		const session = await open(disk.file, disk.stateDir);
		const view = await renderCockpit(session);
		cleanups.push(() => view.unmount());
		disk.fill();
		view.store.getState().toggleDone(MANUAL);
		// Said at once; which write fails first (the mark, the tile values) depends on timing.
		await view.waitFor(f => /✗ the disk is full: (could not save|a write failed)/.test(f), 'disk-full flash');
		// The header keeps saying it after the flash is gone, until a write succeeds again.
		await view.waitFor(f => f.split('\n')[0]!.includes('✗ NOT SAVED: the disk is full'), 'header mark');
		disk.free();
		view.store.getState().toggleDone(MANUAL);
		await view.waitFor(f => !f.split('\n')[0]!.includes('NOT SAVED'), 'header mark cleared');
	});
});

describe('a failing audit append', () => {
	it('is shown in the cockpit, not swallowed', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-audit-'));
		cleanups.push(() => rmSync(dir, {recursive: true, force: true}));
		const file = join(dir, 'carry.md');
		copyFileSync(join(fixtures, 'carry.md'), file);
		const session = await open(file, join(dir, 'state'));
		// The audit log cannot be appended to any more (root ignores permissions; a directory cannot be appended to).
		rmSync(join(session.dir, 'audit.jsonl'));
		mkdirSync(join(session.dir, 'audit.jsonl'));
		const view = await renderCockpit(session);
		cleanups.push(() => view.unmount());
		view.store.getState().toggleDone(MANUAL);
		await view.waitFor(f => /could not write the audit log: EISDIR/.test(f), 'audit failure flash');
	});
});
