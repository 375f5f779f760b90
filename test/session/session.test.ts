import {readFileSync, readdirSync, statSync, writeFileSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {openSession, listSessions} from '../../source/session/open.js';
import type {SessionHandle} from '../../source/session/types.js';
import {sandbox, until} from './helpers.js';

const SET = 'prepare/set-the-target';
const SHOW = 'prepare/show-the-target';
const FAILS = 'prepare/fails-in-the-first-block';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	for (const fn of cleanups.reverse()) await fn();
	cleanups = [];
});

function box() {
	const b = sandbox();
	cleanups.push(b.cleanup);
	return b;
}

async function open(file: string, stateDir: string, extra: Parameters<typeof openSession>[1] = {}): Promise<SessionHandle> {
	const session = await openSession(file, {stateDir, cancelGraceMs: 300, ...extra});
	cleanups.push(() => session.close());
	return session;
}

describe('sessions', () => {
	it('carries exported and assigned variables and the cwd to the next step', async () => {
		const {file, stateDir} = box();
		const session = await open(file, stateDir);
		expect(await session.runStep(SET)).toEqual({status: 'done', exitCode: 0});
		expect(await session.runStep(SHOW)).toEqual({status: 'done', exitCode: 0});
		expect(session.outputTail(SHOW)).toContain('env=staging file=/tmp/dump-staging.sql dir=work');
		const state = session.getState();
		expect(state.shell.vars).toMatchObject({TARGET_ENV: 'staging', DUMP_FILE: '/tmp/dump-staging.sql'});
		expect(state.shell.vars.BG_PID).toMatch(/^\d+$/);
		expect(session.outputTail(SHOW)).toContain(`bg=${state.shell.vars.BG_PID}\n`);
		expect(state.shell.exported).toContain('TARGET_ENV');
		expect(state.shell.exported).not.toContain('DUMP_FILE');
		expect(state.shell.cwd.endsWith('/work')).toBe(true);
		const record = state.steps[SHOW]!;
		expect(record.by).toMatch(/@/);
		expect(record.durationMs).toBeGreaterThanOrEqual(0);
		expect(readFileSync(record.logPath!, 'utf8')).toContain('env=staging');
	});

	it('carries the shell state across a restart (a new open of the same file)', async () => {
		const {file, stateDir} = box();
		const first = await open(file, stateDir);
		await first.runStep(SET);
		await first.close();
		const second = await open(file, stateDir);
		expect(second.getState().id).toBe(first.getState().id);
		expect(second.getState().steps[SET]?.status).toBe('done');
		await second.runStep(SHOW);
		expect(second.outputTail(SHOW)).toContain('env=staging file=/tmp/dump-staging.sql dir=work');
	});

	it('stops a step at its first failing block and records the exit code', async () => {
		const {file, stateDir} = box();
		const session = await open(file, stateDir);
		expect(await session.runStep(FAILS)).toEqual({status: 'failed', exitCode: 3});
		const tail = session.outputTail(FAILS);
		expect(tail).toContain('first');
		expect(tail).not.toContain('never');
		const audit = readFileSync(join(session.dir, 'audit.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l));
		expect(audit.find(e => e.type === 'run-end' && e.stepId === FAILS)).toMatchObject({exitCode: 3, status: 'failed'});
		expect(audit.find(e => e.type === 'run-start' && e.stepId === FAILS).command).toContain('exit 3');
	});

	it('without errexit a block runs on like a terminal; with frontmatter errexit: true it stops at the failing command', async () => {
		const strict = sandbox('errexit.md');
		cleanups.push(strict.cleanup);
		const s2 = await open(strict.file, strict.stateDir);
		expect(s2.checklist.settings.errexit).toBe(true);
		expect(await s2.runStep('steps/stops-inside-the-block')).toEqual({status: 'failed', exitCode: 1});
		expect(s2.outputTail('steps/stops-inside-the-block')).toContain('before');
		expect(s2.outputTail('steps/stops-inside-the-block')).not.toContain('after');
		const loose = await openSession(strict.file, {stateDir: join(strict.dir, 'other-state'), checklist: {...s2.checklist, settings: {errexit: false}}});
		cleanups.push(() => loose.close());
		expect(await loose.runStep('steps/stops-inside-the-block')).toEqual({status: 'done', exitCode: 0});
		expect(loose.outputTail('steps/stops-inside-the-block')).toContain('after');
	});

	it('keeps the session dir 0700 and its files 0600', async () => {
		const {file, stateDir} = box();
		const session = await open(file, stateDir);
		await session.runStep(SET);
		expect(statSync(session.dir).mode & 0o777).toBe(0o700);
		for (const name of ['state.json', 'audit.jsonl', 'meta.json']) expect(statSync(join(session.dir, name)).mode & 0o777).toBe(0o600);
		for (const name of readdirSync(join(session.dir, 'runs'))) expect(statSync(join(session.dir, 'runs', name)).mode & 0o777).toBe(0o600);
	});

	it('moves a corrupt state file aside, reports it and rebuilds the step records from the audit log', async () => {
		const {file, stateDir} = box();
		const first = await open(file, stateDir);
		await first.runStep(SET);
		await first.close();
		const statePath = join(first.dir, 'state.json');
		const text = readFileSync(statePath, 'utf8');
		writeFileSync(statePath, text.slice(0, Math.floor(text.length / 2)));
		const second = await open(file, stateDir);
		expect(second.notices.join('\n')).toMatch(/unreadable.*kept it as .*state\.json\.corrupt-/);
		expect(second.getState().steps[SET]).toMatchObject({status: 'done', exitCode: 0});
		expect(readdirSync(first.dir).some(n => n.startsWith('state.json.corrupt-'))).toBe(true);
		expect(JSON.parse(readFileSync(statePath, 'utf8')).version).toBe(1);
	});

	it('opens a second cockpit read-only; it follows the writer live and takeOver takes the lock', async () => {
		const {file, stateDir} = box();
		const writer = await open(file, stateDir);
		const reader = await open(file, stateDir);
		expect(writer.readOnly).toBe(false);
		expect(reader.readOnly).toBe(true);
		expect(reader.notices.join()).toMatch(/read-only/);
		await expect(reader.runStep(SET)).rejects.toThrow(/read-only/);
		const seen: string[] = [];
		reader.subscribe(e => {
			if (e.type === 'state') seen.push(e.state.steps[SET]?.status ?? 'none');
		});
		await writer.runStep(SET);
		await until(() => reader.getState().steps[SET]?.status === 'done');
		expect(seen).toContain('done');
		await writer.runStep(SHOW);
		await until(() => reader.getState().steps[SHOW]?.status === 'done');
		expect(reader.outputTail(SHOW)).toContain('env=staging');
		const third = await open(file, stateDir, {takeOver: true});
		expect(third.readOnly).toBe(false);
		await third.mark(SHOW, 'skipped', 'not needed');
		await expect(writer.mark(SHOW, 'done')).rejects.toThrow(/read-only/);
		await until(() => writer.readOnly);
	});

	it('maps statuses by step id when the checklist changed and reports steps that are gone', async () => {
		const {file, stateDir} = box();
		const first = await open(file, stateDir);
		await first.mark(SHOW, 'done');
		await first.mark('prepare/manual-check-on-the-dashboard', 'done');
		await first.close();
		writeFileSync(file, readFileSync(file, 'utf8').replace('- [ ] Manual check on the dashboard\n', '- [ ] A new step\n'));
		const second = await open(file, stateDir);
		expect(second.getState().steps[SHOW]?.status).toBe('done');
		expect(second.getState().orphans?.map(o => o.id)).toEqual(['prepare/manual-check-on-the-dashboard']);
		expect(second.notices.join('\n')).toMatch(/manual-check-on-the-dashboard.*no longer in the checklist/);
	});

	it('starts a fresh session with fresh: true and lists sessions', async () => {
		const {file, stateDir} = box();
		const first = await open(file, stateDir);
		await first.close();
		const second = await open(file, stateDir, {fresh: true});
		expect(second.getState().id).not.toBe(first.getState().id);
		const list = await listSessions(stateDir);
		expect(list.map(s => s.id).sort()).toEqual([first.getState().id, second.getState().id].sort());
		expect(list.find(s => s.id === second.getState().id)?.open).toBe(true);
		expect(existsSync(join(stateDir, 'sessions'))).toBe(true);
	});
});
