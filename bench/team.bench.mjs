// Team mode: a status change on one member → seen by another (p50/p99 over
// 100 changes, both members in this process on a loopback redis-server), and
// Redis memory per 1,000 events (the stream's MEMORY USAGE).
import {spawn} from 'node:child_process';
import {copyFileSync, mkdtempSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

const fixture = fileURLToPath(new URL('../test/fixtures/team/window.md', import.meta.url));

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
	server.kill('SIGTERM');
	rmSync(root, {recursive: true, force: true});
	const perThousand = Math.round(((bytesAfter - bytesBefore) / (after - before)) * 1000 / 1024);
	return [
		{name: 'team: status change on one member → seen by another, p50', value: lat[49].toFixed(1), unit: 'ms', note: '100 marks, loopback Redis, both members in one process'},
		{name: 'team: status change on one member → seen by another, p99', value: lat[98].toFixed(1), unit: 'ms', note: 'includes the local state.json + audit writes'},
		{name: 'team: Redis memory per 1,000 events', value: perThousand, unit: 'KiB', note: `stream MEMORY USAGE, ${after - before} events, unencrypted`},
	];
}
