// Failure is failure (issue 13): a shell block stops at its first failing
// command, the step ends failed with the checklist's own line and the
// command, and every place that reports a step says so. Runs the real CLI,
// so the detached runner and bash are the ones users get.
import {spawnSync} from 'node:child_process';
import {readFileSync, readdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {sandbox} from '../session/helpers.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.cjs');
let cleanups: Array<() => void> = [];
afterEach(() => {
	for (const fn of cleanups.reverse()) fn();
	cleanups = [];
});

function setup(fixture: string) {
	const b = sandbox(fixture);
	cleanups.push(b.cleanup);
	const env: NodeJS.ProcessEnv = {...process.env, DEPLOYCOCKPIT_STATE_DIR: b.stateDir};
	const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], {env, encoding: 'utf8', cwd: b.dir});
	const text = readFileSync(b.file, 'utf8').split('\n');
	/** 1-based checklist line of the first line containing `needle`. */
	const lineOf = (needle: string) => text.findIndex(l => l.includes(needle)) + 1;
	const status = () => JSON.parse(cli('status', b.file, '--json').stdout) as {steps: Array<Record<string, unknown> & {id: string}>};
	const audit = () => {
		const [session] = readdirSync(join(b.stateDir, 'sessions'));
		return readFileSync(join(b.stateDir, 'sessions', session!, 'audit.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>);
	};
	return {...b, cli, lineOf, status, audit};
}

describe('errexit by default', () => {
	it('a failing cd stops the block there: failed, with the checklist line and command in the output, status --json, audit and report', () => {
		const {file, cli, lineOf, status, audit} = setup('failure.md');
		const line = lineOf('cd /srv/dc-missing-app-dir');
		const run = cli('run', file, '--step', 'steps/wrong-directory');
		expect(run.status).toBe(1);
		expect(run.stdout).toContain('first line ran');
		expect(run.stdout).not.toContain('still ran');
		// bash's own error names the checklist and its line, not a line of the wrapper.
		expect(run.stdout).toContain(`failure.md: line ${line}: cd: /srv/dc-missing-app-dir: No such file or directory`);
		expect(run.stdout).not.toMatch(/bash: line \d+/);
		expect(run.stdout).toContain(`deploycockpit: stopped at checklist line ${line} (exit 1): cd /srv/dc-missing-app-dir`);

		const step = status().steps.find(s => s.id === 'steps/wrong-directory')!;
		expect(step).toMatchObject({status: 'failed', exitCode: 1, failedLine: line, failedCommand: 'cd /srv/dc-missing-app-dir'});
		const end = audit().find(e => e.type === 'run-end' && e.stepId === 'steps/wrong-directory');
		expect(end).toMatchObject({status: 'failed', exitCode: 1, failedLine: line, failedCommand: 'cd /srv/dc-missing-app-dir'});
		const report = cli('report', file);
		expect(report.stdout).toContain(`Stopped at checklist line ${line}: cd /srv/dc-missing-app-dir`);
		const text = cli('status', file);
		expect(text.stdout).toContain(`at line ${line}: cd /srv/dc-missing-app-dir`);
	});

	it('|| true, if and ! keep working', () => {
		const {file, cli, status} = setup('failure.md');
		const run = cli('run', file, '--step', 'steps/tolerated-failures');
		expect(run.status).toBe(0);
		expect(run.stdout).toContain('tolerant done');
		const step = status().steps.find(s => s.id === 'steps/tolerated-failures')!;
		expect(step.status).toBe('done');
		expect(step.failedLine).toBeUndefined();
	});

	it('a pipeline fails when any part fails (pipefail), and says which parts failed', () => {
		const {file, cli, lineOf, status} = setup('failure.md');
		const line = lineOf('ls /srv/dc-missing-pipe-dir');
		const run = cli('run', file, '--step', 'steps/broken-pipeline');
		expect(run.status).toBe(2);
		expect(run.stdout).not.toContain('after the pipeline');
		expect(status().steps.find(s => s.id === 'steps/broken-pipeline')).toMatchObject({status: 'failed', failedLine: line, failedCommand: 'sort (a pipeline; exit statuses 2 0)'});
	});

	it('names checklist lines in console transcripts, in functions and in a later block of the step', () => {
		const {file, cli, lineOf, status} = setup('failure.md');
		const consoleRun = cli('run', file, '--step', 'steps/console-transcript');
		expect(consoleRun.stdout).toContain('console one');
		expect(consoleRun.stdout).not.toContain('console never');
		const consoleLine = lineOf('$ cat /srv/dc-missing-console-file');
		expect(consoleRun.stdout).toContain(`stopped at checklist line ${consoleLine} (exit 1): cat /srv/dc-missing-console-file`);

		const fnRun = cli('run', file, '--step', 'steps/failure-in-a-function');
		const fnLine = lineOf('cd /srv/dc-missing-fn-dir');
		expect(fnRun.stdout).toContain('in the function');
		expect(fnRun.stdout).not.toContain('after the function');
		expect(fnRun.stdout).toContain(`failure.md: line ${fnLine}: cd: /srv/dc-missing-fn-dir`);
		expect(fnRun.stdout).not.toContain('environment: line');

		const second = cli('run', file, '--step', 'steps/second-block-fails');
		expect(second.stdout).toContain('block two');
		expect(second.stdout).not.toContain('block two never');
		const steps = status().steps;
		expect(steps.find(s => s.id === 'steps/console-transcript')).toMatchObject({failedLine: consoleLine});
		expect(steps.find(s => s.id === 'steps/failure-in-a-function')).toMatchObject({failedLine: fnLine, failedCommand: 'cd /srv/dc-missing-fn-dir'});
		expect(steps.find(s => s.id === 'steps/second-block-fails')).toMatchObject({status: 'failed', failedLine: lineOf('test -e /srv/dc-missing-second-block')});
	});

	it('a command failing inside a sourced file names the checklist line that sourced it, and the file\'s own line', () => {
		const {file, dir, cli, lineOf, status} = setup('failure.md');
		writeFileSync(join(dir, 'failing-lib.sh'), 'echo "in the library"\nhelper() {\n  test -d /srv/dc-missing-lib-dir\n}\nhelper\n');
		const run = cli('run', file, '--step', 'steps/sourced-script-fails');
		expect(run.status).toBe(1);
		expect(run.stdout).toContain('in the library');
		expect(run.stdout).not.toContain('after the source');
		expect(run.stdout).not.toContain('pop_var_context');
		const line = lineOf('. ./failing-lib.sh');
		expect(status().steps.find(s => s.id === 'steps/sourced-script-fails')).toMatchObject({failedLine: line, failedCommand: 'test -d /srv/dc-missing-lib-dir (in ./failing-lib.sh line 3)'});
	});

	it('frontmatter errexit: false keeps the terminal-like behaviour: the last command counts', () => {
		const {file, cli, lineOf, status} = setup('failure-loose.md');
		const run = cli('run', file, '--step', 'steps/wrong-directory');
		expect(run.status).toBe(0);
		expect(run.stdout).toContain('still ran');
		// Line numbers are the checklist's in this mode too.
		expect(run.stdout).toContain(`failure-loose.md: line ${lineOf('cd /srv/dc-missing-app-dir')}: cd:`);
		const last = cli('run', file, '--step', 'steps/last-command-fails');
		expect(last.status).toBe(1);
		expect(last.stdout).toContain('runs on');
		const steps = status().steps;
		expect(steps.find(s => s.id === 'steps/wrong-directory')).toMatchObject({status: 'done'});
		expect(steps.find(s => s.id === 'steps/last-command-fails')).toMatchObject({status: 'failed', exitCode: 1});
		expect(steps.find(s => s.id === 'steps/last-command-fails')!.failedLine).toBeUndefined();
	});
});
