// The rollback as the CLI sees it (status --json lists it) and dry runs that
// run nothing, headless and in the cockpit.
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {cockpitDeps, createCockpitStore, startEngines, type StoreDeps} from '../../source/store/index.js';
import {KEYS, renderCockpit, type Rendered} from '../ui/render-cockpit.js';
import {stepIdOf, until, waitFrame, workspace, type Workspace} from './helpers.js';

const bin = fileURLToPath(new URL('../../bin/deploycockpit.cjs', import.meta.url));
let ws: Workspace | undefined;
let r: Rendered | undefined;
afterEach(async () => {
	r?.unmount();
	r = undefined;
	await ws?.cleanup();
	ws = undefined;
});

const cli = (w: Workspace, ...args: string[]) =>
	spawnSync(process.execPath, [bin, ...args], {cwd: w.dir, encoding: 'utf8', env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: w.stateDir, NO_COLOR: '1'}});

describe('rollback records and dry runs', () => {
	it('status --json lists the rollbacks: who, when, procedure, trigger, each step result', async () => {
		ws = workspace('deploy.md');
		const session = await ws.open('deploy.md');
		const deps: StoreDeps = cockpitDeps({session, options: {file: session.checklist.file!, dryRun: false}, config: {}, now: () => Date.now(), env: {}});
		const store = createCockpitStore(deps);
		const stop = startEngines(store, deps);
		try {
			store.getState().openOverlay('rollback');
			store.getState().rollbackChoose(1); // Planned Rollback: one step
			store.getState().rollbackConfirm();
			await until(() => store.getState().rollback.phase === 'finished', 'the rollback to finish');
			await until(() => session.getState().rollbacks[0]?.outcome === 'done', 'the record');
		} finally {
			stop();
		}
		await session.close();
		const res = cli(ws, 'status', 'deploy.md', '--json');
		expect(res.status, res.stderr).toBe(0);
		const json = JSON.parse(res.stdout) as {rollbacks: Array<Record<string, unknown>>};
		expect(json.rollbacks).toHaveLength(1);
		const rb = json.rollbacks[0]!;
		expect(rb).toMatchObject({procedure: session.checklist.sections.find(s => s.title === 'Planned Rollback')!.id, outcome: 'done'});
		expect(rb.by).toMatch(/@/);
		expect(typeof rb.startedAt).toBe('string');
		expect(typeof rb.endedAt).toBe('string');
		expect(rb.steps).toEqual([expect.objectContaining({id: stepIdOf(session, 'Announce the planned rollback'), status: 'done', exitCode: 0})]);
	});

	it('headless run --dry-run shows the commands and runs nothing', async () => {
		ws = workspace('deploy.md');
		const res = cli(ws, 'run', 'deploy.md', '--step', 'immediate-rollback/flip-traffic-back', '--dry-run');
		expect(res.status, res.stderr).toBe(0);
		expect(res.stdout).toContain('touch rb-flip.done');
		await new Promise(res2 => setTimeout(res2, 300));
		expect(existsSync(join(ws.dir, 'rb-flip.done'))).toBe(false);
		const status = JSON.parse(cli(ws, 'status', 'deploy.md', '--json').stdout) as {steps: Array<{id: string; status: string}>};
		expect(status.steps.find(s => s.id === 'immediate-rollback/flip-traffic-back')?.status).toBe('pending');
		const sessions = join(ws.stateDir, 'sessions');
		const logs = existsSync(sessions) ? readdirSync(sessions).flatMap(d => (existsSync(join(sessions, d, 'runs')) ? readdirSync(join(sessions, d, 'runs')) : [])) : [];
		expect(logs).toEqual([]);
	});

	it('the cockpit with the dry-run option: Enter shows what would run and runs nothing', async () => {
		ws = workspace('deploy.md');
		const session = await ws.open('deploy.md');
		r = await renderCockpit(session, {dryRun: true});
		r.store.getState().select(stepIdOf(session, 'Flip traffic back'));
		await r.press(KEYS.enter);
		await waitFrame(r, f => f.includes('Dry run') && f.includes('touch rb-flip.done'), 'the dry-run overlay');
		await r.press(KEYS.enter);
		await new Promise(res => setTimeout(res, 300));
		expect(existsSync(join(ws.dir, 'rb-flip.done'))).toBe(false);
		expect(session.getState().steps).toEqual({});
	});
});
