// Metric tiles under load: 12 Prometheus tiles polling every second for 60 s
// (plus the alerts and targets tiles a Prometheus brings), against a local
// stand-in Prometheus (node:http on 127.0.0.1) whose values move every second,
// so every tile redraws every second — the worst case. Measured on the whole
// cockpit process under a real pty (util-linux `script`, 120×40):
//  - CPU used by the cockpit process (utime+stime from /proc/<pid>/stat) as %
//    of one core and as CPU seconds over the window;
//  - bytes written to the terminal per second;
// each against the same cockpit, same checklist, with no tiles at all,
// measured at the same time. Medians over the runs (default 3: a run is a
// minute; TILES_BENCH_RUNS / TILES_BENCH_SECONDS change that;
// TILES_BENCH_PROFILE=DIR writes CPU profiles of both cockpits).
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {median} from './lib.mjs';
import {spawnPty} from './pty.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'deploycockpit.cjs');
const TILES = 12;
const WARMUP_MS = 5000;
const sleep = t => new Promise(r => setTimeout(r, t));
const round = (n, d = 0) => Number(n.toFixed(d));
const CLK_TCK = (() => {
	try {
		return Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;
	} catch {
		return 100;
	}
})();

/** Values drift every second like real metrics: different per tile, never all the same. */
function startFakePrometheus() {
	let queries = 0;
	const server = createServer((req, res) => {
		const u = new URL(req.url ?? '/', 'http://x');
		const now = Date.now() / 1000;
		const second = Math.floor(now);
		const valueOf = q => {
			const i = Number(/bench_metric_(\d+)/.exec(q)?.[1] ?? 0);
			return 0.01 * (i + 1) * (1 + 0.3 * Math.sin(second / 3 + i));
		};
		const send = data => {
			res.writeHead(200, {'content-type': 'application/json'});
			res.end(JSON.stringify({status: 'success', data}));
		};
		const query = u.searchParams.get('query') ?? '';
		switch (u.pathname) {
			case '/api/v1/query':
				queries++;
				return send({resultType: 'vector', result: [{metric: {job: 'bench'}, value: [now, String(valueOf(query))]}]});
			case '/api/v1/query_range': {
				const start = Number(u.searchParams.get('start'));
				const end = Number(u.searchParams.get('end'));
				const values = [];
				for (let t = Math.ceil(Math.max(start, end - 60)); t <= end; t++) values.push([t, String(valueOf(query))]);
				return send({resultType: 'matrix', result: [{metric: {job: 'bench'}, values}]});
			}
			case '/api/v1/alerts':
				return send({alerts: []});
			case '/api/v1/targets':
				return send({activeTargets: [{labels: {job: 'bench', instance: 'a:1'}, health: 'up'}]});
		}
		res.writeHead(404).end();
	});
	return new Promise(resolve => server.listen(0, '127.0.0.1', () => {
		const {port} = server.address();
		resolve({url: `http://127.0.0.1:${port}`, get queries() {
			return queries;
		}, close: () => new Promise(r => {
			server.closeAllConnections();
			server.close(r);
		})});
	}));
}

function checklistText() {
	const steps = Array.from({length: 20}, (_, i) => `- [ ] Bench step ${i + 1}\n  \`\`\`bash\n  echo step ${i + 1}\n  \`\`\`\n`).join('');
	return `# Tiles bench rollout\n\n## Deploy\n\n${steps}\n## Undo\n\n- [ ] Put it back\n  \`\`\`bash\n  echo back\n  \`\`\`\n`;
}

function envFor(dir, config) {
	const configDir = join(dir, 'config');
	mkdirSync(configDir, {recursive: true});
	writeFileSync(join(configDir, 'config.json'), JSON.stringify(config));
	const env = {...process.env, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state'), DEPLOYCOCKPIT_CONFIG_DIR: configDir, TERM: 'xterm-256color'};
	for (const key of ['CI', 'CONTINUOUS_INTEGRATION', 'PROMETHEUS_URL', 'PROMETHEUS_TOKEN', 'PROMETHEUS_USER', 'PROMETHEUS_PASSWORD']) delete env[key];
	return env;
}

/** The cockpit's pid: `script` runs `sh -c '... exec node ...'`, so it is script's child. */
function cockpitPid(scriptPid) {
	for (let i = 0; i < 50; i++) {
		try {
			const tasks = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
			for (const pid of tasks) {
				const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
				if (cmd.includes('deploycockpit.cjs')) return Number(pid);
			}
		} catch {
			// not yet
		}
		execFileSync('sleep', ['0.1']);
	}
	throw new Error('cockpit process not found under script');
}

function cpuTicks(pid) {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// utime and stime are fields 14 and 15 of the whole line (11 and 12 after the command).
	return Number(fields[11]) + Number(fields[12]);
}

async function measure(file, env, seconds, nodeArgs = []) {
	const pty = spawnPty([process.execPath, ...nodeArgs, bin, file], {cols: 120, rows: 40, env, cwd: root});
	try {
		await pty.waitFor('Tiles bench rollout', 30_000, pty.started);
		const pid = cockpitPid(pty.child.pid);
		await sleep(WARMUP_MS);
		const t0 = process.hrtime.bigint();
		const ticks0 = cpuTicks(pid);
		const bytes0 = pty.bytes;
		await sleep(seconds * 1000);
		const wall = Number(process.hrtime.bigint() - t0) / 1e9;
		const cpuSeconds = (cpuTicks(pid) - ticks0) / CLK_TCK;
		return {cpuSeconds, cpuPercent: (cpuSeconds / wall) * 100, bytesPerSecond: (pty.bytes - bytes0) / wall};
	} finally {
		pty.write('q');
		const quit = await Promise.race([pty.exited.then(() => true), sleep(3000).then(() => false)]);
		if (!quit) await pty.kill();
	}
}

export default async function ({runs}) {
	const n = Number(process.env.TILES_BENCH_RUNS ?? Math.min(runs, 3));
	const seconds = Number(process.env.TILES_BENCH_SECONDS ?? 60);
	// TILES_BENCH_PROFILE=DIR: both cockpits write CPU profiles to DIR/tiles and DIR/idle (the figures then include the profiler).
	const profileArgs = which => (process.env.TILES_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.TILES_BENCH_PROFILE, which)}`] : []);
	const prom = await startFakePrometheus();
	const dir = mkdtempSync(join(tmpdir(), 'deploycockpit-tiles-bench-'));
	const file = join(dir, 'rollout.md');
	writeFileSync(file, checklistText());
	const tiles = Array.from({length: TILES}, (_, i) => ({title: `Bench ${i + 1}`, query: `sum(rate(bench_metric_${i}[1m]))`, unit: 'percent', warn: 0.1, crit: 0.2, interval: '1s'}));
	const withTiles = [];
	const idle = [];
	const queryRates = [];
	try {
		for (let r = 0; r < n; r++) {
			// Both cockpits run at the same time, so both see the same machine.
			const q0 = prom.queries;
			const t0 = Date.now();
			const [a, b] = await Promise.all([
				measure(file, envFor(join(dir, `tiles${r}`), {host: false, prometheus: prom.url, tiles}), seconds, profileArgs('tiles')),
				measure(file, envFor(join(dir, `idle${r}`), {host: false}), seconds, profileArgs('idle')),
			]);
			queryRates.push((prom.queries - q0) / ((Date.now() - t0) / 1000));
			withTiles.push(a);
			idle.push(b);
			process.stderr.write(`  run ${r + 1}/${n}: tiles ${a.cpuPercent.toFixed(2)}% ${a.bytesPerSecond.toFixed(0)} B/s; idle ${b.cpuPercent.toFixed(2)}% ${b.bytesPerSecond.toFixed(0)} B/s\n`);
		}
	} finally {
		await prom.close();
		rmSync(dir, {recursive: true, force: true});
	}
	const med = (list, key) => median(list.map(x => x[key]));
	const note = `${TILES} tiles at 1 s + alerts/targets, values moving every second; 120×40 pty; ${seconds} s window after ${WARMUP_MS / 1000} s warm-up; median of ${n}; ~${round(median(queryRates))} queries/s answered (median)`;
	return [
		{name: `tiles: cockpit CPU, ${TILES} tiles at 1 s`, value: round(med(withTiles, 'cpuPercent'), 2), unit: '% of one core', baseline: 'same cockpit, no tiles', baselineValue: round(med(idle, 'cpuPercent'), 2), note: `${note}; target < 2%`},
		{name: `tiles: cockpit CPU seconds over ${seconds} s`, value: round(med(withTiles, 'cpuSeconds'), 2), unit: 's', baseline: 'same cockpit, no tiles', baselineValue: round(med(idle, 'cpuSeconds'), 2), note: 'utime+stime from /proc/<pid>/stat'},
		{name: `tiles: terminal bytes/s, ${TILES} tiles at 1 s`, value: round(med(withTiles, 'bytesPerSecond')), unit: 'B/s', baseline: 'same cockpit, no tiles', baselineValue: round(med(idle, 'bytesPerSecond')), note: 'bytes the pty received; target < 2 KB/s'},
	];
}
