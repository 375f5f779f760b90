// The runner's spec handoff (issue 16 item 4, issue 12). `run` starts its
// runner before it opens the session (launch.ts, prestartRunner): the runner
// waits with an empty unnamed file as stdin until the run is handed over
// (the whole spec written into that file, then "go"). So:
// - a kill -9 of `run` the moment the spec is whole in the runner's stdin
//   still runs the command and leaves its exit file (aimed by reading the
//   runner's /proc/PID/fd/0 until it holds the whole spec);
// - a kill -9 of `run` before the handoff, or a step that is refused, leaves
//   no runner behind and nothing of a run (no command, no run files);
// - the runner that a later step of a section gets is spawned with its spec
//   already in stdin; a kill aimed at its spawn still runs that step.
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {identify} from '../../source/engine/proc.js';
import {checklistLockPath} from '../../source/session/checklist-lock.js';
import {sandbox, until} from '../session/helpers.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.cjs');
let cleanups: Array<() => void> = [];
afterEach(() => {
	for (const fn of cleanups.reverse()) fn();
	cleanups = [];
});

function childrenOf(pid: number): number[] {
	try {
		return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
	} catch {
		return [];
	}
}

function isRunner(pid: number): boolean {
	try {
		// The per-file build's dist/engine/runner.js, or the bundle started in runner mode.
		const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
		return argv.some(a => a.endsWith('runner.js') || a === '--runner');
	} catch {
		return false;
	}
}

/** The first child of `pid` running the runner and not in `seen`, as soon as it exists (busy-polls /proc). */
function catchRunnerSpawn(pid: number, timeoutMs: number, seen: number[] = []): number | undefined {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		if (!existsSync(`/proc/${pid}`)) return undefined;
		for (const child of childrenOf(pid)) if (!seen.includes(child) && isRunner(child)) return child;
	}
	return undefined;
}

/** Busy-polls the runner's stdin until it holds a whole spec (JSON that parses). */
function catchWholeSpec(runner: number, timeoutMs: number): boolean {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		try {
			const text = readFileSync(`/proc/${runner}/fd/0`, 'utf8');
			if (text) {
				JSON.parse(text);
				return true;
			}
		} catch {
			// empty, being written, or the runner is gone
		}
	}
	return false;
}

function alive(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return !/^\d+ \(.*\) Z /.test(stat);
	} catch {
		return false;
	}
}

function runsFiles(stateDir: string): string[] {
	const sessions = join(stateDir, 'sessions');
	if (!existsSync(sessions)) return [];
	return readdirSync(sessions).flatMap(s => {
		const runs = join(sessions, s, 'runs');
		return existsSync(runs) ? readdirSync(runs).map(n => join(runs, n)) : [];
	});
}

function startRun(b: {file: string; stateDir: string; dir: string}, args: string[]) {
	const child = spawn(process.execPath, [bin, 'run', b.file, ...args], {
		env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: b.stateDir},
		cwd: b.dir,
		stdio: 'ignore',
	});
	const exited = new Promise(done => child.once('exit', done));
	cleanups.push(() => {
		if (child.exitCode === null) child.kill('SIGKILL');
	});
	return {child, exited};
}

function box(checklist: string) {
	const b = sandbox('carry.md');
	cleanups.push(b.cleanup);
	writeFileSync(b.file, checklist);
	return b;
}

const TOUCH = `# Handoff\n\n## Steps\n\n- [ ] Touch\n  \`\`\`bash\n  echo ran > ./ran-marker\n  exit 3\n  \`\`\`\n`;

describe.skipIf(!existsSync('/proc/self/task'))('runner spec handoff', () => {
	it('a kill -9 of `run` the moment the whole spec is in the waiting runner\'s stdin still runs the command and records its exit (6 rounds)', {timeout: 120_000}, async () => {
		const results: string[] = [];
		for (let round = 0; round < 6; round++) {
			const b = box(TOUCH);
			const run = startRun(b, ['--step', 'steps/touch']);
			const runner = catchRunnerSpawn(run.child.pid!, 20_000);
			expect(runner, `round ${round}: the runner was never seen`).toBeDefined();
			expect(catchWholeSpec(runner!, 20_000), `round ${round}: the spec never reached the runner`).toBe(true);
			run.child.kill('SIGKILL');
			await run.exited;
			const exitFile = await until(() => runsFiles(b.stateDir).find(n => n.endsWith('.exit.json')), 15_000).catch(() => undefined);
			const ran = existsSync(join(b.dir, 'ran-marker'));
			const code = exitFile ? (JSON.parse(readFileSync(exitFile, 'utf8')) as {exitCode: number}).exitCode : null;
			results.push(`round ${round}: ran=${ran} exit=${code}`);
		}
		expect(results).toEqual(Array.from({length: 6}, (_, round) => `round ${round}: ran=true exit=3`));
	});

	it('a kill -9 of `run` before the handoff (waiting for the checklist lock) leaves no runner and nothing of a run', {timeout: 60_000}, async () => {
		const b = box(TOUCH);
		// Another opener holds the checklist's lock: `run` waits there, its runner started and waiting too.
		const lock = checklistLockPath(b.stateDir, resolve(b.file));
		mkdirSync(join(b.stateDir, 'locks'), {recursive: true});
		writeFileSync(lock, JSON.stringify(identify(process.pid)));
		const run = startRun(b, ['--step', 'steps/touch']);
		const runner = catchRunnerSpawn(run.child.pid!, 20_000);
		expect(runner).toBeDefined();
		expect(alive(runner!)).toBe(true);
		run.child.kill('SIGKILL');
		await run.exited;
		await until(() => !alive(runner!), 15_000);
		expect(existsSync(join(b.dir, 'ran-marker'))).toBe(false);
		expect(runsFiles(b.stateDir)).toEqual([]);
	});

	it('a refused step (dangerous, no --yes) lets its waiting runner go: no runner left, nothing run', {timeout: 60_000}, async () => {
		const b = box(`# Refused\n\n## Steps\n\n- [ ] Wipe\n  \`\`\`bash\n  echo ran > ./ran-marker\n  rm -rf ./nothing-here\n  \`\`\`\n`);
		const run = startRun(b, ['--step', 'steps/wipe']);
		const runner = catchRunnerSpawn(run.child.pid!, 20_000);
		expect(runner).toBeDefined();
		const code = await run.exited;
		expect(code).toBe(1);
		await until(() => !alive(runner!), 15_000);
		expect(existsSync(join(b.dir, 'ran-marker'))).toBe(false);
		expect(runsFiles(b.stateDir)).toEqual([]);
	});

	it('a `run` that fails before it reaches its step (no such checklist) lets the runner its launcher started go: nothing left', {timeout: 60_000}, async () => {
		const b = box(TOUCH);
		// The launcher (scripts/launcher-core.cjs) starts the runner before the program is even read.
		const run = startRun({...b, file: join(b.dir, 'missing.md')}, ['--step', 'steps/touch']);
		const runner = catchRunnerSpawn(run.child.pid!, 20_000);
		expect(runner).toBeDefined();
		const code = await run.exited;
		expect(code).not.toBe(0);
		await until(() => !alive(runner!), 15_000);
		expect(existsSync(join(b.dir, 'ran-marker'))).toBe(false);
		expect(runsFiles(b.stateDir)).toEqual([]);
	});

	it('the installed command starts its runners through the launcher\'s CommonJS file, not by loading the bundle as an ES module', {timeout: 60_000}, async () => {
		// bash's parent is its runner: its argv says how the runner was started.
		const b = box(`# Argv\n\n## Steps\n\n- [ ] Parent\n  \`\`\`bash\n  tr '\\0' ' ' < /proc/$PPID/cmdline\n  \`\`\`\n`);
		const r = spawnSync(process.execPath, [bin, 'run', b.file, '--step', 'steps/parent'], {env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: b.stateDir}, cwd: b.dir, encoding: 'utf8'});
		expect(r.status, r.stderr).toBe(0);
		const bundle = join(import.meta.dirname, '..', '..', 'dist', 'deploycockpit.mjs');
		const core = join(import.meta.dirname, '..', '..', 'scripts', 'launcher-core.cjs');
		expect(r.stdout.trim()).toBe(`${process.execPath} ${core} ${bundle} --runner`);
	});

	it('the second step of a section gets a runner spawned with its spec: a kill -9 aimed at that spawn still runs it', {timeout: 60_000}, async () => {
		const b = box(`# Two\n\n## Steps\n\n- [ ] First\n  \`\`\`bash\n  echo first > ./first-marker\n  \`\`\`\n- [ ] Second\n  \`\`\`bash\n  echo ran > ./ran-marker\n  exit 3\n  \`\`\`\n`);
		const run = startRun(b, ['--section', 'steps']);
		const first = catchRunnerSpawn(run.child.pid!, 20_000);
		expect(first).toBeDefined();
		const second = catchRunnerSpawn(run.child.pid!, 30_000, [first!]);
		expect(second).toBeDefined();
		run.child.kill('SIGKILL');
		await run.exited;
		await until(() => runsFiles(b.stateDir).filter(n => n.endsWith('.exit.json')).length === 2, 15_000);
		expect(existsSync(join(b.dir, 'first-marker'))).toBe(true);
		expect(existsSync(join(b.dir, 'ran-marker'))).toBe(true);
		const exits = runsFiles(b.stateDir).filter(n => n.endsWith('.exit.json')).map(n => (JSON.parse(readFileSync(n, 'utf8')) as {exitCode: number}).exitCode);
		expect(exits.sort()).toEqual([0, 3]);
		// The kill left the step running in the session; `status` resolves it from the exit file.
		const status = spawnSync(process.execPath, [bin, 'status', b.file, '--json'], {env: {...process.env, DEPLOYCOCKPIT_STATE_DIR: b.stateDir}, encoding: 'utf8'});
		const steps = (JSON.parse(status.stdout) as {steps: Array<{id: string; status: string; exitCode: number | null}>}).steps;
		expect(steps.find(s => s.id === 'steps/second')).toMatchObject({status: 'failed', exitCode: 3});
	});
});
