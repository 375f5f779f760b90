// Cockpit figures on a 500-step checklist, each under a real pty (util-linux
// `script`) of 120×40:
//  - time to first frame, against the smallest Ink app and `node -e 0`
//    started the same way (whole processes, medians), reopening an unchanged
//    file (parsed-model cache hit) and with the cache dropped;
//  - key-to-frame latency (p50/p99) while a step floods output, against the
//    same keys with nothing running;
//  - bytes written to the terminal per second: idle (only the clock), with the
//    default host tiles, and with one tile changing every second.
import {existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync} from 'node:fs';
import {createServer} from 'node:http';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {generateChecklist} from './gen-checklist.mjs';
import {median, percentile} from './lib.mjs';
import {ms, spawnPty} from './pty.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'deploycockpit.js');
const minimalInk = join(root, 'bench', 'fixtures', 'minimal-ink.mjs');
const TITLE = 'Generated rollout (500 steps)';
const FLOOD = `timeout 20 bash -c 'while :; do head -c 400000 /dev/zero | tr "\\\\0" "x" | fold -w 100; sleep 0.02; done'`;

const round = (n, d = 0) => Number(n.toFixed(d));
const sleep = t => new Promise(r => setTimeout(r, t));

/** 500 generated steps, with a small bench section first (where the selection starts). */
function checklist({tileUrl} = {}) {
	const generated = generateChecklist({steps: 500, seed: 7});
	const head = tileUrl ? `---\ndeploycockpit:\n  window: 4h\n  tiles:\n    - title: Bench value\n      url: ${tileUrl}\n      metric: bench_value\n      interval: 1s\n---\n` : '';
	const body = generated.replace(/^---\n[\s\S]*?\n---\n/, '');
	const bench = [
		'## Bench controls',
		'',
		'- [ ] Bench flood output',
		'  ```bash',
		`  ${FLOOD}`,
		'  ```',
		'- [ ] Bench quiet step',
		'  ```bash',
		'  echo quiet',
		'  ```',
		'',
	].join('\n');
	return (head || '---\ndeploycockpit:\n  window: 4h\n---\n') + body.replace(`# ${TITLE}\n`, `# ${TITLE}\n\n${bench}\n`);
}

function envFor(dir, config = {}) {
	const configDir = join(dir, 'config');
	mkdirSync(configDir, {recursive: true});
	writeFileSync(join(configDir, 'config.json'), JSON.stringify(config));
	const env = {...process.env, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), DEPLOYCOCKPIT_CONFIG_DIR: configDir, TERM: 'xterm-256color'};
	// Ink draws nothing when it thinks it runs in CI; the cockpit does not
	// care, but the baseline app would, so neither gets the variable.
	delete env.CI;
	for (const key of Object.keys(env)) if (key.startsWith('CI_') || key === 'CONTINUOUS_INTEGRATION') delete env[key];
	return env;
}

/** `settled`, when given, is awaited after the frame (not timed) before the kill. */
async function firstFrame(argv, text, env, settled) {
	const pty = spawnPty(argv, {env, cwd: root});
	const at = await pty.waitFor(text, 30_000, pty.started);
	const elapsed = ms(pty.started, at);
	if (settled) await settled();
	await pty.kill();
	return elapsed;
}

/** The cockpit writes the parsed-model cache just after its first frame. */
function cacheWritten(cache) {
	return async () => {
		for (let i = 0; i < 100; i++) {
			if (existsSync(cache) && readdirSync(join(cache, 'checklists')).some(n => n.endsWith('.json'))) return;
			await sleep(50);
		}
		throw new Error('the cockpit wrote no parsed-model cache');
	};
}

async function nodeExit(env) {
	const pty = spawnPty([process.execPath, '-e', '0'], {env, cwd: root});
	await pty.exited;
	return ms(pty.started, process.hrtime.bigint());
}

async function openCockpit(file, env) {
	const pty = spawnPty([process.execPath, bin, file], {env, cwd: root});
	await pty.waitFor(/›\S Bench flood output/, 30_000, pty.started);
	return pty;
}

async function quit(pty) {
	pty.write('q');
	await sleep(300);
	pty.write('y');
	await Promise.race([pty.exited, sleep(3000)]);
	await pty.kill();
}

/** Alternates j/k between the two bench steps and times each until its frame shows. */
async function keyLatencies(pty, samples) {
	const out = [];
	for (let i = 0; i < samples; i++) {
		const down = i % 2 === 0;
		const target = down ? /›\S Bench quiet step/ : /›\S Bench flood output/;
		const sent = process.hrtime.bigint();
		const seen = pty.waitFor(target, 5000, sent);
		pty.write(down ? 'j' : 'k');
		out.push(ms(sent, await seen));
		await sleep(60 + Math.floor(Math.random() * 60));
	}
	return out;
}

async function bytesPerSecond(pty, seconds) {
	await sleep(1500);
	const start = pty.bytes;
	const t0 = process.hrtime.bigint();
	await sleep(seconds * 1000);
	return (pty.bytes - start) / ms(t0, process.hrtime.bigint()) * 1000;
}

// COCKPIT_BENCH=first,latency,bytes picks parts (all by default).
const parts = new Set((process.env.COCKPIT_BENCH ?? 'first,latency,bytes').split(','));

export default async function ({runs}) {
	const dir = mkdtempSync(join(tmpdir(), 'dc-bench-cockpit-'));
	const rows = [];
	const server = createServer((req, res) => {
		res.writeHead(200, {'content-type': 'text/plain; version=0.0.4'});
		res.end(`# TYPE bench_value gauge\nbench_value ${Math.floor(Date.now() / 1000) % 1000}\n`);
	});
	await new Promise(r => server.listen(0, '127.0.0.1', r));
	try {
		const file = join(dir, 'rollout-500.md');
		writeFileSync(file, checklist());
		const quietEnv = envFor(join(dir, 'quiet'), {host: false});

		if (parts.has('first')) await timeToFirstFrame(rows, file, dir, runs);
		if (parts.has('latency')) await latency(rows, file, quietEnv, runs);
		if (parts.has('bytes')) await bytes(rows, file, quietEnv, dir, runs, server);
	} finally {
		server.close();
		rmSync(dir, {recursive: true, force: true});
	}
	return rows;
}

async function timeToFirstFrame(rows, file, dir, runs) {
	{
		// One warm-up each (disk cache, session creation).
		const env = envFor(join(dir, 'first'));
		const cache = join(env.DEPLOYCOCKPIT_STATE_DIR, 'cache');
		await firstFrame([process.execPath, bin, file], TITLE, env, cacheWritten(cache));
		await firstFrame([process.execPath, minimalInk], 'minimal ink ready', env);
		const cockpit = [];
		const cold = [];
		const ink = [];
		const node = [];
		// The warm-up wrote the parsed-model cache, so `cockpit` is a reopen of
		// an unchanged file; `cold` drops the cache first (a first open, or an
		// edited file).
		for (let i = 0; i < runs; i++) {
			cockpit.push(await firstFrame([process.execPath, bin, file], TITLE, env));
			rmSync(cache, {recursive: true, force: true});
			cold.push(await firstFrame([process.execPath, bin, file], TITLE, env, cacheWritten(cache)));
			ink.push(await firstFrame([process.execPath, minimalInk], 'minimal ink ready', env));
			node.push(await nodeExit(env));
		}
		const ratio = median(cockpit) / median(ink);
		rows.push({
			name: 'time to first frame, 500-step checklist (pty 120×40)',
			value: round(median(cockpit)),
			unit: 'ms',
			baseline: 'minimal Ink app',
			baselineValue: round(median(ink)),
			note: `${round(ratio, 2)}× the minimal Ink app (target ≤ 1.3×); node -e 0 under the same pty: ${round(median(node))} ms`,
		});
		rows.push({
			name: 'time to first frame, 500-step checklist, no parsed-model cache',
			value: round(median(cold)),
			unit: 'ms',
			baseline: 'minimal Ink app',
			baselineValue: round(median(ink)),
			note: `${round(median(cold) / median(ink), 2)}× the minimal Ink app; first open of a file, or after it changed (parses; the cache is written after the frame)`,
		});

	}
}

async function latency(rows, file, quietEnv, runs) {
	{
		// Nothing running, then during a flood.
		const samples = Math.max(40, runs * 10);
		let pty = await openCockpit(file, quietEnv);
		const idleLat = await keyLatencies(pty, samples);
		pty.write('k');
		await sleep(300);
		pty.write('\r');
		// (a terminal run is drawn as a screen: Ink rewrites only the changed part of a line)
		await pty.waitFor(/x{10}/, 15_000);
		await sleep(500);
		const floodLat = await keyLatencies(pty, samples);
		pty.write('k');
		await sleep(200);
		pty.write('x');
		await sleep(300);
		pty.write('y');
		await sleep(500);
		await quit(pty);
		rows.push({
			name: 'key-to-frame latency p50 while a step floods output',
			value: round(median(floodLat), 1),
			unit: 'ms',
			baseline: 'same keys, nothing running',
			baselineValue: round(median(idleLat), 1),
			note: `${samples} keys alternating j/k; flood ≈ 20 MB/s into the selected step`,
		});
		rows.push({
			name: 'key-to-frame latency p99 while a step floods output',
			value: round(percentile(floodLat, 99), 1),
			unit: 'ms',
			baseline: 'same keys, nothing running',
			baselineValue: round(percentile(idleLat, 99), 1),
			note: 'target < 50 ms',
		});

	}
}

async function bytes(rows, file, quietEnv, dir, runs, server) {
	{
		const seconds = Math.max(5, Math.min(15, runs * 2));
		let pty = await openCockpit(file, quietEnv);
		const idle = await bytesPerSecond(pty, seconds);
		await quit(pty);
		pty = await openCockpit(file, envFor(join(dir, 'host')));
		const hostTiles = await bytesPerSecond(pty, seconds);
		await quit(pty);
		const tileFile = join(dir, 'rollout-500-tile.md');
		writeFileSync(tileFile, checklist({tileUrl: `http://127.0.0.1:${server.address().port}/metrics`}));
		pty = await openCockpit(tileFile, envFor(join(dir, 'tile')));
		const oneTile = await bytesPerSecond(pty, seconds);
		await quit(pty);
		rows.push({name: 'terminal bytes/s idle (clock only, no tiles)', value: round(idle), unit: 'B/s', note: `over ${seconds} s; target < 1 KB/s`});
		rows.push({name: 'terminal bytes/s idle with the default host tiles', value: round(hostTiles), unit: 'B/s', note: `cpu/mem/load/disk tiles, over ${seconds} s`});
		rows.push({name: 'terminal bytes/s with one tile changing every second', value: round(oneTile), unit: 'B/s', note: `a /metrics tile at 1 s, over ${seconds} s`});
	}
}
