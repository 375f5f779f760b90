// The new shapes in the cockpit (real sessions, real engine): a guessed shell
// block is shown and confirmed before it runs; a rollback step that runs until
// cancelled says so before `y`, and the rollback moves on when it is cancelled.
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {openSession} from '../../source/session/open.js';
import type {SessionHandle} from '../../source/session/types.js';
import {KEYS, renderCockpit, type Rendered} from '../ui/render-cockpit.js';

const fixtures = fileURLToPath(new URL('../fixtures/checklist/', import.meta.url));
let r: Rendered | undefined;
let session: SessionHandle | undefined;
let dir: string | undefined;

async function open(name: string): Promise<SessionHandle> {
	dir = mkdtempSync(join(tmpdir(), 'dc-shapes-'));
	mkdirSync(join(dir, 'state'), {mode: 0o700});
	copyFileSync(join(fixtures, name), join(dir, name));
	session = await openSession(join(dir, name), {stateDir: join(dir, 'state'), cancelGraceMs: 200});
	return session;
}

async function until<T>(fn: () => T | undefined | null | false, what: string, ms = 10_000): Promise<T> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		const v = fn();
		if (v) return v;
		await new Promise(res => setTimeout(res, 20));
	}
	throw new Error(`timed out waiting for ${what}${r ? `; last frame:\n${r.frame()}` : ''}`);
}

afterEach(async () => {
	r?.unmount();
	r = undefined;
	if (session) {
		for (const [id, rec] of Object.entries(session.getState().steps)) if (rec.status === 'running') await session.cancel(id).catch(() => undefined);
		await session.close().catch(() => undefined);
	}
	session = undefined;
	if (dir) rmSync(dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100}); // a runner may still be writing its files
	dir = undefined;
});

describe('guessed shell blocks in the cockpit', () => {
	it('carry a badge, and run only after the code was shown and y pressed', async () => {
		const s = await open('endless-rollback.md');
		r = await renderCockpit(s);
		const first = await until(() => r!.frame().includes('Roll out the proxy') && r!.frame(), 'the steps');
		expect(first).toMatch(/Roll out the proxy\s+sh\?/);
		expect(first).toContain('guessed shell (asks first) · line 6');
		await r.press(KEYS.enter);
		const asked = await until(() => r!.frame().includes('guessed shell (unlabeled block)') && r!.frame(), 'the confirmation');
		expect(asked).toContain('echo rolled-out > rolled.done');
		await r.press('n');
		await new Promise(res => setTimeout(res, 200));
		expect(existsSync(join(dir!, 'rolled.done'))).toBe(false);
		await r.press(KEYS.enter);
		await until(() => r!.frame().includes('guessed shell (unlabeled block)'), 'the confirmation again');
		await r.press('y');
		await until(() => existsSync(join(dir!, 'rolled.done')), 'the confirmed run');
	});
});

describe('a rollback step that runs until cancelled', () => {
	it('is announced before y; x stops it and the rollback moves on to the next step', async () => {
		const s = await open('endless-rollback.md');
		r = await renderCockpit(s);
		await r.press('R');
		const plan = await until(() => r!.frame().includes('Rollback · Emergency Rollback') && r!.frame(), 'the plan');
		// Numbered once, comments as comments, the endless step announced.
		expect(plan).toContain('1. Put the old proxy back');
		expect(plan).not.toContain('1. 1.');
		expect(plan).toMatch(/ {5}# the previous build stays on disk/);
		expect(plan).toContain('∞ runs until cancelled: x stops it and the rollback moves on');
		await r.press('y');
		await until(() => s.getState().steps[s.checklist.steps[2]!.id]?.status === 'running', 'the endless step running');
		expect(existsSync(join(dir!, 'three.done'))).toBe(false);
		await r.press('x');
		await until(() => r!.frame().includes('Rollback · Emergency Rollback · done'), 'the rollback to move on and finish');
		expect(existsSync(join(dir!, 'three.done'))).toBe(true);
		const rec = await until(() => s.getState().rollbacks.find(x => x.outcome === 'done'), 'the record');
		expect(rec.steps.map(x => x.status)).toEqual(['done', 'cancelled', 'done']);
	});

	it('a cancelled step that ends by itself still stops the rollback (r/s/a)', async () => {
		const s = await open('endless-rollback.md');
		s.checklist.steps[1]!.blocks[0]!.code = 'echo waiting; sleep 30';
		r = await renderCockpit(s);
		await r.press('R');
		await until(() => r!.frame().includes('Rollback · Emergency Rollback'), 'the plan');
		await r.press('y');
		await until(() => s.getState().steps[s.checklist.steps[1]!.id]?.status === 'running', 'the first step running');
		await r.press('x');
		await until(() => r!.frame().includes('r retry · s skip · a abort'), 'the failure choice');
	});
});
