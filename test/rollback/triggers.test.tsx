// Triggers with the real metrics slice polling an HTTP stand-in for
// Prometheus, a real session and the real cockpit.
import {readFileSync, writeFileSync} from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import {readAudit} from '../../source/session/audit.js';
import {startFakePrometheus, type FakePrometheus} from '../metrics/fake-prometheus.js';
import {KEYS, renderCockpit, type Rendered} from '../ui/render-cockpit.js';
import {stepIdOf, until, waitFrame, workspace, type Workspace} from './helpers.js';

let r: Rendered | undefined;
let ws: Workspace | undefined;
let prom: FakePrometheus | undefined;
afterEach(async () => {
	r?.unmount();
	r = undefined;
	await ws?.cleanup();
	ws = undefined;
	await prom?.close();
	prom = undefined;
});

async function setup(errorRatio: number) {
	prom = await startFakePrometheus({'app:error_ratio': errorRatio});
	ws = workspace('watched.md');
	writeFileSync(ws.file('watched.md'), readFileSync(ws.file('watched.md'), 'utf8').replace('PROM_URL', prom.url));
	const session = await ws.open('watched.md');
	r = await renderCockpit(session, {columns: 120, rows: 36});
	return {session, r, prom};
}

describe('rollback triggers', () => {
	it('a tile crossing crit raises the banner once, records it with time and value, and R then y rolls back with the trigger attached', async () => {
		const {session, r, prom} = await setup(0.01);
		await waitFrame(r, f => f.includes('1.00%'), 'the tile to show the value');
		expect(r.store.getState().triggerBanner).toBeNull();

		prom.values.set('app:error_ratio', 0.062);
		const frame = await waitFrame(r, f => f.includes('rollback trigger:'), 'the trigger banner');
		expect(frame).toMatch(/rollback trigger: Error rate 6\.20% > (0\.05|5(\.00)?%) — R to roll back/);
		const trigger = await until(() => session.getState().triggers[0], 'the trigger record');
		expect(trigger).toMatchObject({kind: 'threshold', value: 0.062});
		expect(Date.parse(trigger.at)).toBeGreaterThan(Date.now() - 60_000);
		// Still crit on the next polls: no second trigger.
		await new Promise(res => setTimeout(res, 2200));
		expect(session.getState().triggers).toHaveLength(1);

		await r.press('R');
		await waitFrame(r, f => f.includes('Rollback · Emergency Rollback'));
		expect(r.frame()).toContain('⚑ rollback trigger: Error rate 6.20%');
		await r.press('y');
		await waitFrame(r, f => f.includes('· done ·'), 'the rollback to finish');
		const rec = await until(() => session.getState().rollbacks.find(x => x.outcome === 'done'), 'the rollback record');
		expect(rec.trigger).toMatchObject({kind: 'threshold', value: 0.062});
		// The banner is gone once a rollback started after the trigger.
		await waitFrame(r, f => !f.includes('rollback trigger:') || f.includes('Rollback ·'), 'banner gone');
		await r.press(KEYS.escape);
		await waitFrame(r, f => !f.includes('rollback trigger:'), 'banner gone after closing the panel');
		const audit = await readAudit(session.dir);
		expect(audit.find(e => e.type === 'trigger')).toMatchObject({kind: 'threshold', value: 0.062});

		// Back under crit and over again: a new trigger.
		prom.values.set('app:error_ratio', 0.01);
		await waitFrame(r, f => f.includes('1.00%'));
		prom.values.set('app:error_ratio', 0.09);
		await waitFrame(r, f => f.includes('rollback trigger: Error rate 9.00%'), 'a second trigger');
		expect(session.getState().triggers).toHaveLength(2);
	});

	it('a NEW firing alert raises a trigger; d in the panel dismisses the banner and keeps the record', async () => {
		const {session, r, prom} = await setup(0.01);
		await waitFrame(r, f => f.includes('1.00%'));
		await until(() => session.getState().baselineAlerts, 'the alerts baseline', 15_000);
		prom.alerts.push('SearchErrorsHigh');
		// The alerts tile polls on its own (slower) interval.
		await until(() => r.store.getState().triggerBanner?.includes('new firing alert: SearchErrorsHigh'), 'the alert trigger', 20_000);
		await waitFrame(r, f => f.includes('rollback trigger: new firing alert: SearchErrorsHigh'));
		await r.press('R');
		await waitFrame(r, f => f.includes('d dismisses the trigger'));
		await r.press('d');
		await r.press(KEYS.escape);
		await waitFrame(r, f => !f.includes('rollback trigger:'), 'the banner to go');
		const t = await until(() => session.getState().triggers.find(x => x.ticked), 'the acknowledged record');
		expect(t).toMatchObject({kind: 'alert', message: 'new firing alert: SearchErrorsHigh', ticked: true});
	});

	it('a failed step in a high-risk section raises a trigger; in a low-risk section it does not', async () => {
		const {session, r} = await setup(0.01);
		await session.runStep(stepIdOf(session, 'Remove temp files'));
		await new Promise(res => setTimeout(res, 200));
		expect(session.getState().triggers).toEqual([]);
		await session.runStep(stepIdOf(session, 'Shift traffic'));
		await waitFrame(r, f => f.includes('rollback trigger: high-risk step failed: Shift traffic (exit 2)'), 'the step trigger');
		expect(session.getState().triggers[0]).toMatchObject({kind: 'step-failed', value: 2});
	});

	it('items of the trigger section are ticked with Space and the ticks are audited', async () => {
		const {session, r} = await setup(0.01);
		const id = stepIdOf(session, 'Error rate above 5%');
		r.store.getState().select(id);
		await r.press(KEYS.space);
		await until(() => session.getState().steps[id]?.status === 'done', 'the item to be ticked');
		let ticks: unknown[] = [];
		for (let i = 0; i < 50 && ticks.length === 0; i++) {
			ticks = (await readAudit(session.dir)).filter(e => e.type === 'trigger-tick' && e.stepId === id);
			await new Promise(res => setTimeout(res, 20));
		}
		expect(ticks).toHaveLength(1);
	});
});
