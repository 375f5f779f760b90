// `deploycockpit report` on a real session: steps run through the real
// engine, a rollback and triggers recorded, tiles at baseline and at the end.
import {spawnSync} from 'node:child_process';
import {readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {buildReport, duration, stripAnsi} from '../../source/session/report.js';
import {stepIdOf, workspace, type Workspace} from '../rollback/helpers.js';

const bin = fileURLToPath(new URL('../../bin/deploycockpit.cjs', import.meta.url));
let ws: Workspace | undefined;
afterEach(async () => {
	await ws?.cleanup();
	ws = undefined;
});

const cli = (w: Workspace, ...args: string[]) =>
	spawnSync(process.execPath, [bin, ...args], {cwd: w.dir, encoding: 'utf8', env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: w.stateDir, NO_COLOR: '1'}});

describe('deployment report', () => {
	it('writes the change record: window, who, steps with status/times/exit codes, failure tails, rollbacks with triggers, tiles', async () => {
		ws = workspace('report.md');
		const session = await ws.open('report.md');
		await session.runStep(stepIdOf(session, 'Build'));
		await session.runStep(stepIdOf(session, 'Migrate the schema'));
		await session.mark(stepIdOf(session, 'Tell the team'), 'skipped', 'nobody around');
		const trigger = {at: '2026-11-22T02:40:00.000Z', kind: 'threshold' as const, message: 'Error rate 6.20% > 5%', value: 0.062};
		await session.apply([
			{kind: 'trigger-fired', trigger},
			{
				kind: 'rollback-started',
				rollback: {
					id: 'rb-1',
					procedure: session.checklist.rollback.default,
					by: 'oncall@box',
					startedAt: '2026-11-22T02:41:00.000Z',
					trigger,
					outcome: 'running',
					steps: [],
				},
			},
			{kind: 'rollback-step', rollbackId: 'rb-1', index: 0, step: {id: stepIdOf(session, 'Restore the old schema'), status: 'done', exitCode: 0, startedAt: '2026-11-22T02:41:00.000Z', endedAt: '2026-11-22T02:43:30.000Z'}},
			{kind: 'rollback-ended', at: '2026-11-22T02:43:30.000Z', rollbackId: 'rb-1', outcome: 'done'},
			{kind: 'baseline-taken', baseline: {'error-rate': {value: 0.004, at: '2026-11-22T02:00:00.000Z'}, 'p99': {value: 0.25, at: '2026-11-22T02:00:00.000Z'}}},
			{kind: 'latest-values', latest: {'error-rate': {value: 0.062, at: '2026-11-22T02:40:00.000Z'}, 'p99': {value: 0.3, at: '2026-11-22T02:40:00.000Z'}}},
		]);
		await session.close();

		const out = join(ws.dir, 'change.md');
		const res = cli(ws, 'report', 'report.md', '--out', out, '--lines', '5');
		expect(res.status, res.stderr).toBe(0);
		expect(statSync(out).mode & 0o777).toBe(0o600);
		const md = readFileSync(out, 'utf8');

		expect(md).toMatch(/^# Change record: Catalog service release/);
		expect(md).toMatch(/\*\*Window\*\*: planned 1h 30m; actual /);
		expect(md).toMatch(/\*\*Run by\*\*: [^\n]*@/);
		expect(md).toContain('**Steps**: 5 — 1 done, 1 failed, 1 skipped, 2 pending');
		expect(md).toContain('### Ship (1/3) · risk: High');
		expect(md).toMatch(/\| ✓ \| Build `ship\/build` \| done \| [^|]+@[^|]+ \| 20\d\d-[^|]+ \| 20\d\d-[^|]+ \| [^|]+ \| 0 \|/);
		expect(md).toMatch(/\| ✗ \| Migrate the schema `ship\/migrate-the-schema` \| failed \|[^\n]*\| 9 \|/);
		expect(md).toContain('| ↷ | Tell the team');
		expect(md).toContain('- Tell the team: nobody around');

		// The failure with the last 5 lines of its output, ANSI stripped.
		const failure = md.slice(md.indexOf('## Failures'), md.indexOf('## Rollbacks'));
		expect(failure).toContain('### Migrate the schema');
		expect(failure).toContain('failed, exit 9');
		expect(failure).toContain('Last 5 lines of output');
		for (const n of [47, 48, 49, 50]) expect(failure).toContain(`migration line ${n}`);
		expect(failure).not.toContain('migration line 46');
		expect(failure).toContain('ERROR: column already exists');
		expect(failure).not.toContain('\u001b[');

		const rollbacks = md.slice(md.indexOf('## Rollbacks'), md.indexOf('## Rollback triggers'));
		expect(rollbacks).toContain('### Immediate Rollback — done');
		expect(rollbacks).toContain('by oncall@box, ended 2026-11-22 02:43:30Z (2m 30s)');
		expect(rollbacks).toContain('Trigger: Error rate 6.20% > 5% (value 0.062) at 2026-11-22 02:40:00Z.');
		expect(rollbacks).toContain('| Restore the old schema | ✓ done |');
		expect(md).toContain('| 2026-11-22 02:40:00Z | threshold | Error rate 6.20% > 5% | 0.062 |');

		const metrics = md.slice(md.indexOf('## Metrics'));
		expect(metrics).toContain('| error-rate | 0.004 | 2026-11-22 02:00:00Z | 0.062 | 2026-11-22 02:40:00Z | +0.058 (+1450.0%) |');
		expect(metrics).toContain('| p99 | 0.25 |');

		// Standard output without --out is the same document.
		const stdout = cli(ws, 'report', 'report.md', '--lines', '5');
		expect(stdout.status).toBe(0);
		expect(stdout.stdout.replace(/Report written\*\*: [^\n]+/, '')).toBe(md.replace(/Report written\*\*: [^\n]+/, ''));
	});

	it('user errors are one line and non-zero: no session yet, missing FILE, bad --lines', () => {
		ws = workspace('report.md');
		const none = cli(ws, 'report', 'report.md');
		expect(none.status).toBe(1);
		expect(none.stderr.trim().split('\n')).toHaveLength(1);
		expect(none.stderr).toContain('nothing has been run from this checklist yet');
		expect(cli(ws, 'report').status).toBe(2);
		const bad = cli(ws, 'report', 'report.md', '--lines', 'x');
		expect(bad.status).toBe(2);
		expect(bad.stderr).not.toMatch(/\n\s+at /);
	});

	it('window over plan, still running, helpers', async () => {
		ws = workspace('report.md');
		const session = await ws.open('report.md');
		const state = structuredClone(session.getState());
		state.windowStartedAt = '2026-11-22T01:00:00.000Z';
		state.steps[stepIdOf(session, 'Build')] = {status: 'done', exitCode: 0, startedAt: '2026-11-22T01:00:00.000Z', endedAt: '2026-11-22T03:10:00.000Z'};
		const md = await buildReport({checklist: session.checklist, state, dir: session.dir, now: new Date('2026-11-22T04:00:00.000Z')});
		expect(md).toContain('planned 1h 30m; actual 2h 10m (from 2026-11-22 01:00:00Z to 2026-11-22 03:10:00Z) — **over by 40m 00s**');
		state.steps[stepIdOf(session, 'Build')]!.status = 'running';
		const running = await buildReport({checklist: session.checklist, state, dir: session.dir, now: new Date('2026-11-22T04:00:00.000Z')});
		expect(running).toContain('actual 3h 00m (from 2026-11-22 01:00:00Z to now, still running)');
		expect(duration(999)).toBe('999 ms');
		expect(duration(61_000)).toBe('1m 01s');
		expect(stripAnsi('\u001b[31mred\u001b[0m \u001b]0;title\u0007x')).toBe('red x');
	});
});
