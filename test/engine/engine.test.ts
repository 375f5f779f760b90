import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {existsSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {groupMembers, isSameProcessAlive} from '../../source/engine/proc.js';
import type {ExitFile, PidFile} from '../../source/engine/run-files.js';
import {openSession} from '../../source/session/open.js';
import type {SessionHandle} from '../../source/session/types.js';
import {sandbox, sleep, until} from '../session/helpers.js';

const LATE = 'runs/late-finish';
const SLEEPS = 'runs/background-and-foreground-sleep';
const WAITS = 'runs/waits-for-go';
const FLOOD = 'runs/flood';
const SECRETS = 'runs/secrets';
const LATER = 'runs/uses-the-secret-later';
const QUICK = 'runs/quick';
const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.cjs');

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	for (const fn of cleanups.reverse()) await fn();
	cleanups = [];
});

function box() {
	const b = sandbox('engine.md');
	cleanups.push(b.cleanup);
	return b;
}

async function open(file: string, stateDir: string): Promise<SessionHandle> {
	const session = await openSession(file, {stateDir, cancelGraceMs: 300});
	cleanups.push(() => session.close());
	return session;
}

function pidFileOf(session: SessionHandle, stepId: string): PidFile | undefined {
	const runId = session.getState().steps[stepId]?.runId;
	const path = join(session.dir, 'runs', `${runId}.pid.json`);
	return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as PidFile) : undefined;
}

function exitFileOf(dir: string, runId: string): ExitFile | undefined {
	const path = join(dir, 'runs', `${runId}.exit.json`);
	return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ExitFile) : undefined;
}

function filesUnder(dir: string): string[] {
	return readdirSync(dir, {recursive: true, withFileTypes: true}).filter(e => e.isFile()).map(e => join(e.parentPath, e.name));
}

describe('execution engine', () => {
	it('cancels with SIGINT/SIGTERM/SIGKILL and leaves no process of the run behind', async () => {
		const {file, stateDir} = box();
		const session = await open(file, stateDir);
		const running = session.runStep(SLEEPS);
		await until(() => session.outputTail(SLEEPS).includes('started'));
		const pid = await until(() => pidFileOf(session, SLEEPS));
		const members = await until(() => {
			const m = groupMembers(pid.pgid) ?? [];
			return m.length >= 3 ? m : undefined; // bash, background sleep, foreground sleep
		});
		await session.cancel(SLEEPS);
		const result = await running;
		expect(result.status).toBe('cancelled');
		expect((groupMembers(pid.pgid) ?? []).filter(m => m.state !== 'Z')).toEqual([]);
		for (const member of members) expect(existsSync(`/proc/${member.pid}`) && readFileSync(`/proc/${member.pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z').toBe(false);
		expect(session.getState().steps[SLEEPS]?.cancelRequestedAt).toBeTruthy();
	});

	it('stops a step at its timeout, with no orphans', async () => {
		const {file, stateDir} = box();
		const session = await open(file, stateDir);
		const result = await session.runStep(SLEEPS, {timeoutMs: 500});
		expect(result.status).toBe('failed');
		const record = session.getState().steps[SLEEPS]!;
		expect(record.timedOut).toBe(true);
		expect(record.error).toMatch(/timed out/);
		const pid = pidFileOf(session, SLEEPS)!;
		await until(() => (groupMembers(pid.pgid) ?? []).length === 0);
		expect(readFileSync(record.logPath!, 'utf8')).toMatch(/timed out after/);
	});

	it('reattaches to a run that is still going and records its real exit code', async () => {
		const {file, stateDir, dir} = box();
		const first = await open(file, stateDir);
		const detached = first.runStep(WAITS);
		await until(() => first.outputTail(WAITS).includes('begun'));
		await until(() => pidFileOf(first, WAITS));
		await first.close();
		expect(await detached).toEqual({status: 'running', exitCode: null});
		const second = await open(file, stateDir);
		expect(second.getState().steps[WAITS]?.status).toBe('running');
		expect(second.outputTail(WAITS)).toContain('begun');
		const ends: string[] = [];
		second.subscribe(e => {
			if (e.type === 'run-end') ends.push(`${e.stepId}:${e.status}:${e.exitCode}`);
		});
		writeFileSync(join(dir, 'go'), '');
		await until(() => ends.length > 0, 15_000);
		expect(second.getState().steps[WAITS]?.exitCode).toBe(4);
		expect(second.outputTail(WAITS)).toContain('done-late');
		expect(ends).toEqual([`${WAITS}:failed:4`]);
	});

	it('records a run that ended while no cockpit was open, and marks an unknowable one interrupted', async () => {
		const {file, stateDir} = box();
		const first = await open(file, stateDir);
		void first.runStep(LATE);
		const sleeps = first.runStep(SLEEPS);
		await until(() => pidFileOf(first, LATE) && pidFileOf(first, SLEEPS));
		const lateRun = first.getState().steps[LATE]!.runId!;
		const sleepsPid = pidFileOf(first, SLEEPS)!;
		await first.close();
		await sleeps;
		// The runner and its command vanish without a result, as after a reboot.
		process.kill(sleepsPid.runner.pid, 'SIGKILL');
		process.kill(-sleepsPid.pgid, 'SIGKILL');
		await until(() => exitFileOf(first.dir, lateRun), 15_000);
		await until(() => !isSameProcessAlive(sleepsPid.runner));
		const second = await open(file, stateDir);
		expect(second.getState().steps[LATE]).toMatchObject({status: 'failed', exitCode: 4});
		expect(second.getState().steps[SLEEPS]?.status).toBe('interrupted');
		expect(second.getState().steps[SLEEPS]?.error).toMatch(/no exit status/);
		expect(second.notices.join('\n')).toMatch(/late-finish ended while no cockpit was following it: failed \(exit 4\)/);
	});

	it('keeps secrets out of every file under the state directory', async () => {
		const {file, stateDir} = box();
		process.env.DC_TEST_API_TOKEN = 'tok-abcdef-123456';
		cleanups.push(() => {
			delete process.env.DC_TEST_API_TOKEN;
		});
		const session = await open(file, stateDir);
		await session.runStep(SECRETS);
		expect(session.outputTail(SECRETS)).toContain('token is ****');
		expect(session.outputTail(SECRETS)).not.toContain('hunter2hunter2');
		// Carried in memory to the next block...
		await session.runStep(LATER);
		expect(session.outputTail(LATER)).toContain('len=16 plain=visible');
		await session.close();
		for (const path of filesUnder(stateDir)) {
			const text = readFileSync(path, 'utf8');
			expect(text, path).not.toContain('tok-abcdef-123456');
			expect(text, path).not.toContain('hunter2hunter2');
			expect(text, path).not.toContain('pw-in-block-0001');
		}
		// ...but never written, so after a restart it is gone (preflight asks for it).
		const again = await open(file, stateDir);
		expect(again.getState().shell.vars.PLAIN_NAME).toBe('visible');
		expect(again.getState().shell.vars.DB_PASSWORD).toBeUndefined();
	});

	it('runs several steps at once', async () => {
		const {file, stateDir, dir} = box();
		const session = await open(file, stateDir);
		const late = session.runStep(WAITS);
		await until(() => session.outputTail(WAITS).includes('begun'));
		expect(await session.runStep(QUICK)).toEqual({status: 'done', exitCode: 0});
		expect(session.getState().steps[WAITS]?.status).toBe('running');
		writeFileSync(join(dir, 'go'), '');
		expect(await late).toEqual({status: 'failed', exitCode: 4});
	});

	it('keeps memory bounded while a step prints 100 MB', async () => {
		const {file, stateDir} = box();
		const session = await open(file, stateDir);
		const before = process.memoryUsage();
		let peakHeap = before.heapUsed;
		let peakRss = before.rss;
		let events = 0;
		session.subscribe(e => {
			if (e.type === 'output') events++;
		});
		const sampler = setInterval(() => {
			const now = process.memoryUsage();
			peakHeap = Math.max(peakHeap, now.heapUsed);
			peakRss = Math.max(peakRss, now.rss);
		}, 20);
		const result = await session.runStep(FLOOD);
		clearInterval(sampler);
		expect(result).toEqual({status: 'done', exitCode: 0});
		const record = session.getState().steps[FLOOD]!;
		expect(statSync(record.logPath!).size).toBe(100_999_999);
		const tail = session.outputTail(FLOOD);
		expect(tail.length).toBeLessThanOrEqual(1024 * 1024);
		expect(tail.split('\n').length - 1).toBeLessThanOrEqual(2000);
		expect(tail.endsWith('\n' + 'x'.repeat(100))).toBe(true);
		expect(events).toBeGreaterThan(10);
		const growthMiB = (peakHeap - before.heapUsed) / 1048576;
		const rssGrowthMiB = (peakRss - before.rss) / 1048576;
		console.log(`flood follower: heap growth ${growthMiB.toFixed(1)} MiB, RSS growth ${rssGrowthMiB.toFixed(1)} MiB`);
		// The whole output would be 100+ MiB; the follower holds a bounded tail.
		expect(growthMiB).toBeLessThan(64);
	}, 120_000);
});

describe('run command (a real process)', () => {
	it('a kill -9 of `deploycockpit run` mid-command does not stop the command; status shows its real exit code', async () => {
		const {file, stateDir, dir} = box();
		const env = {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir};
		const child = spawn(process.execPath, [bin, 'run', file, '--step', WAITS], {env, stdio: ['ignore', 'pipe', 'pipe']});
		let out = '';
		child.stdout.on('data', chunk => (out += chunk));
		await until(() => out.includes('begun'), 15_000);
		child.kill('SIGKILL');
		await new Promise(resolve => child.once('exit', resolve));
		const mid = JSON.parse(execFileSync(process.execPath, [bin, 'status', file, '--json'], {env, encoding: 'utf8'}));
		expect(mid.steps.find((s: {id: string}) => s.id === WAITS).status).toBe('running');
		writeFileSync(join(dir, 'go'), '');
		await until(() => {
			const now = JSON.parse(execFileSync(process.execPath, [bin, 'status', file, '--json'], {env, encoding: 'utf8'}));
			return now.steps.find((s: {id: string}) => s.id === WAITS).status !== 'running';
		}, 15_000, 250);
		const status = JSON.parse(execFileSync(process.execPath, [bin, 'status', file, '--json'], {env, encoding: 'utf8'}));
		expect(Object.keys(status).sort()).toEqual(['baseline', 'file', 'latest', 'orphans', 'rollbacks', 'session', 'steps', 'windowStartedAt']);
		const step = status.steps.find((s: {id: string}) => s.id === WAITS);
		expect(step).toMatchObject({status: 'failed', exitCode: 4});
		expect(step.by).toMatch(/@/);
		expect(step.endedAt > step.startedAt).toBe(true);
		// The full output, including what was printed after the kill, is in the log.
		const sessionDir = join(stateDir, 'sessions', status.session);
		const log = readdirSync(join(sessionDir, 'runs')).find(n => n.endsWith('.log'))!;
		expect(readFileSync(join(sessionDir, 'runs', log), 'utf8')).toContain('done-late');
	}, 30_000);

	it('a SIGHUP to the terminal\'s process group (SSH drop) does not stop the command', async () => {
		const {file, stateDir, dir} = box();
		const env = {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir};
		// Its own process group stands in for the terminal's foreground group.
		const child = spawn(process.execPath, [bin, 'run', file, '--step', WAITS], {env, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
		let out = '';
		child.stdout.on('data', chunk => (out += chunk));
		await until(() => out.includes('begun'), 15_000);
		process.kill(-child.pid!, 'SIGHUP');
		await new Promise(resolve => child.once('exit', resolve));
		expect(out).not.toContain('done-late');
		writeFileSync(join(dir, 'go'), '');
		const status = await until(() => {
			const now = JSON.parse(execFileSync(process.execPath, [bin, 'status', file, '--json'], {env, encoding: 'utf8'}));
			return now.steps.find((s: {id: string}) => s.id === WAITS).status !== 'running' ? now : undefined;
		}, 15_000, 250);
		expect(status.steps.find((s: {id: string}) => s.id === WAITS)).toMatchObject({status: 'failed', exitCode: 4});
	}, 30_000);

	it('exits with the step exit code and refuses while another cockpit holds the session', async () => {
		const {file, stateDir} = box();
		const env = {...process.env, DEPLOYCOCKPIT_STATE_DIR: stateDir};
		const quick = spawnSyncText([bin, 'run', file, '--step', QUICK], env);
		expect(quick.status).toBe(0);
		expect(quick.stdout).toContain('quick-ok');
		const holder = await openSession(file, {stateDir});
		cleanups.push(() => holder.close());
		const refused = spawnSyncText([bin, 'run', file, '--step', QUICK], env);
		expect(refused.status).not.toBe(0);
		expect(refused.stderr).toMatch(/another cockpit.*--take-over/);
		await sleep(10);
	});
});

function spawnSyncText(args: string[], env: NodeJS.ProcessEnv) {
	return spawnSync(process.execPath, args, {env, encoding: 'utf8'});
}
