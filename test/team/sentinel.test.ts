// Team mode through Redis Sentinel: one master, one replica, three sentinels
// on loopback ports; the master is killed mid-window and the members follow
// the failover and go on.
import {spawn, type ChildProcess} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {Redis} from 'ioredis';
import {afterAll, describe, expect, it} from 'vitest';
import {freePort} from '../helpers/postgres.js';
import {findRedisServer, redisAvailability} from '../helpers/redis.js';
import {DEPLOY, FLUSH, makeRoot, member, sleep, until} from './members.js';

const {available} = redisAvailability();

describe.runIf(available)('team mode over Sentinel', {timeout: 120_000}, () => {
	const root = makeRoot();
	const children: ChildProcess[] = [];
	afterAll(() => {
		for (const child of children) child.kill('SIGKILL');
		root.cleanup();
	});

	function server(args: string[]): Promise<ChildProcess> {
		const child = spawn(findRedisServer()!, args, {stdio: ['ignore', 'pipe', 'pipe'], cwd: root.root});
		children.push(child);
		let log = '';
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`did not start: ${log}`)), 15_000);
			child.stdout!.on('data', d => {
				log += String(d);
				if (/Ready to accept connections|Sentinel ID is/i.test(log)) {
					clearTimeout(timer);
					resolve(child);
				}
			});
		});
	}

	it('members follow a failover of the master and go on', async () => {
		const [masterPort, replicaPort, ...sentinelPorts] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
		const base = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
		const master = await server(['--port', String(masterPort), ...base, '--dir', root.root, '--dbfilename', 'm.rdb']);
		await server(['--port', String(replicaPort), ...base, '--dir', root.root, '--dbfilename', 'r.rdb', '--replicaof', '127.0.0.1', String(masterPort)]);
		for (const port of sentinelPorts) {
			const conf = join(root.root, `sentinel-${port}.conf`);
			writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `sentinel monitor dcmaster 127.0.0.1 ${masterPort} 2`, 'sentinel down-after-milliseconds dcmaster 1000', 'sentinel failover-timeout dcmaster 5000', ''].join('\n'));
			await server([conf, '--sentinel']);
		}
		const sentinels = sentinelPorts.map(p => `127.0.0.1:${p}`).join(',');
		const team = {url: 'redis://sentinel', session: 'pay-window-sentinel'};
		const env = {DEPLOYCOCKPIT_TEAM_SENTINELS: sentinels, DEPLOYCOCKPIT_TEAM_MASTER: 'dcmaster'};
		const ana = member(root.root, 'ana', team, env);
		const bo = member(root.root, 'bo', team, env);
		const ran = await ana.cli(['run', ana.file, '--step', DEPLOY]);
		expect(ran.code, ran.stderr).toBe(0);
		expect((await bo.status()).steps.find(s => s.id === DEPLOY)).toMatchObject({status: 'done', by: 'ana'});

		// Let the replica catch up, then kill the master.
		await sleep(500);
		master.kill('SIGKILL');
		const sentinel = new Redis({port: sentinelPorts[0]!, host: '127.0.0.1'});
		await until(async () => {
			const [, port] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', 'dcmaster')) as [string, string];
			return Number(port) === replicaPort;
		}, 30_000, 250);
		sentinel.disconnect();

		const after = await until(async () => {
			const r = await bo.cli(['run', bo.file, '--step', FLUSH]);
			return r.code === 0 ? r : undefined;
		}, 30_000, 500);
		expect(after.code).toBe(0);
		const seen = await ana.status();
		expect(seen.steps.find(s => s.id === FLUSH)).toMatchObject({status: 'done', by: 'bo'});
		expect(seen.steps.find(s => s.id === DEPLOY)).toMatchObject({status: 'done', by: 'ana'});
	});
});
