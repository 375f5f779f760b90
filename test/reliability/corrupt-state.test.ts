// Issue 16, items 5–7: a garbled meta.json, a state.json with wrong-typed
// fields, a state.json that is gone or unreadable. The session is still
// found and listed, opens without a crash (cockpit, status, report exit 0),
// what can be repaired is, and the step records come back from the audit
// log and the run files.
import {spawnSync} from 'node:child_process';
import {readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {listSessions, openSession} from '../../source/session/open.js';
import type {SessionHandle, StepRecord} from '../../source/session/types.js';
import {sandbox, until} from '../session/helpers.js';
import {renderCockpit} from '../ui/render-cockpit.js';

const SET = 'prepare/set-the-target';
const FAILS = 'prepare/fails-in-the-first-block';
const SLEEPS = 'prepare/sleeps';
const MANUAL = 'prepare/manual-check-on-the-dashboard';
const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.cjs');

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	// Each cleanup runs even when an earlier one fails (a tmpfs must never stay mounted).
	for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch(() => undefined);
	cleanups = [];
});

function box() {
	const b = sandbox();
	cleanups.push(b.cleanup);
	return b;
}

async function open(file: string, stateDir: string): Promise<SessionHandle> {
	const session = await openSession(file, {stateDir, cancelGraceMs: 300});
	cleanups.push(() => session.close());
	return session;
}

/** A session with a done, a failed and a manually marked step, closed. */
async function recorded(file: string, stateDir: string): Promise<{dir: string; id: string; steps: Record<string, StepRecord>}> {
	const session = await openSession(file, {stateDir, cancelGraceMs: 300});
	await session.runStep(SET);
	await session.runStep(FAILS);
	await session.mark(MANUAL, 'done', 'looked fine');
	const result = {dir: session.dir, id: session.getState().id, steps: structuredClone(session.getState().steps)};
	await session.close();
	return result;
}

/** The parts of a record both the state and its rebuild know. */
function essentials(record: StepRecord | undefined) {
	if (!record) return record;
	const {status, exitCode, by, startedAt, runId, logPath, title} = record;
	return {status, exitCode, by, startedAt, runId, logPath, title};
}

function cli(args: string[], stateDir: string) {
	return spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir}});
}

describe('a garbled meta.json', () => {
	it('is rebuilt from state.json: the session is found, resumed and listed', async () => {
		const {file, stateDir} = box();
		const before = await recorded(file, stateDir);
		writeFileSync(join(before.dir, 'meta.json'), '{"id": "x", "fi\u0000\u0000');
		const listed = await listSessions(stateDir);
		expect(listed.map(s => s.id)).toEqual([before.id]);
		expect(listed[0]!.file).toBe(file);
		expect(listed[0]!.problem).toMatch(/meta\.json is unreadable; rebuilt it from state\.json/);
		const session = await open(file, stateDir);
		expect(session.getState().id).toBe(before.id);
		expect(session.dir).toBe(before.dir);
		expect(session.getState().steps[SET]?.status).toBe('done');
		expect(session.notices.join('\n')).toMatch(/meta\.json is unreadable; rebuilt it/);
		expect(JSON.parse(readFileSync(join(before.dir, 'meta.json'), 'utf8'))).toMatchObject({id: before.id, file});
		expect(readdirSync(before.dir).some(n => n.startsWith('meta.json.corrupt-'))).toBe(true);
		const sessions = cli(['sessions', '--json'], stateDir);
		expect(sessions.status).toBe(0);
		expect(JSON.parse(sessions.stdout).map((s: {id: string}) => s.id)).toEqual([before.id]);
	});

	it('is rebuilt from the audit log when state.json is gone too', async () => {
		const {file, stateDir} = box();
		const before = await recorded(file, stateDir);
		writeFileSync(join(before.dir, 'meta.json'), 'garbage');
		unlinkSync(join(before.dir, 'state.json'));
		const listed = await listSessions(stateDir);
		expect(listed.map(s => [s.id, s.file])).toEqual([[before.id, file]]);
		const session = await open(file, stateDir);
		expect(session.getState().id).toBe(before.id);
	});
});

/** name, the change, what the notice says, nothing of value lost (so nothing is set aside). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the point is to put wrong types anywhere
type Mutation = [string, (state: Record<string, any>) => void, RegExp, boolean?];

const wrongTypes: Mutation[] = [
	['triggers: {}', s => (s.triggers = {}), /triggers was \{\}/, true],
	['triggers: a string', s => (s.triggers = 'none'), /triggers was "none" \(expected a list\)/],
	['orphans: {}', s => (s.orphans = {}), /orphans was \{\}/, true],
	['rollbacks: a number', s => (s.rollbacks = 7), /rollbacks was 7 \(expected a list\)/],
	['steps: a list', s => (s.steps = []), /steps was a list/],
	['exitCode: a string', s => (s.steps[FAILS].exitCode = 'three'), /steps\.prepare\/fails-in-the-first-block\.exitCode was "three"/],
	['exitCode: -1', s => (s.steps[FAILS].exitCode = -1), /exitCode was -1 \(expected an exit code 0–255 or null\)/],
	['status unknown', s => (s.steps[SET].status = 'finished'), /steps\.prepare\/set-the-target was an object \(expected a status/],
	['notes: a string', s => (s.steps[MANUAL].notes = 'one note'), /notes was a text/, true],
	['shell.vars: a string', s => (s.shell.vars = 'A=1'), /shell\.vars was "A=1"/],
	['shell: null', s => (s.shell = null), /shell was null/],
	['cursor: a number', s => (s.cursor = 5), /cursor was 5/],
	['baseline: a list', s => (s.baseline = [1, 2]), /baseline was a list/],
	['a trigger without a kind', s => (s.triggers = [{at: '2026-01-01T00:00:00Z', message: 'm'}]), /triggers\[0\] was an object/],
	['durationMs: a string', s => (s.steps[SET].durationMs = '12s'), /durationMs was "12s"/],
];

describe('a state.json with wrong-typed fields', () => {
	for (const [name, mutate, said, lossless] of wrongTypes) {
		it(`opens, repairs and reports: ${name}`, async () => {
			const {file, stateDir} = box();
			const before = await recorded(file, stateDir);
			const path = join(before.dir, 'state.json');
			const state = JSON.parse(readFileSync(path, 'utf8'));
			mutate(state);
			writeFileSync(path, JSON.stringify(state));

			// status and report read it and exit 0.
			const status = cli(['status', file], stateDir);
			expect(status.stderr).toBe('');
			expect(status.status).toBe(0);
			expect(status.stdout).toMatch(said);
			const report = cli(['report', file, '--out', join(stateDir, 'report.md')], stateDir);
			expect(report.status, report.stderr).toBe(0);

			// The cockpit opens it (the store and the first frame use every list).
			const session = await open(file, stateDir);
			expect(session.notices.join('\n')).toMatch(said);
			const got = session.getState();
			expect(Array.isArray(got.triggers) && Array.isArray(got.rollbacks)).toBe(true);
			expect(typeof got.shell.cwd === 'string' && typeof got.shell.vars === 'object').toBe(true);
			for (const record of Object.values(got.steps)) expect(record.exitCode === null || Number.isInteger(record.exitCode)).toBe(true);
			const view = await renderCockpit(session);
			cleanups.push(() => view.unmount());
			await view.waitFor(f => f.includes('Carry demo'), 'the first frame');
			// What was set aside is kept next to the state, not lost.
			expect(readdirSync(before.dir).some(n => n.startsWith('state.json.set-aside-'))).toBe(!lossless);
		});
	}

	it('keeps the fields that were right', async () => {
		const {file, stateDir} = box();
		const before = await recorded(file, stateDir);
		const path = join(before.dir, 'state.json');
		const state = JSON.parse(readFileSync(path, 'utf8'));
		state.triggers = {};
		state.steps[FAILS].exitCode = 'x';
		writeFileSync(path, JSON.stringify(state));
		const session = await open(file, stateDir);
		expect(session.getState().steps[SET]).toEqual(before.steps[SET]);
		expect(session.getState().steps[FAILS]).toEqual({...before.steps[FAILS], exitCode: null});
		expect(session.getState().shell.vars.TARGET_ENV).toBe('staging');
	});
});

describe('a lost state.json', () => {
	for (const how of ['deleted', 'corrupt'] as const) {
		it(`(${how}) gets its step records back from the audit log and the run files`, async () => {
			const {file, stateDir} = box();
			const before = await recorded(file, stateDir);
			const path = join(before.dir, 'state.json');
			if (how === 'deleted') unlinkSync(path);
			else writeFileSync(path, '{"version": 1, "steps": {"prepare/set-the-tar');
			const session = await open(file, stateDir);
			const steps = session.getState().steps;
			expect(Object.keys(steps).sort()).toEqual(Object.keys(before.steps).sort());
			for (const id of [SET, FAILS, MANUAL]) expect(essentials(steps[id])).toEqual(essentials(before.steps[id]));
			expect(steps[FAILS]).toMatchObject({status: 'failed', exitCode: 3});
			expect(steps[MANUAL]!.notes).toEqual(['looked fine']);
			expect(session.notices.join('\n')).toMatch(/rebuilt 3 step records from the audit log and the run files/);
		});
	}

	it('gets back a run the audit log never saw, from its run files', async () => {
		const {file, stateDir} = box();
		const before = await recorded(file, stateDir);
		const audit = join(before.dir, 'audit.jsonl');
		const kept = readFileSync(audit, 'utf8').split('\n').filter(l => !l.includes(`"stepId":"${SET}"`));
		writeFileSync(audit, kept.join('\n'));
		unlinkSync(join(before.dir, 'state.json'));
		const session = await open(file, stateDir);
		expect(session.getState().steps[SET]).toMatchObject({status: 'done', exitCode: 0, runId: before.steps[SET]!.runId});
	});

	it('follows a run that is still going and records its end', async () => {
		const {file, stateDir, dir} = box();
		// A step that ends by itself soon.
		writeFileSync(file, readFileSync(file, 'utf8').replace('sleep 300 &\n  echo started\n  sleep 300', 'echo started\n  sleep 3'));
		const first = await openSession(file, {stateDir, cancelGraceMs: 300});
		void first.runStep(SLEEPS);
		await until(() => first.getState().steps[SLEEPS]?.status === 'running' && first.outputTail(SLEEPS).includes('started'));
		const sessionDir = first.dir;
		await first.close();
		rmSync(join(sessionDir, 'state.json'));
		const second = await open(file, stateDir);
		// Still running (followed again), or ended meanwhile on a slow machine (its exit file read).
		expect(['running', 'done']).toContain(second.getState().steps[SLEEPS]?.status);
		await until(() => second.getState().steps[SLEEPS]?.status === 'done', 10_000);
		void dir;
	});
});

describe('the state check on a state the cockpit wrote itself', () => {
	it('finds nothing to repair', async () => {
		const {checkState, Findings} = await import('../../source/session/state-schema.js');
		const at = '2026-11-27T10:00:00.000Z';
		const state = {
			version: 1, id: 's', file: '/x.md', hash: 'h', createdAt: at, windowStartedAt: at,
			steps: {a: {status: 'done', exitCode: 0, signal: null, by: 'u@h', startedAt: at, endedAt: at, durationMs: 5, runId: 'r', logPath: '/l', title: 'A', notes: ['n'], segment: 1, timedOut: true, cancelRequestedAt: at, error: 'e'}},
			shell: {cwd: '/', vars: {A: '1'}, exported: ['A']},
			cursor: {stepId: 'a', pane: 'steps'},
			orphans: [{id: 'gone', title: 'Gone', record: {status: 'failed', exitCode: 2}}],
			baseline: {t: {value: 1.5, at}}, latest: {t: {value: null, at}}, baselineAlerts: ['k'],
			triggers: [{at, kind: 'threshold', message: 'm', value: 3, ticked: true}], seq: 7,
			rollbacks: [{id: 'rb', procedure: null, by: 'u@h', startedAt: at, endedAt: at, outcome: 'done', trigger: {at, kind: 'alert', message: 'x'}, steps: [{id: 'a', status: 'done', exitCode: 0, startedAt: at, endedAt: at}, null]}],
		};
		const found = new Findings();
		const checked = checkState(structuredClone(state), {id: 's', file: '/x.md', hash: 'h', cwd: '/', createdAt: at}, found);
		expect(found.problems).toEqual([]);
		expect(checked).toEqual(state);
	});

	it('reports nothing when a recorded session is reopened', async () => {
		const {file, stateDir} = box();
		await recorded(file, stateDir);
		const session = await open(file, stateDir);
		expect(session.notices.join('\n')).not.toMatch(/wrong-typed|rebuilt/);
	});
});
