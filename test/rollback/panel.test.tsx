import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {readAudit} from '../../source/session/audit.js';
import {PASTE_END, PASTE_START} from '../../source/ui/input/parse-keys.js';
import {KEYS, renderCockpit, type Rendered} from '../ui/render-cockpit.js';
import {stepIdOf, until, waitFrame, workspace, type Workspace} from './helpers.js';

let r: Rendered | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
	r?.unmount();
	r = undefined;
	await ws?.cleanup();
	ws = undefined;
});

describe('rollback panel', () => {
	it('R while a forward step runs, y runs the procedure; a failure waits for r/s/a; the forward step is left alone', async () => {
		ws = workspace('deploy.md');
		const session = await ws.open('deploy.md');
		r = await renderCockpit(session);
		const longId = stepIdOf(session, 'Long rollout');
		void session.runStep(longId);
		await until(() => session.getState().steps[longId]?.status === 'running', 'the long step to run');

		await r.press('R');
		const shown = await waitFrame(r, f => f.includes('Rollback · Immediate Rollback'), 'the rollback panel');
		// The plan: both procedures offered, the immediate one preselected, exact commands shown.
		expect(shown).toContain('› Immediate Rollback (3 steps)');
		expect(shown).toContain('Planned Rollback (1 step)');
		expect(shown).toContain('$ echo RB-FLIP-MARKER');
		expect(shown).toContain('forward step still running');

		await r.press('y');
		await waitFrame(r, f => f.includes('step failed'), 'the second rollback step to fail');
		expect(existsSync(join(ws.dir, 'rb-flip.done'))).toBe(true);
		expect(r.frame()).toContain('r retry · s skip · a abort');
		expect(r.frame()).toContain('restore failed once');
		// The forward step was not touched.
		expect(session.getState().steps[longId]?.status).toBe('running');

		await r.press('r');
		await waitFrame(r, f => f.includes('manual step'), 'the retry to pass and the manual step to wait');
		expect(r.store.getState().rollback.run?.steps.map(s => s.status)).toEqual(['done', 'done', 'pending']);
		await r.press(KEYS.space);
		await waitFrame(r, f => f.includes('· done ·'), 'the rollback to finish');

		const rec = await until(() => session.getState().rollbacks.find(x => x.outcome === 'done'), 'the rollback record');
		expect(rec.procedure).toBe(session.checklist.rollback.default);
		expect(rec.steps.map(s => s.status)).toEqual(['done', 'done', 'done']);
		expect(rec.steps[1]!.exitCode).toBe(0);
		expect(rec.by).toMatch(/@/);
		expect(session.getState().steps[longId]?.status).toBe('running');

		let types: string[] = [];
		for (let i = 0; i < 100 && !types.includes('rollback-end'); i++) {
			types = (await readAudit(session.dir)).map(e => e.type);
			await new Promise(res => setTimeout(res, 20));
		}
		expect(types).toContain('rollback-end');
		expect(types).toContain('rollback-start');
		expect(types.filter(t => t === 'rollback-step').length).toBeGreaterThanOrEqual(3);
	});

	it('c in the panel cancels the running forward step; x cancels the running rollback step (then r/s/a)', async () => {
		ws = workspace('deploy.md');
		const session = await ws.open('deploy.md');
		r = await renderCockpit(session);
		const longId = stepIdOf(session, 'Long rollout');
		const forward = session.runStep(longId);
		await until(() => session.getState().steps[longId]?.status === 'running', 'the long step to run');
		await r.press('R');
		await waitFrame(r, f => f.includes('forward step still running'));
		await r.press('c');
		expect((await forward).status).toBe('cancelled');
		await waitFrame(r, f => !f.includes('forward step still running'), 'the notice to go');

		// A rollback step that hangs: x cancels it and the failure choice appears.
		const hang = session.checklist.steps.find(st => st.title === 'Announce the planned rollback')!;
		hang.blocks[0]!.code = 'echo waiting; sleep 30';
		await r.press('j');
		await r.press('y');
		await waitFrame(r, f => f.includes('x cancels this rollback step'), 'the rollback step running');
		await r.press('x');
		await waitFrame(r, f => f.includes('r retry · s skip · a abort'), 'the cancelled step to offer r/s/a');
		expect(r.store.getState().rollback.run?.steps[0]?.status).toBe('cancelled');
		await r.press('a');
		await until(() => session.getState().rollbacks.find(x => x.outcome === 'aborted'), 'the aborted record');
	});

	it('skip and abort', async () => {
		ws = workspace('deploy.md');
		const session = await ws.open('deploy.md');
		r = await renderCockpit(session);
		await r.press('R');
		await waitFrame(r, f => f.includes('Rollback · Immediate Rollback'));
		await r.press('y');
		await waitFrame(r, f => f.includes('step failed'));
		await r.press('s');
		await waitFrame(r, f => f.includes('manual step'));
		await r.press('a');
		await waitFrame(r, f => f.includes('· aborted ·'));
		const rec = await until(() => session.getState().rollbacks.find(x => x.outcome === 'aborted'), 'aborted record');
		expect(rec.steps.map(s => s.status)).toEqual(['done', 'skipped']);
	});

	it('the chooser moves between procedures and runs the chosen one', async () => {
		ws = workspace('deploy.md');
		const session = await ws.open('deploy.md');
		r = await renderCockpit(session);
		await r.press('R');
		await waitFrame(r, f => f.includes('› Immediate Rollback'));
		await r.press('j');
		const f = await waitFrame(r, f => f.includes('› Planned Rollback'));
		expect(f).toContain('$ echo RB-PLANNED-MARKER');
		expect(f).not.toContain('$ echo RB-FLIP-MARKER');
		await r.press('y');
		await waitFrame(r, f => f.includes('· done ·'));
		expect(r.frame()).toContain('RB-PLANNED-MARKER');
		const rec = await until(() => session.getState().rollbacks.find(x => x.outcome === 'done'), 'record');
		expect(rec.procedure).toBe(session.checklist.sections.find(s => s.title === 'Planned Rollback')!.id);
	});

	it('refuses a y that arrived batched with other keys or pasted; Enter never starts it; Esc closes', async () => {
		ws = workspace('deploy.md');
		const session = await ws.open('deploy.md');
		r = await renderCockpit(session);
		await r.press('R');
		await waitFrame(r, f => f.includes('Rollback · Immediate Rollback'));
		await r.press('jy');
		expect(r.frame()).toContain('press it again on its own');
		await r.press(`${PASTE_START}y${PASTE_END}`);
		await r.press(KEYS.enter);
		expect(r.frame()).toContain('Enter never starts a rollback');
		await new Promise(res => setTimeout(res, 200));
		expect(session.getState().rollbacks).toEqual([]);
		expect(r.store.getState().rollback.run).toBeNull();
		expect(existsSync(join(ws.dir, 'rb-flip.done'))).toBe(false);
		await r.press(KEYS.escape);
		await waitFrame(r, () => r!.store.getState().overlay === null, 'the panel to close');
	});

	it('no procedure: says so, lists the references; --rollback FILE loads a runbook that runs the same way', async () => {
		ws = workspace('no-procedure.md', 'runbook.md');
		const session = await ws.open('no-procedure.md');
		r = await renderCockpit(session);
		await r.press('R');
		const f = await waitFrame(r, f => f.includes('no rollback procedure'), 'the no-procedure text');
		expect(f).toContain('runbooks/cache-rollback.md');
		expect(f).toContain('--rollback FILE');
		await r.press(KEYS.escape);
		r.unmount();

		r = await renderCockpit(session, {deps: {options: {file: session.checklist.file!, dryRun: false, rollbackFile: ws.file('runbook.md')}}});
		await r.press('R');
		const plan = await waitFrame(r, f => f.includes('$ echo RUNBOOK-MARKER-ONE'), 'the runbook plan');
		expect(plan).toContain('Cache cluster rollback runbook');
		await r.press('y');
		await waitFrame(r, f => f.includes('· done ·'), 'the runbook rollback to finish');
		// The output pane is redrawn on its own throttle: the last step's output may show a frame after "done".
		expect(await waitFrame(r, f => f.includes('RUNBOOK-MARKER-TWO'), 'the last step\'s output')).toContain('RUNBOOK-MARKER-TWO');
		const rec = await until(() => session.getState().rollbacks.find(x => x.outcome === 'done'), 'record in the main session');
		expect(rec.procedure).toBe(ws.file('runbook.md'));
		expect(rec.steps.map(s => s.status)).toEqual(['done', 'done']);
	});

	it('a frontmatter rollback: PATH loads that runbook (relative to the checklist)', async () => {
		ws = workspace('frontmatter-runbook.md', 'runbook.md');
		const session = await ws.open('frontmatter-runbook.md');
		r = await renderCockpit(session);
		await r.press('R');
		await waitFrame(r, f => f.includes('$ echo RUNBOOK-MARKER-ONE'), 'the runbook plan');
		await r.press('y');
		await waitFrame(r, f => f.includes('· done ·'), 'the runbook rollback to finish');
		const rec = await until(() => session.getState().rollbacks.find(x => x.outcome === 'done'), 'the record');
		expect(rec.procedure).toBe(ws.file('runbook.md'));
	});

	it('a read-only follower shows the plan but refuses to start a rollback', async () => {
		ws = workspace('deploy.md');
		await ws.open('deploy.md');
		const follower = await ws.open('deploy.md');
		expect(follower.readOnly).toBe(true);
		r = await renderCockpit(follower);
		await r.press('R');
		await waitFrame(r, f => f.includes('$ echo RB-FLIP-MARKER'));
		await r.press('y');
		await waitFrame(r, f => f.includes('read-only: another cockpit holds this session'), 'the refusal');
		await new Promise(res => setTimeout(res, 200));
		expect(existsSync(join(ws.dir, 'rb-flip.done'))).toBe(false);
		expect(r.store.getState().rollback.run).toBeNull();
	});

	it('dry run: the panel shows what would run and runs nothing', async () => {
		ws = workspace('deploy.md');
		const session = await ws.open('deploy.md');
		r = await renderCockpit(session, {dryRun: true});
		await r.press('R');
		await waitFrame(r, f => f.includes('DRY RUN') && f.includes('$ echo RB-FLIP-MARKER'));
		await r.press('y');
		await waitFrame(r, f => f.includes('dry run: would run 3 step(s)'));
		await new Promise(res => setTimeout(res, 300));
		expect(existsSync(join(ws.dir, 'rb-flip.done'))).toBe(false);
		expect(session.getState().rollbacks).toEqual([]);
		expect(Object.keys(session.getState().steps)).toEqual([]);
	});

	it('placeholders in a rollback command are asked for before it starts', async () => {
		ws = workspace('deploy.md');
		const md = readFileSync(ws.file('deploy.md'), 'utf8').replace('echo RB-PLANNED-MARKER', 'echo RB-PLANNED-MARKER for <release>');
		const {writeFileSync} = await import('node:fs');
		writeFileSync(ws.file('deploy.md'), md);
		const session = await ws.open('deploy.md');
		r = await renderCockpit(session);
		await r.press('R');
		await waitFrame(r, f => f.includes('› Immediate Rollback'));
		await r.press('j');
		await waitFrame(r, f => f.includes('needs: <release>'));
		await r.press('y');
		await waitFrame(r, f => f.includes('<release> = '));
		await r.press(KEYS.enter);
		expect(r.frame()).toContain('<release> needs a value');
		for (const ch of 'v41') await r.press(ch);
		await r.press(KEYS.enter);
		await waitFrame(r, f => f.includes('· done ·'));
		expect(r.frame()).toContain('RB-PLANNED-MARKER for v41');
	});
});
