// Members of a team standing in for machines: each its own checklist copy,
// state dir and --as name, all spawning the built CLI (npm run build first).
import {execFile, spawn} from 'node:child_process';
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

export const bin = fileURLToPath(new URL('../../bin/deploycockpit.cjs', import.meta.url));
export const fixture = fileURLToPath(new URL('../fixtures/team/window.md', import.meta.url));

export const DEPLOY = 'app/deploy-payments-api-v2';
export const MIGRATE = 'app/migrate-the-ledger-table';
export const FLUSH = 'app/flush-the-payments-cache';

export interface Result {
	code: number;
	stdout: string;
	stderr: string;
}

export interface Member {
	name: string;
	dir: string;
	file: string;
	env: NodeJS.ProcessEnv;
	cli(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<Result>;
	status(): Promise<StatusOut>;
}

export interface StatusOut {
	steps: Array<{id: string; status: string; by: string | null; host: string | null; exitCode: number | null; conflict?: Array<{by: string; host?: string; runId: string; at: string; fence?: number}>}>;
	members?: Array<{name: string; host: string; running?: string[]}>;
}

/** A shared side-effect file: one line per command that really ran. */
export function sideEffects(root: string): {path: string; lines(): string[]} {
	const path = join(root, 'side-effects.log');
	return {
		path,
		lines: () => {
			try {
				return readFileSync(path, 'utf8').split('\n').filter(Boolean);
			} catch {
				return [];
			}
		},
	};
}

export function makeRoot(): {root: string; cleanup(): void} {
	const root = mkdtempSync(join(tmpdir(), 'dc-team-'));
	return {root, cleanup: () => rmSync(root, {recursive: true, force: true, maxRetries: 10, retryDelay: 100})};
}

export function member(root: string, name: string, team: {url: string; session: string; key?: string}, extraEnv: NodeJS.ProcessEnv = {}): Member {
	const dir = join(root, name);
	mkdirSync(dir, {recursive: true});
	const file = join(dir, 'window.md');
	copyFileSync(fixture, file);
	const env: NodeJS.ProcessEnv = {
		PATH: process.env.PATH,
		HOME: dir,
		NO_COLOR: '1',
		DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'),
		DEPLOYCOCKPIT_TEAM: team.url,
		DEPLOYCOCKPIT_SESSION: team.session,
		DEPLOYCOCKPIT_AS: name,
		MEMBER: name,
		SIDE_EFFECTS: join(root, 'side-effects.log'),
		...(team.key ? {DEPLOYCOCKPIT_TEAM_KEY: team.key} : {}),
		...extraEnv,
	};
	const cli = (args: string[], more: NodeJS.ProcessEnv = {}) =>
		new Promise<Result>(resolve => {
			execFile(process.execPath, [bin, ...args], {env: {...env, ...more}, timeout: 60_000}, (error, stdout, stderr) => {
				const code = error ? (typeof (error as {code?: unknown}).code === 'number' ? ((error as {code: number}).code) : 1) : 0;
				resolve({code, stdout, stderr});
			});
		});
	return {
		name,
		dir,
		file,
		env,
		cli,
		async status() {
			const out = await cli(['status', file, '--json']);
			if (out.code !== 0) throw new Error(`status failed (${out.code}): ${out.stderr}`);
			return JSON.parse(out.stdout) as StatusOut;
		},
	};
}

/** Starts `run` without waiting (for runs that outlive a Redis outage). */
export function startRun(m: Member, args: string[], more: NodeJS.ProcessEnv = {}): Promise<Result> {
	return new Promise(resolve => {
		const child = spawn(process.execPath, [bin, 'run', m.file, ...args], {env: {...m.env, ...more}});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', d => (stdout += String(d)));
		child.stderr.on('data', d => (stderr += String(d)));
		child.on('close', code => resolve({code: code ?? 1, stdout, stderr}));
	});
}

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export async function until<T>(fn: () => T | Promise<T>, ms = 15_000, step = 100): Promise<NonNullable<T>> {
	const end = Date.now() + ms;
	for (;;) {
		const value = await fn();
		if (value) return value as NonNullable<T>;
		if (Date.now() > end) throw new Error('condition not met in time');
		await sleep(step);
	}
}
