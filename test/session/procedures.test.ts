// Rollback procedures at the session level (real procedure and runner
// processes, real files): the cockpit dies right after starting one, before
// it recorded the rollback; the procedure runs every step; the next open
// records the rollback from the procedure file, adopts each run and records
// the rollback done. A failing step stops the procedure where it failed.
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {ProcedureFile} from '../../source/engine/procedure-files.js';
import {openSession} from '../../source/session/open.js';
import type {RollbackRecord, SessionHandle} from '../../source/session/types.js';
import {sandbox, until} from './helpers.js';

const fence = '```';
const CHECKLIST = `# Shop

## Rollback

- [ ] One
  ${fence}bash
  echo one >> order.log
  export FROM_ONE=carried
  ${fence}
- [ ] Two
  ${fence}bash
  echo "two $FROM_ONE" >> order.log
  [ -f fail ] && exit 6
  true
  ${fence}
- [ ] Three
  ${fence}bash
  echo three >> order.log
  ${fence}
`;

const IDS = ['rollback/one', 'rollback/two', 'rollback/three'];
let box: ReturnType<typeof sandbox> | undefined;
const open: SessionHandle[] = [];

afterEach(async () => {
	for (const s of open.splice(0)) await s.close().catch(() => undefined);
	box?.cleanup();
	box = undefined;
});

async function session(): Promise<SessionHandle> {
	const s = await openSession(box!.file, {stateDir: box!.stateDir});
	open.push(s);
	return s;
}

function procedureFile(s: SessionHandle, rollbackId: string): ProcedureFile | undefined {
	const path = join(s.dir, 'runs', `${rollbackId}.procedure.json`);
	return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ProcedureFile) : undefined;
}

async function startAndDie(): Promise<{rollbackId: string; first: SessionHandle}> {
	box = sandbox();
	writeFileSync(box.file, CHECKLIST);
	const first = await session();
	const rollbackId = 'rb-test-1';
	const record: RollbackRecord = {id: rollbackId, procedure: 'rollback', by: 'tester', startedAt: new Date().toISOString(), outcome: 'running', steps: []};
	await first.startProcedure!({rollbackId, stepIds: IDS, from: 0, record});
	// The cockpit goes before it recorded anything of the rollback.
	await first.close();
	open.splice(open.indexOf(first), 1);
	return {rollbackId, first};
}

describe('rollback procedures outlive the session that started them', () => {
	it('all steps run in order, once; the next open records the rollback, its runs and its end', {timeout: 60_000}, async () => {
		const {rollbackId, first} = await startAndDie();
		await until(() => procedureFile(first, rollbackId)?.state === 'done', 30_000);
		expect(readFileSync(join(box!.dir, 'order.log'), 'utf8')).toBe('one\ntwo carried\nthree\n');

		const again = await session();
		const state = again.getState();
		for (const id of IDS) expect(state.steps[id]).toMatchObject({status: 'done', exitCode: 0});
		const rollback = state.rollbacks.find(r => r.id === rollbackId);
		expect(rollback).toMatchObject({outcome: 'done', procedure: 'rollback'});
		expect(rollback!.steps.map(s => [s.id, s.status])).toEqual(IDS.map(id => [id, 'done']));
		expect(again.notices.join('\n')).toMatch(/rollback rollback finished while no cockpit was following it/);
		// Reopening again records nothing twice.
		const seq = state.seq;
		await again.close();
		open.splice(open.indexOf(again), 1);
		const third = await session();
		expect(third.getState().seq).toBe(seq);
	});

	it('a failing step stops the procedure there: the next step never runs; the rollback waits', {timeout: 60_000}, async () => {
		box = sandbox();
		writeFileSync(join(box.dir, 'fail'), '');
		writeFileSync(box.file, CHECKLIST);
		const first = await session();
		const rollbackId = 'rb-test-2';
		const record: RollbackRecord = {id: rollbackId, procedure: 'rollback', by: 'tester', startedAt: new Date().toISOString(), outcome: 'running', steps: []};
		await first.startProcedure!({rollbackId, stepIds: IDS, from: 0, record});
		await first.close();
		open.splice(open.indexOf(first), 1);
		await until(() => procedureFile(first, rollbackId)?.state === 'stopped', 30_000);
		expect(procedureFile(first, rollbackId)?.stoppedAt).toMatchObject({index: 1, stepId: 'rollback/two', reason: 'failed', exitCode: 6});
		expect(readFileSync(join(box.dir, 'order.log'), 'utf8')).toBe('one\ntwo carried\n');

		const again = await session();
		const state = again.getState();
		expect(state.steps['rollback/one']).toMatchObject({status: 'done'});
		expect(state.steps['rollback/two']).toMatchObject({status: 'failed', exitCode: 6});
		expect(state.steps['rollback/three']).toBeUndefined();
		const rollback = state.rollbacks.find(r => r.id === rollbackId)!;
		expect(rollback.outcome).toBe('running');
		expect(rollback.steps.map(s => s?.status)).toEqual(['done', 'failed']);
		expect(again.notices.join('\n')).toMatch(/stopped at step 2 \(rollback\/two\): failed \(exit 6\)/);
	});
});
