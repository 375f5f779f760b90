// Starts a throw-away redis-server on a free 127.0.0.1 port, no persistence.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Redis} from 'ioredis';
import {freePort} from './postgres.js';

export interface RedisServer {
	port: number;
	pid: number;
	url: string;
	/** A client for the test itself (arranging data, checking effects). */
	client: Redis;
	stop(): Promise<void>;
}

export function findRedisServer(): string | null {
	const found = spawnSync('sh', ['-c', 'command -v redis-server'], {encoding: 'utf8'});
	const path = found.stdout.trim();
	return found.status === 0 && path ? path : null;
}

/** Run, skip (outside CI) or fail (in CI: startRedis() throws). */
export function redisAvailability(): {available: boolean; reason: string} {
	if (findRedisServer()) return {available: true, reason: ''};
	const reason = 'redis-server not found on PATH (apt-get install redis-server)';
	if (process.env.CI) return {available: true, reason};
	console.warn(`skipping Redis tests: ${reason}`);
	return {available: false, reason};
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of live) child.kill('SIGKILL');
});

/** `port`: that port (a restart of a killed server: it comes back empty). */
export async function startRedis(options: {port?: number} = {}): Promise<RedisServer> {
	const bin = findRedisServer();
	if (!bin) throw new Error('redis-server not found on PATH');
	const dir = mkdtempSync(join(tmpdir(), 'deploycockpit-redis-'));
	for (let attempt = 0; ; attempt++) {
		const port = options.port ?? (await freePort());
		const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		live.add(child);
		let log = '';
		child.stdout?.on('data', d => (log += String(d)));
		child.stderr?.on('data', d => (log += String(d)));
		const ready = await new Promise<boolean>(resolve => {
			const timer = setTimeout(() => resolve(false), 15_000);
			const check = () => {
				if (/Ready to accept connections/i.test(log)) {
					clearTimeout(timer);
					resolve(true);
				}
			};
			child.stdout?.on('data', check);
			child.once('exit', () => {
				clearTimeout(timer);
				resolve(false);
			});
		});
		if (!ready) {
			child.kill('SIGKILL');
			live.delete(child);
			if (attempt < 2 && /in use/i.test(log)) continue;
			rmSync(dir, {recursive: true, force: true});
			throw new Error(`redis-server did not start:\n${log}`);
		}
		const url = `redis://127.0.0.1:${port}`;
		const client = new Redis(url, {lazyConnect: true, maxRetriesPerRequest: 1});
		// A test that kills the server sees its own checks fail; ioredis need not print each reconnect.
		client.on('error', () => undefined);
		await client.connect();
		return {
			port,
			pid: child.pid!,
			url,
			client,
			async stop() {
				client.disconnect();
				if (child.exitCode === null && child.signalCode === null) {
					const exited = new Promise(resolve => child.once('exit', resolve));
					child.kill('SIGTERM');
					const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
					await exited;
					clearTimeout(timer);
				}
				live.delete(child);
				rmSync(dir, {recursive: true, force: true});
			},
		};
	}
}
