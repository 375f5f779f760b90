// Issue 16, item 3, against a live cockpit in a real terminal (tmux):
// a refused `run --take-over` must leave the cockpit recording, and a
// take-over that happens must show in the first cockpit's header at once
// ("read-only: taken over by …"), with its run keys refusing for that reason.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {TmuxTerminal, tmuxOrSkip} from '../helpers/tmux.js';
import {until} from '../session/helpers.js';

const gate = tmuxOrSkip();
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/deploycockpit.cjs');
const fixture = fileURLToPath(new URL('../fixtures/ui/e2e.md', import.meta.url));
const COUNT = 'checks/count-slowly';

let term: TmuxTerminal;
let stateDir: string;
let children: Array<ReturnType<typeof spawn>> = [];

beforeEach(() => {
	stateDir = mkdtempSync(join(tmpdir(), 'dc-takeover-'));
});
afterEach(() => {
	for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
	children = [];
	term?.kill();
	rmSync(stateDir, {recursive: true, force: true});
});

const env = () => ({DEPLOYCOCKPIT_STATE_DIR: stateDir, DEPLOYCOCKPIT_CONFIG_DIR: join(stateDir, 'config'), PAGER: 'cat'});
const header = (screen: string) => screen.split('\n')[0] ?? '';
const selected = (screen: string) => screen.split('\n').find(l => /│›/.test(l) || /^›[○◐◓◑◒✓✗↷⊘!]/.test(l)) ?? '';

function stateOnDisk(): {steps: Record<string, {status: string}>} {
	const sessions = join(stateDir, 'sessions');
	const [dir] = readdirSync(sessions);
	return JSON.parse(readFileSync(join(sessions, dir!, 'state.json'), 'utf8'));
}

async function openCockpit(): Promise<void> {
	term = new TmuxTerminal();
	term.start(['node', bin, fixture], {cwd: root, env: env()});
	await term.waitFor('Terminal test release', 'first frame');
}

describe.skipIf(gate.skip)('take-over against a live cockpit', {timeout: 120_000}, () => {
	it('a refused run --take-over leaves the cockpit writing: its step is recorded to the end', async () => {
		await openCockpit();
		term.send('j');
		await term.waitFor(s => selected(s).includes('Count slowly'), 'second step selected');
		term.send('Enter');
		await term.waitFor(/tick \d+/, 'live output');

		const refused = spawnSync(process.execPath, [bin, 'run', fixture, '--step', COUNT, '--take-over'], {encoding: 'utf8', env: {...process.env, ...env()}});
		expect(refused.status).toBe(1);
		expect(refused.stderr).toMatch(/step checks\/count-slowly is already running there; not taking the session over from .* \(pid \d+\)/);

		// The cockpit still holds the session: no read-only header, and its cancel is recorded on disk.
		expect(header(term.capture())).not.toMatch(/read-only/);
		term.send('x');
		await term.waitFor('Cancel the run', 'cancel confirmation');
		term.send('y');
		await term.waitFor(s => selected(s).includes('⊘'), 'cancelled glyph');
		await until(() => stateOnDisk().steps[COUNT]?.status === 'cancelled', 10_000);
		expect(header(term.capture())).not.toMatch(/read-only/);
	});

	it('a take-over shows in the first cockpit header within a second, and its run keys refuse with the reason', async () => {
		await openCockpit();
		expect(header(term.capture())).not.toMatch(/read-only/);
		const taker = spawn(process.execPath, [bin, 'run', fixture, '--step', COUNT, '--take-over'], {env: {...process.env, ...env()}, stdio: ['ignore', 'pipe', 'pipe']});
		children.push(taker);
		let out = '';
		taker.stdout!.on('data', d => (out += String(d)));
		// The taker holds the lock from the moment its first line of output appears.
		await until(() => /tick 1/.test(out), 15_000);
		const screen = await term.waitFor(s => /read-only: taken over by \S+@\S+ \(pid \d+\)/.test(header(s)), 'read-only header', 1000);
		expect(header(screen)).toContain(`(pid ${taker.pid})`);

		// Enter on a step: refused with the reason, nothing runs here.
		term.send('Enter');
		await term.waitFor(/read-only: taken over by .*run and mark from the cockpit that has it/, 'refusal flash');
		taker.kill('SIGINT');
		await new Promise(resolve => taker.once('close', resolve));
		expect(stateOnDisk().steps['checks/say-hello']).toBeUndefined();
	});
});
