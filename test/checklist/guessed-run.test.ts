// A fence with no language that only reads as shell (a guessed block) is
// never run unasked: headless `run` refuses it without --yes, like a
// dangerous command, and runs it with --yes.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.cjs');
const dir = mkdtempSync(join(tmpdir(), 'dc-guessed-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const file = join(dir, 'guessed.md');
writeFileSync(file, '# Guessed\n\n## Prepare\n\nTouch the marker:\n\n```\ntouch ./guessed-ran\n```\n');

function run(...extra: string[]) {
	return spawnSync(process.execPath, [bin, 'run', file, '--step', 'prepare/touch-the-marker', ...extra], {
		cwd: dir,
		encoding: 'utf8',
		env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), NO_COLOR: '1'},
	});
}

describe('run with a guessed shell block', () => {
	it('is refused without --yes, showing the code, and nothing runs', () => {
		const r = run();
		expect(r.status).toBe(1);
		expect(r.stderr).toContain('guessed to be shell');
		expect(r.stderr).toContain('touch ./guessed-ran');
		expect(existsSync(join(dir, 'guessed-ran'))).toBe(false);
	});

	it('runs with --yes', () => {
		const r = run('--yes');
		expect(r.status).toBe(0);
		expect(existsSync(join(dir, 'guessed-ran'))).toBe(true);
	});
});
