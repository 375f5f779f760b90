// A checklist that names no rollback procedure: in a real terminal (tmux), R
// offers its sections, Enter picks one, y runs it; the choice is kept in the
// session, so the next cockpit on it offers that section at once.
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';

const gate = tmuxOrSkip();
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/checklist/pick-rollback.md', import.meta.url));

let term: TmuxTerminal | undefined;
let dir: string;

function start(): TmuxTerminal {
	const t = new TmuxTerminal();
	t.start(['node', join(root, 'bin/deploycockpit.cjs'), join(dir, 'pick-rollback.md')], {
		width: 100,
		height: 30,
		cwd: dir,
		env: {DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), DEPLOYCOCKPIT_CONFIG_DIR: join(dir, 'config')},
	});
	return t;
}

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'dc-pick-e2e-'));
	copyFileSync(fixture, join(dir, 'pick-rollback.md'));
});
afterEach(() => {
	term?.kill();
	term = undefined;
	rmSync(dir, {recursive: true, force: true});
});

describe.skipIf(gate.skip)('picking a section as the rollback with R', () => {
	it('R lists the sections, Enter picks one, y runs it; the next cockpit offers it at once', async () => {
		term = start();
		await term.waitFor('Search cache rollout', 'first frame');
		term.send('R');
		await term.waitFor('Pick a section of this checklist as the rollback', 'the section picker');
		expect(term.capture()).toContain('This checklist has no rollback procedure.');
		term.send('j');
		term.send('j');
		await term.waitFor('› Put the old cache back (1 step)', 'the section highlighted');
		term.send('Enter');
		const plan = await term.waitFor('is the rollback for this session', 'the picked section as the procedure');
		expect(plan).toContain('Rollback · Put the old cache back');
		expect(plan).toContain('$ echo PICKED-ROLLBACK-RAN > picked.done');
		// The comment is shown as a comment, not as a command.
		expect(plan).toMatch(/ {5}# readers follow the symlink/);
		expect(plan).not.toContain('$ # readers');
		expect(existsSync(join(dir, 'picked.done'))).toBe(false);

		term.send('y');
		await term.waitFor(/Rollback · Put the old cache back · done · 1\/1/, 'the picked rollback done');
		expect(readFileSync(join(dir, 'picked.done'), 'utf8')).toBe('PICKED-ROLLBACK-RAN\n');
		expect(existsSync(join(dir, 'warm.done'))).toBe(false);

		// q closes the overlay (one rule for every overlay), a second q quits.
		term.send('q');
		await term.waitFor(s => !s.includes('Rollback · Put the old cache back'), 'the panel closed');
		term.send('q');
		await term.waitFor(s => !term!.alternateOn() || /quit/i.test(s), 'the cockpit to quit', 10_000);
		term.kill();

		term = start();
		await term.waitFor('Search cache rollout', 'first frame again');
		term.send('R');
		const again = await term.waitFor('Rollback · Put the old cache back', 'the kept choice');
		expect(again).not.toContain('Pick a section');
	}, 90_000);
});
