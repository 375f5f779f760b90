// Cockpit figures on a 500-step checklist, each under a real pty (util-linux
// `script`) of 120×40:
//  - time to first frame, against the smallest Ink app (unbundled, and
//    bundled with the program's base esbuild settings) and `node -e 0` started
//    the same way (whole processes, medians), reopening an unchanged file
//    (parsed-model cache hit) and with the cache dropped, without the code
//    cache (scripts/launcher-core.cjs) as a first start after an install (the
//    bundled baseline is a plain ESM bundle, without launcher or code cache);
//    the per-file build (before the bundle) as a reference; resident memory
//    at the first frame;
//  - a 5,000-step checklist: first frame and key-to-frame latency;
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
import {bundleMinimalInk} from './bundle-ink.mjs';
import {ms, programRssKiB, spawnPty} from './pty.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'deploycockpit.cjs');
const perFile = join(root, 'bench', 'fixtures', 'per-file-cli.mjs');
const minimalInk = join(root, 'bench', 'fixtures', 'minimal-ink.mjs');
const TITLE = 'Generated rollout (500 steps)';
const BIG_TITLE = 'Generated rollout (5000 steps)';
const FLOOD = `timeout 20 bash -c 'while :; do head -c 400000 /dev/zero | tr "\\\\0" "x" | fold -w 100; sleep 0.02; done'`;

const round = (n, d = 0) => Number(n.toFixed(d));
const sleep = t => new Promise(r => setTimeout(r, t));

/** 500 generated steps, with a small bench section first (where the selection starts). */
function checklist({tileUrl, steps = 500} = {}) {
	const generated = generateChecklist({steps, seed: 7});
	const title = `Generated rollout (${steps} steps)`;
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
	return (head || '---\ndeploycockpit:\n  window: 4h\n---\n') + body.replace(`# ${title}\n`, `# ${title}\n\n${bench}\n`);
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

/**
 * `settled`, when given, is awaited after the frame (not timed) before the
 * kill; `rss`, when given, receives the program's resident memory at the frame.
 */
async function firstFrame(argv, text, env, settled, rss) {
	const pty = spawnPty(argv, {env, cwd: root});
	const at = await pty.waitFor(text, 30_000, pty.started);
	const elapsed = ms(pty.started, at);
	if (rss) rss.push(programRssKiB(pty));
	if (settled) await settled();
	await pty.kill();
	return elapsed;
}

/** The cockpit writes the parsed-model cache just after its first frame. */
function cacheWritten(cache) {
	return async () => {
		for (let i = 0; i < 100; i++) {
			const dir = join(cache, 'checklists');
			if (existsSync(dir) && readdirSync(dir).some(n => n.endsWith('.json'))) return;
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

/**
 * The first key right after the first frame (it meets the work deferred past
 * the first frame: lazy imports, the parsed-model cache write, the first
 * tile polls), then a pause so the timed keys measure the steady state.
 */
async function firstKeyThenSettle(pty) {
	const [first] = await keyLatencies(pty, 1);
	pty.write('k');
	await sleep(1500);
	return first;
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

// COCKPIT_BENCH=first,big,latency,bytes picks parts (all by default).
const parts = new Set((process.env.COCKPIT_BENCH ?? 'first,big,latency,bytes').split(','));

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
		if (parts.has('big')) await bigChecklist(rows, file, dir, runs, quietEnv);
		if (parts.has('latency')) await latency(rows, file, quietEnv, runs);
		if (parts.has('bytes')) await bytes(rows, file, quietEnv, dir, runs, server);
	} finally {
		server.close();
		rmSync(dir, {recursive: true, force: true});
	}
	return rows;
}

const x = (a, b) => round(a / b, 2);
const mibOf = list => round(median(list.filter(v => v !== null)) / 1024, 1);

async function timeToFirstFrame(rows, file, dir, runs) {
	const env = envFor(join(dir, 'first'));
	// The per-file build keeps a parsed-model cache of its own (its parser
	// stamp differs from the bundle's), so it gets its own state directory.
	const perFileEnv = envFor(join(dir, 'per-file'));
	const cache = join(env.DEPLOYCOCKPIT_STATE_DIR, 'cache');
	const inkBundled = await bundleMinimalInk(join(dir, 'minimal-ink.bundled.mjs'));
	const ink = [process.execPath, minimalInk];
	const inkB = [process.execPath, inkBundled];
	// One warm-up each (disk cache, session creation, the parsed-model cache).
	await firstFrame([process.execPath, bin, file], TITLE, env, cacheWritten(cache));
	await firstFrame([process.execPath, perFile, file], TITLE, perFileEnv, cacheWritten(join(perFileEnv.DEPLOYCOCKPIT_STATE_DIR, 'cache')));
	await firstFrame(ink, 'minimal ink ready', env);
	await firstFrame(inkB, 'minimal ink ready', env);
	// The program's V8 code cache (scripts/launcher-core.cjs) is written by the
	// warm-up; `noCache` starts without it, as the first start after an install.
	const noCacheEnv = {...env, DEPLOYCOCKPIT_CODE_CACHE: '0'};
	const t = {cockpit: [], cold: [], noCache: [], perFile: [], ink: [], inkB: [], node: []};
	const rss = {cockpit: [], ink: [], inkB: []};
	// The warm-up wrote the parsed-model cache, so `cockpit` is a reopen of
	// an unchanged file; `cold` drops the cache first (a first open, or an
	// edited file). All interleaved, so load on the machine hits all alike.
	for (let i = 0; i < runs; i++) {
		t.cockpit.push(await firstFrame([process.execPath, bin, file], TITLE, env, undefined, rss.cockpit));
		rmSync(cache, {recursive: true, force: true});
		t.cold.push(await firstFrame([process.execPath, bin, file], TITLE, env, cacheWritten(cache)));
		t.noCache.push(await firstFrame([process.execPath, bin, file], TITLE, noCacheEnv));
		t.perFile.push(await firstFrame([process.execPath, perFile, file], TITLE, perFileEnv));
		t.ink.push(await firstFrame(ink, 'minimal ink ready', env, undefined, rss.ink));
		t.inkB.push(await firstFrame(inkB, 'minimal ink ready', env, undefined, rss.inkB));
		t.node.push(await nodeExit(env));
	}
	const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
	rows.push({
		name: 'time to first frame, 500 steps, reopened unchanged (pty 120×40)',
		value: round(m.cockpit),
		unit: 'ms',
		baseline: 'minimal Ink app, unbundled',
		baselineValue: round(m.ink),
		note: `${x(m.cockpit, m.ink)}× the unbundled minimal Ink app (target ≤ 0.75×), ${x(m.cockpit, m.inkB)}× the bundled one (target ≤ 1.3×); node -e 0 under the same pty: ${round(m.node)} ms`,
	});
	rows.push({
		name: 'time to first frame, 500 steps, first open (no parsed-model cache)',
		value: round(m.cold),
		unit: 'ms',
		baseline: 'minimal Ink app, unbundled',
		baselineValue: round(m.ink),
		note: `${x(m.cold, m.ink)}× the unbundled minimal Ink app (target ≤ 0.9×); parses; the cache is written after the frame`,
	});
	rows.push({
		name: 'time to first frame, 500 steps, reopened, without the code cache (first start after an install)',
		value: round(m.noCache),
		unit: 'ms',
		baseline: 'the same with the code cache',
		baselineValue: round(m.cockpit),
		note: `${x(m.noCache, m.ink)}× the unbundled minimal Ink app, ${x(m.noCache, m.inkB)}× the bundled one; DEPLOYCOCKPIT_CODE_CACHE=0`,
	});
	rows.push({
		name: 'minimal Ink app bundled with the same esbuild settings',
		value: round(m.inkB),
		unit: 'ms',
		baseline: 'minimal Ink app, unbundled',
		baselineValue: round(m.ink),
		note: `${x(m.inkB, m.ink)}× (what one file saves a hello-world)`,
	});
	rows.push({
		name: 'time to first frame, 500 steps, reopened, per-file build (before the bundle)',
		value: round(m.perFile),
		unit: 'ms',
		baseline: 'the bundle, same run',
		baselineValue: round(m.cockpit),
		note: `${x(m.perFile, m.ink)}× the unbundled minimal Ink app; reference only`,
	});
	rows.push({
		name: 'resident memory at the first frame, 500 steps',
		value: mibOf(rss.cockpit),
		unit: 'MiB',
		baseline: 'minimal Ink app, unbundled',
		baselineValue: mibOf(rss.ink),
		note: `${x(mibOf(rss.cockpit), mibOf(rss.ink))}× (target ≤ 1.5×); bundled minimal Ink app: ${mibOf(rss.inkB)} MiB`,
	});
}

/** 5,000 steps: first frame against the 500-step one (both reopened), and moving through it. */
async function bigChecklist(rows, file, dir, runs, quietEnv) {
	const big = join(dir, 'rollout-5000.md');
	writeFileSync(big, checklist({steps: 5000}));
	const env = envFor(join(dir, 'big'));
	const cache = join(env.DEPLOYCOCKPIT_STATE_DIR, 'cache');
	await firstFrame([process.execPath, bin, file], TITLE, env, cacheWritten(cache));
	rmSync(cache, {recursive: true, force: true});
	await firstFrame([process.execPath, bin, big], BIG_TITLE, env, cacheWritten(cache));
	await firstFrame([process.execPath, bin, file], TITLE, env, cacheWritten(cache));
	const small = [];
	const large = [];
	for (let i = 0; i < runs; i++) {
		small.push(await firstFrame([process.execPath, bin, file], TITLE, env));
		large.push(await firstFrame([process.execPath, bin, big], BIG_TITLE, env));
	}
	rows.push({
		name: 'time to first frame, 5,000 steps, reopened',
		value: round(median(large)),
		unit: 'ms',
		baseline: '500 steps, reopened',
		baselineValue: round(median(small)),
		note: `${x(median(large), median(small))}× (target ≤ 1.5×)`,
	});
	const samples = Math.max(40, runs * 10);
	const pty = await openCockpit(big, quietEnv);
	const firstKey = await firstKeyThenSettle(pty);
	const lat = await keyLatencies(pty, samples);
	await quit(pty);
	rows.push({
		name: 'first key right after the first frame, 5,000 steps',
		value: round(firstKey, 1),
		unit: 'ms',
		note: 'one key as soon as the frame shows: it waits for the work deferred past the first frame',
	});
	rows.push({
		name: 'key-to-frame latency p99, 5,000 steps',
		value: round(percentile(lat, 99), 1),
		unit: 'ms',
		baseline: 'p50',
		baselineValue: round(median(lat), 1),
		note: `${samples} keys alternating j/k, nothing running, 1.5 s after the first frame; target < 50 ms`,
	});
}

async function latency(rows, file, quietEnv, runs) {
	{
		// Nothing running, then during a flood.
		const samples = Math.max(40, runs * 10);
		let pty = await openCockpit(file, quietEnv);
		await firstKeyThenSettle(pty);
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
