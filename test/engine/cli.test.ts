import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {openSession} from '../../source/session/open.js';
import {sandbox} from '../session/helpers.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.cjs');
let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	for (const fn of cleanups.reverse()) await fn();
	cleanups = [];
});

function setup() {
	const b = sandbox('cli.md');
	cleanups.push(b.cleanup);
	const env: NodeJS.ProcessEnv = {...process.env, DEPLOYCOCKPIT_STATE_DIR: b.stateDir};
	delete env.TARGET_NS;
	const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], {env, encoding: 'utf8', cwd: b.dir});
	return {...b, cli};
}

describe('run command', () => {
	it('refuses a dangerous command without --yes, naming it, and runs it with --yes', () => {
		const {file, dir, cli} = setup();
		const refused = cli('run', file, '--step', 'work/clean-the-scratch-dir');
		expect(refused.status).not.toBe(0);
		expect(refused.stderr).toContain('rm -rf ./scratch-dir');
		expect(refused.stderr).toMatch(/--yes/);
		const status = JSON.parse(cli('status', file, '--json').stdout);
		expect(status.steps.find((s: {id: string}) => s.id === 'work/clean-the-scratch-dir').status).toBe('pending');
		const ran = cli('run', file, '--step', 'work/clean-the-scratch-dir', '--yes');
		expect(ran.status).toBe(0);
		expect(existsSync(join(dir, 'scratch-dir'))).toBe(false);
	});

	it('--dry-run prints the commands with known values and runs nothing', () => {
		const {file, dir, cli} = setup();
		const dry = cli('run', file, '--step', 'work/write-a-marker', '--dry-run');
		expect(dry.status).toBe(0);
		expect(dry.stdout).toContain('touch ./marker-file');
		expect(dry.stdout).toContain('nothing was run');
		expect(existsSync(join(dir, 'marker-file'))).toBe(false);
		const pod = cli('run', file, '--step', 'work/restart-one-pod', '--dry-run', '--var', 'pod=web-1', '--var', 'TARGET_NS=prod');
		expect(pod.stdout).toContain('echo "restarting web-1 in prod"');
	});

	it('asks for placeholders and unset variables, runs once they are given, and exits with the step code', () => {
		const {file, cli} = setup();
		const missing = cli('run', file, '--step', 'work/restart-one-pod');
		expect(missing.status).not.toBe(0);
		expect(missing.stderr).toMatch(/<pod>/);
		const ran = cli('run', file, '--step', 'work/restart-one-pod', '--var', 'pod=web-1', '--var', 'TARGET_NS=prod');
		expect(ran.status).toBe(0);
		expect(ran.stdout).toContain('restarting web-1 in prod');
		const failing = cli('run', file, '--step', 'work/interactive-exit');
		expect(failing.status).toBe(5);
	});

	it('--section runs the pending steps in order and stops at the first failure', () => {
		const b = sandbox('carry.md');
		cleanups.push(b.cleanup);
		const env: NodeJS.ProcessEnv = {...process.env, DEPLOYCOCKPIT_STATE_DIR: b.stateDir};
		const result = spawnSync(process.execPath, [bin, 'run', b.file, '--section', 'prepare'], {env, encoding: 'utf8'});
		expect(result.status).toBe(3);
		expect(result.stdout).toContain('env=staging file=/tmp/dump-staging.sql dir=work');
		const status = JSON.parse(spawnSync(process.execPath, [bin, 'status', b.file, '--json'], {env, encoding: 'utf8'}).stdout);
		expect(status.steps.map((s: {status: string}) => s.status)).toEqual(['done', 'done', 'failed', 'pending', 'pending']);
	});

	it('lists sessions', () => {
		const {file, cli} = setup();
		cli('run', file, '--step', 'work/write-a-marker');
		const list = JSON.parse(cli('sessions', '--json').stdout);
		expect(list).toHaveLength(1);
		expect(list[0].file).toBe(file);
		expect(list[0].counts).toEqual({done: 1});
		expect(cli('sessions').stdout).toContain(list[0].id);
	});
});

describe('steps with other executors and interactive runs', () => {
	it('runs other executors (each in a runner of its own) into the same log and stops the step at their failure', async () => {
		const {file, stateDir} = setup();
		const session = await openSession(file, {stateDir});
		cleanups.push(() => session.close());
		const result = await session.runStep('work/mixed-executors', {timeoutMs: 10_000});
		expect(result.status).toBe('failed');
		const record = session.getState().steps['work/mixed-executors']!;
		expect(record.error).toBeTruthy();
		const log = readFileSync(record.logPath!, 'utf8');
		expect(log).toContain('shell-part');
		expect(log).not.toContain('after-promql');
		expect(session.outputTail('work/mixed-executors')).toContain('shell-part');
		expect(session.getState().shell.vars.MIXED_SEEN).toBe('yes');
	});

	it('an interactive run records its exit code and carries its state', async () => {
		const {file, stateDir, dir} = setup();
		const session = await openSession(file, {stateDir});
		cleanups.push(() => session.close());
		const result = await session.runStep('work/interactive-exit', {interactive: true});
		expect(result).toEqual({status: 'failed', exitCode: 5});
		expect(session.getState().shell.vars.FROM_INTERACTIVE).toBe('1');
		expect(session.getState().shell.cwd).toBe(join(dir, '..'));
	});
});
