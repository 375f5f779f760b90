// Terminal runs (issue 10): keypress in a focused step → the echoed character
// on the cockpit's screen, against the same keypress to `cat` on a plain PTY;
// a 100 MB flood through the PTY shown in the cockpit (time, peak RSS of the
// runner and of the cockpit) against `bash -c 'CMD > file'`; and launch →
// the command's first byte in the log, PTY runner against the pipe runner.
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {median, percentile, timeProcess} from './lib.mjs';
import {ms, spawnPty} from './pty.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'deploycockpit.cjs');
const FLOOD = "head -c 100000000 /dev/zero | tr '\\0' 'x' | fold -w 100";
const round = (n, d = 0) => Number(n.toFixed(d));
const sleep = t => new Promise(r => setTimeout(r, t));

function envFor(dir) {
	const configDir = join(dir, 'config');
	mkdirSync(configDir, {recursive: true});
	const env = {...process.env, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), DEPLOYCOCKPIT_CONFIG_DIR: configDir, TERM: 'xterm-256color'};
	delete env.CI;
	return env;
}

function vmHwmKiB(pid) {
	try {
		return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
	} catch {
		return 0;
	}
}

/** Runs outlive the cockpit by design: end the ones a bench left (runner and process group). */
function stopRunners(stateDir) {
	const sessions = join(stateDir, 'sessions');
	if (!existsSync(sessions)) return;
	for (const session of readdirSync(sessions)) {
		const runs = join(sessions, session, 'runs');
		if (!existsSync(runs)) continue;
		for (const name of readdirSync(runs).filter(f => f.endsWith('.pid.json'))) {
			const pid = JSON.parse(readFileSync(join(runs, name), 'utf8'));
			for (const target of [-pid.pgid, pid.runner.pid]) {
				try {
					process.kill(target, 'SIGKILL');
				} catch {
					// ended already
				}
			}
		}
	}
}

/** Keys typed into a focused `cat` step: ms from the write to the frame showing the character. */
async function cockpitEcho(dir, count) {
	const file = join(dir, 'echo.md');
	writeFileSync(file, '# Echo bench\n\n## Steps\n\n- [ ] Cat\n  ```bash\n  cat\n  ```\n');
	const pty = spawnPty([process.execPath, bin, file], {env: envFor(dir), cwd: dir});
	try {
		await pty.waitFor('Echo bench', 30_000, pty.started);
		await sleep(800);
		pty.write('\r');
		await pty.waitFor('running', 10_000);
		await sleep(500);
		pty.write('i');
		await pty.waitFor('typing into', 10_000);
		await sleep(300);
		return await typeAndTime(pty, count, true);
	} finally {
		await pty.kill();
		stopRunners(join(dir, 'state'));
	}
}

/** `whole`: the cockpit redraws the line, so wait for all of it; a plain PTY echoes just the new character. */
async function typeAndTime(pty, count, whole) {
	const samples = [];
	let line = '';
	for (let i = 0; i < count; i++) {
		const ch = String.fromCharCode(97 + (i % 26));
		line += ch;
		const sent = process.hrtime.bigint();
		const seen = pty.waitFor(whole ? line : ch, 5000, sent);
		pty.write(ch);
		samples.push(ms(sent, await seen));
		if (line.length >= 20) {
			pty.write('\r');
			await sleep(150);
			line = '';
		}
		await sleep(40);
	}
	return samples;
}

async function catEcho(count) {
	const pty = spawnPty(['cat']);
	try {
		await sleep(300);
		return await typeAndTime(pty, count, false);
	} finally {
		await pty.kill();
	}
}

/** The flood step run from the cockpit on a PTY: wall time to done, peak RSS of cockpit and runner. */
async function cockpitFlood(dir) {
	const file = join(dir, 'flood.md');
	writeFileSync(file, `# Flood bench\n\n## Steps\n\n- [ ] Flood\n  \`\`\`bash\n  ${FLOOD}\n  \`\`\`\n`);
	const env = envFor(dir);
	const pty = spawnPty([process.execPath, bin, file], {env, cwd: dir});
	try {
		await pty.waitFor('Flood bench', 30_000, pty.started);
		await sleep(800);
		const cockpitPid = Number(readFileSync(`/proc/${pty.child.pid}/task/${pty.child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
		const started = process.hrtime.bigint();
		pty.write('\r');
		const sessions = join(env.DEPLOYCOCKPIT_STATE_DIR, 'sessions');
		let runnerPid;
		let runnerHwm = 0;
		let cockpitHwm = 0;
		for (;;) {
			cockpitHwm = Math.max(cockpitHwm, vmHwmKiB(cockpitPid));
			const runs = existsSync(sessions) ? readdirSync(sessions).map(s => join(sessions, s, 'runs')).filter(existsSync) : [];
			const files = runs.flatMap(r => readdirSync(r).map(f => join(r, f)));
			const pidFile = files.find(f => f.endsWith('.pid.json'));
			if (pidFile && !runnerPid) runnerPid = JSON.parse(readFileSync(pidFile, 'utf8')).runner.pid;
			if (runnerPid) runnerHwm = Math.max(runnerHwm, vmHwmKiB(runnerPid));
			if (files.some(f => f.endsWith('.exit.json'))) break;
			await sleep(50);
		}
		const runDone = ms(started, process.hrtime.bigint());
		// The cockpit has read and drawn the whole log when its state says done.
		const state = () => readFileSync(join(sessions, readdirSync(sessions)[0], 'state.json'), 'utf8');
		while (!state().includes('"status": "done"') && !state().includes('"status":"done"')) {
			cockpitHwm = Math.max(cockpitHwm, vmHwmKiB(cockpitPid));
			await sleep(50);
		}
		const shown = ms(started, process.hrtime.bigint());
		cockpitHwm = Math.max(cockpitHwm, vmHwmKiB(cockpitPid));
		return {runDone, shown, runnerHwm, cockpitHwm};
	} finally {
		await pty.kill();
	}
}

/** launchRunner → the first byte of `echo first` in the log. */
async function firstByte(dir, terminal, runs) {
	const {launchRunner} = await import(pathToFileURL(join(root, 'dist/engine/launch.js')).href);
	const {runFiles} = await import(pathToFileURL(join(root, 'dist/engine/run-files.js')).href);
	const samples = [];
	for (let i = 0; i < runs; i++) {
		const runs = join(dir, `fb-${terminal ? 'pty' : 'pipe'}-${i}`);
		mkdirSync(runs, {recursive: true});
		const files = runFiles(runs, 'r');
		writeFileSync(files.log, '');
		const start = process.hrtime.bigint();
		const launched = launchRunner({runId: 'r', files, scripts: ['echo first'], prelude: '', cwd: dir, env: {PATH: process.env.PATH, HOME: process.env.HOME}, carried: [], graceMs: 500, errexit: true, ...(terminal ? {terminal: {cols: 80, rows: 24}} : {})});
		while (statSync(files.log).size === 0) await new Promise(r => setImmediate(r));
		samples.push(ms(start, process.hrtime.bigint()));
		await launched.report;
		while (!existsSync(files.exit)) await sleep(5);
	}
	return samples;
}

export default async function ({runs}) {
	const dir = mkdtempSync(join(tmpdir(), 'dc-bench-terminal-'));
	const rows = [];
	// The runner's report channel is unref'd (the cockpit never waits on it): keep the loop alive.
	const keepAlive = setInterval(() => undefined, 1000);
	try {
		const keys = Math.max(40, runs * 6);
		const cat = await catEcho(keys);
		mkdirSync(join(dir, 'echo'), {recursive: true});
		const dc = await cockpitEcho(join(dir, 'echo'), keys).catch(error => {
			process.stderr.write(`  echo bench failed: ${error.message}\n`);
			return [];
		});
		process.stderr.write(`  echo: ${dc.length} keys\n`);
		if (dc.length) {
			rows.push({name: 'keypress in a focused step → echo on screen (p50)', value: round(median(dc), 1), unit: 'ms', baseline: '`cat` on a plain PTY', baselineValue: round(median(cat), 1), note: `p99 ${round(percentile(dc, 99), 1)} ms vs ${round(percentile(cat, 99), 1)} ms; ${dc.length} keys; redraws are throttled to 70 ms`});
		}

		mkdirSync(join(dir, 'flood'), {recursive: true});
		const flood = await cockpitFlood(join(dir, 'flood'));
		const bash = timeProcess('bash', ['-c', `${FLOOD} > ${join(dir, 'flood.out')}`]);
		rmSync(join(dir, 'flood.out'), {force: true});
		rows.push({name: '100 MB flood through the PTY: run ended', value: round(flood.runDone), unit: 'ms', baseline: "bash -c 'CMD > file'", baselineValue: round(bash.ms), note: `runner peak RSS ${round(flood.runnerHwm / 1024)} MiB; bash ${bash.rssKiB ? round(bash.rssKiB / 1024) + ' MiB' : '—'}`});
		rows.push({name: '100 MB flood: cockpit has read and drawn it all', value: round(flood.shown), unit: 'ms', note: `cockpit peak RSS ${round(flood.cockpitHwm / 1024)} MiB (screen of the selected step only)`});

		const pipe = await firstByte(dir, false, runs);
		const pty = await firstByte(dir, true, runs);
		rows.push({name: 'runner launch → first byte of the command (PTY)', value: round(median(pty), 1), unit: 'ms', baseline: 'pipe runner (before)', baselineValue: round(median(pipe), 1), note: `per-run overhead of the PTY ${round(median(pty) - median(pipe), 1)} ms`});
	} finally {
		clearInterval(keepAlive);
		rmSync(dir, {recursive: true, force: true});
	}
	return rows;
}
