// One-key rollback in a real terminal (tmux): a long forward step runs, R
// opens the panel, y starts the rollback, its output appears; the forward
// step keeps running; a pasted y is refused.
import {copyFileSync, existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';

const gate = tmuxOrSkip();
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/rollback/deploy.md', import.meta.url));

let term: TmuxTerminal;
let dir: string;

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'dc-rb-e2e-'));
	copyFileSync(fixture, join(dir, 'deploy.md'));
	term = new TmuxTerminal();
	term.start(['node', join(root, 'bin/deploycockpit.cjs'), join(dir, 'deploy.md')], {
		width: 110,
		height: 32,
		cwd: dir,
		env: {DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), DEPLOYCOCKPIT_CONFIG_DIR: join(dir, 'config')},
	});
});
afterEach(() => {
	term?.kill();
	rmSync(dir, {recursive: true, force: true});
});

describe.skipIf(gate.skip)('rollback in a real terminal', () => {
	it('start a long step, press R, confirm with y, see the rollback output; the long step is left running', async () => {
		await term.waitFor('Payments API release', 'first frame');
		// Select "Long rollout" (second step) and start it.
		term.send('j');
		await term.waitFor(s => /│›\S* Long rollout/.test(s), 'the long step selected');
		term.send('Enter');
		// The output line (the code line reads `echo rollout-started`).
		await term.waitFor(s => s.split('\n').some(l => /│rollout-started\s*$/.test(l)), 'the long step running');

		term.send('R');
		await term.waitFor('Rollback · Immediate Rollback', 'the rollback panel');
		const panel = term.capture();
		expect(panel).toContain('$ echo RB-FLIP-MARKER');
		expect(panel).toContain('forward step still running');

		// A pasted y is not a confirmation.
		term.send(['\u001b[200~y\u001b[201~'], {literal: true});
		await term.waitFor('press it again on its own', 'the paste refusal');
		expect(existsSync(join(dir, 'rb-flip.done'))).toBe(false);

		term.send('y');
		const failed = await term.waitFor('· step failed ·', 'the second rollback step failing');
		// The rollback step's output, shown in the panel as an output line (not the plan's code).
		expect(failed.split('\n').some(l => /│restore failed once\s*│$/.test(l))).toBe(true);
		expect(existsSync(join(dir, 'rb-flip.done'))).toBe(true);
		await term.waitFor('r retry · s skip · a abort', 'the failure choice');
		term.send('r');
		await term.waitFor('manual step', 'the retry passing');
		term.send('Space');
		await term.waitFor(/Rollback · Immediate Rollback · done · 3\/3/, 'the rollback done');

		term.send('Escape');
		await term.waitFor(s => !s.includes('Rollback · Immediate') && s.includes('Long rollout'), 'back to the panes');
		// The forward step was never cancelled: still running, its output not finished.
		const after = term.capture();
		expect(after).toContain('running · by');
		expect(after.split('\n').some(l => /│rollout-finished\s*$/.test(l))).toBe(false);
		expect(after).not.toMatch(/⊘ Long rollout/);
	}, 60_000);
});
