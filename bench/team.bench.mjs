// Team mode: a status change on one member → seen by another (p50/p99 over
// 100 changes, both members in this process on a loopback redis-server),
// Redis memory per 1,000 events (the stream's MEMORY USAGE), an output line
// on the driving member → in a follower's session (p50/p99; the followers in
// another process), and the driving member's CPU (utime+stime from
// /proc/self/stat, its own process) with 0 and with 20 followers.
import {spawn} from 'node:child_process';
import {copyFileSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {createInterface} from 'node:readline';
import {median, percentile} from './lib.mjs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

const fixture = fileURLToPath(new URL('../test/fixtures/team/window.md', import.meta.url));
const outputFixture = fileURLToPath(new URL('./fixtures/team-output.md', import.meta.url));
const driverScript = fileURLToPath(new URL('./fixtures/team-driver.mjs', import.meta.url));
const followersScript = fileURLToPath(new URL('./fixtures/team-followers.mjs', import.meta.url));
const LINES = 200;

/** One window: `followers` members follow (another process) while the driver prints LINES timed lines. */
async function outputRound(url, root, round, followers) {
	const session = `bench-output-${round}`;
	const dir = join(root, `round-${round}`);
	mkdirSync(join(dir, 'driver'), {recursive: true});
	const file = join(dir, 'driver', 'output.md');
	copyFileSync(outputFixture, file);
	let host;
	let lines;
	if (followers > 0) {
		host = spawn(process.execPath, [followersScript, url, session, dir, outputFixture, String(followers)], {stdio: ['pipe', 'pipe', 'inherit']});
		lines = createInterface({input: host.stdout})[Symbol.asyncIterator]();
		const ready = await lines.next();
		if (ready.value !== 'ready') throw new Error(`followers: ${ready.value}`);
	}
	const driver = spawn(process.execPath, [driverScript, url, session, join(dir, 'driver'), file], {stdio: ['ignore', 'pipe', 'inherit'], env: {...process.env, LINES: String(LINES), GAP: '0.02'}});
	let out = '';
	driver.stdout.on('data', d => (out += String(d)));
	await new Promise(resolve => driver.once('close', resolve));
	const {cpuMs, status} = JSON.parse(out.trim().split('\n').at(-1));
	if (status !== 'done') throw new Error(`driver run: ${status}`);
	let latencies = [];
	if (host) {
		await new Promise(r => setTimeout(r, 500));
		host.stdin.write('end\n');
		latencies = JSON.parse((await lines.next()).value).latencies;
		await new Promise(resolve => host.once('close', resolve));
	}
	return {cpuMs, latencies};
}

function freePort() {
	return new Promise(resolve => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address();
			server.close(() => resolve(port));
		});
	});
}

export default async function bench() {
	const {openTeamSession} = await import('../dist/team/join.js');
	const {Redis} = await import('ioredis');
	const root = mkdtempSync(join(tmpdir(), 'dc-team-bench-'));
	const port = await freePort();
	const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {stdio: 'ignore'});
	await new Promise(r => setTimeout(r, 300));
	const url = `redis://127.0.0.1:${port}`;
	const open = async name => {
		const dir = join(root, name);
		const file = join(dir, 'window.md');
		await import('node:fs').then(fs => fs.mkdirSync(dir, {recursive: true}));
		copyFileSync(fixture, file);
		return openTeamSession(file, {stateDir: join(dir, 'state')}, {url, session: 'bench', as: name, offline: false}, {flushMs: 1000, headless: true});
	};
	const ana = await open('ana');
	const bo = await open('bo');
	const step = 'app/flush-the-payments-cache';
	const lat = [];
	for (let i = 0; i < 100; i++) {
		const want = i % 2 === 0 ? 'done' : 'pending';
		const seen = new Promise(resolve => {
			const off = bo.subscribe(e => {
				if (e.type === 'state' && e.state.steps[step]?.status === want) {
					off();
					resolve(performance.now());
				}
			});
		});
		const t0 = performance.now();
		await ana.mark(step, want);
		lat.push((await seen) - t0);
	}
	lat.sort((a, b) => a - b);
	const client = new Redis(url);
	const keys = await client.keys('dc:*:events');
	const before = await client.xlen(keys[0]);
	const bytesBefore = Number(await client.memory('USAGE', keys[0]));
	for (let i = 0; i < 1000; i++) await ana.mark(step, i % 2 === 0 ? 'done' : 'pending');
	await new Promise(r => setTimeout(r, 1500));
	const after = await client.xlen(keys[0]);
	const bytesAfter = Number(await client.memory('USAGE', keys[0]));
	client.disconnect();
	await ana.close();
	await bo.close();
	// Output and the driver's CPU: three windows alone, three with 20 followers, one with 1 follower.
	let round = 0;
	const alone = [];
	const crowd = [];
	const crowdLat = [];
	for (let i = 0; i < 3; i++) {
		alone.push((await outputRound(url, root, round++, 0)).cpuMs);
		const withTwenty = await outputRound(url, root, round++, 20);
		crowd.push(withTwenty.cpuMs);
		crowdLat.push(...withTwenty.latencies);
	}
	const single = (await outputRound(url, root, round++, 1)).latencies;
	server.kill('SIGTERM');
	rmSync(root, {recursive: true, force: true});
	const perThousand = Math.round(((bytesAfter - bytesBefore) / (after - before)) * 1000 / 1024);
	return [
		{name: 'team: status change on one member → seen by another, p50', value: lat[49].toFixed(1), unit: 'ms', note: '100 marks, loopback Redis, both members in one process'},
		{name: 'team: status change on one member → seen by another, p99', value: lat[98].toFixed(1), unit: 'ms', note: 'includes the local state.json + audit writes'},
		{name: 'team: Redis memory per 1,000 events', value: perThousand, unit: 'KiB', note: `stream MEMORY USAGE, ${after - before} events, unencrypted`},
		{name: 'team: output line on one member → in a follower\'s session, p50', value: percentile(single, 50), unit: 'ms', note: `${single.length} lines, 1 follower in another process; includes the 100 ms output batching; the cockpit draws it at its next frame (≤ 50 ms)`},
		{name: 'team: the same, p99', value: percentile(single, 99), unit: 'ms', note: ''},
		{name: 'team: the same with 20 followers, p50 / p99', value: `${percentile(crowdLat, 50)} / ${percentile(crowdLat, 99)}`, unit: 'ms', note: `${crowdLat.length} line arrivals over 20 followers (one process), 3 windows`},
		{name: 'team: driving member\'s CPU, 0 followers', value: median(alone), unit: 'ms', note: `utime+stime from /proc/self/stat over a run printing ${LINES} lines (join to leave), median of 3: ${alone.join(', ')}`},
		{name: 'team: driving member\'s CPU, 20 followers', value: median(crowd), unit: 'ms', note: `the same with 20 members following it: ${crowd.join(', ')}`},
	];
}
