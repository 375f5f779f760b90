// The redis executor against a real redis-server started for this file.
import {createServer, type Server} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {redisDangers} from '../../source/engine/redis/classify.js';
import {createRedisExecutor} from '../../source/engine/redis/executor.js';
import {parseRedisBlock, splitArgs} from '../../source/engine/redis/parse.js';
import {formatReply} from '../../source/engine/redis/reply.js';
import type {RedisResultData} from '../../source/engine/redis/run.js';
import type {BlockExecutor} from '../../source/engine/types.js';
import {freePort} from '../helpers/postgres.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {makeContext, sqlBlock} from '../sql/context.js';

const redisCheck = redisAvailability();

describe.skipIf(!redisCheck.available)('redis executor against redis-server', () => {
	let server: RedisServer;
	let executor: BlockExecutor;

	beforeAll(async () => {
		server = await startRedis();
		executor = createRedisExecutor();
	});
	afterAll(async () => {
		await executor?.close?.();
		await server?.stop();
	});

	const run = async (code: string, options: {confirmed?: boolean; env?: Record<string, string>; settings?: Record<string, unknown>} = {}) => {
		const t = makeContext({env: {REDIS_URL: server.url, ...options.env}, settings: options.settings, confirmed: options.confirmed});
		const result = await executor.run(sqlBlock(code, 30, 'redis'), t.ctx);
		return {result, output: t.output(), data: result.data as RedisResultData};
	};

	it('shows each reply type like redis-cli: nil, integer, string, status, array, error', async () => {
		await server.client.set('feature:checkout', 'true');
		await server.client.rpush('deploy:hosts', 'web-1', 'web-2');
		await server.client.set('counter', '41');
		const reads = await run(['# reads only', 'GET feature:missing', 'EXISTS feature:checkout', 'GET "feature:checkout"', 'LRANGE deploy:hosts 0 -1', 'TYPE deploy:hosts', 'LRANGE nothing 0 -1'].join('\n'));
		expect(reads.result.exitCode).toBe(0);
		expect(reads.output).toBe(
			[
				`-- ${server.url} (REDIS_URL)`,
				'> GET feature:missing',
				'(nil)',
				'> EXISTS feature:checkout',
				'(integer) 1',
				'> GET "feature:checkout"',
				'"true"',
				'> LRANGE deploy:hosts 0 -1',
				'1) "web-1"',
				'2) "web-2"',
				'> TYPE deploy:hosts',
				'list',
				'> LRANGE nothing 0 -1',
				'(empty array)',
				'',
			].join('\n'),
		);
		expect(reads.data.commands.map(c => c.reply?.type)).toEqual(['nil', 'integer', 'string', 'array', 'status', 'array']);

		const error = await run('GET deploy:hosts\nGET counter');
		expect(error.result.exitCode).toBe(1);
		expect(error.output).toContain('(error) WRONGTYPE Operation against a key holding the wrong kind of value');
		expect(error.data.commands[1]!.skipped).toBe('an earlier command failed');
	});

	it('refuses writes without confirmation and runs nothing; runs them when confirmed', async () => {
		const refused = await run('GET counter\nINCR counter\nSET "feature:new flow" "on"');
		expect(refused.result.exitCode).toBe(1);
		expect(refused.output).toMatch(/refused: this block writes to Redis/);
		expect(refused.output).toContain('line 32: INCR counter  [write]');
		expect(await server.client.get('counter')).toBe('41');
		expect(await server.client.exists('feature:new flow')).toBe(0);

		const confirmed = await run('INCR counter\nSET "feature:new flow" "on"\nGET \'feature:new flow\'', {confirmed: true});
		expect(confirmed.result.exitCode).toBe(0);
		expect(confirmed.output).toContain('> INCR counter\n(integer) 42\n');
		expect(confirmed.output).toContain('> SET "feature:new flow" "on"\nOK\n');
		expect(confirmed.output).toContain('"on"\n');
		expect(await server.client.get('feature:new flow')).toBe('on');
	});

	it('marks FLUSHALL, FLUSHDB and DEL of patterns dangerous', async () => {
		const refused = await run('DEL feature:*\nFLUSHDB');
		expect(refused.output).toContain('[DANGEROUS: DEL of a pattern]');
		expect(refused.output).toContain('[DANGEROUS: FLUSHDB]');
		expect(await server.client.exists('counter')).toBe(1);
		expect(redisDangers({code: 'GET x\nFLUSHALL\nUNLINK "a?"\nDEL plain', line: 5, inline: false})).toEqual([
			{command: 'FLUSHALL', reason: 'FLUSHALL', line: 7},
			{command: 'UNLINK "a?"', reason: 'UNLINK of a pattern', line: 8},
		]);
		const confirmed = await run('SET scratch 1\nFLUSHDB', {confirmed: true});
		expect(confirmed.output).toContain('(dangerous: FLUSHDB; confirmed)\nOK');
		expect(await server.client.dbsize()).toBe(0);
	});

	it('keeps binary-safe arguments and escapes replies like redis-cli', async () => {
		const {output} = await run('SET bin "a\\x00b\\n\\"q\\"\\xff"\nGET bin\nSTRLEN bin\nSET utf "héllo"\nGET utf', {confirmed: true});
		expect(output).toContain('> GET bin\n"a\\x00b\\n\\"q\\"\\xff"\n');
		expect(output).toContain('(integer) 8');
		expect(output).toContain('> GET utf\n"héllo"\n');
	});

	it('numbers nested arrays with redis-cli alignment', async () => {
		await server.client.xadd('events', '1-1', 'kind', 'deploy');
		const {output} = await run('XRANGE events - +');
		expect(output).toContain('1) 1) "1-1"\n   2) 1) "kind"\n      2) "deploy"\n');
		const many = formatReply({type: 'array', items: Array.from({length: 10}, (_, i) => ({type: 'integer' as const, value: i}))});
		expect(many.split('\n').slice(8, 10)).toEqual([' 9) (integer) 8', '10) (integer) 9']);
	});

	it('shows the first 100 elements of a long array and counts the rest', async () => {
		await server.client.rpush('long:list', ...Array.from({length: 250}, (_, i) => `item-${i + 1}`));
		const {output, data} = await run('LRANGE long:list 0 -1');
		expect(output).toContain('100) "item-100"\n[first 100 shown, 150 more not shown]\n');
		expect(output).not.toContain('item-101');
		expect(data.commands[0]!.reply).toMatchObject({type: 'array', more: 150});
	});

	it('connects from a `# redis:` comment or the frontmatter, masking passwords', async () => {
		const secretUrl = `redis://:Sup3rSecretPw@127.0.0.1:${server.port}`;
		await server.client.config('SET', 'requirepass', 'Sup3rSecretPw');
		try {
			const fromComment = await run('# redis: CACHE_URL\nPING', {env: {CACHE_URL: secretUrl, REDIS_URL: 'redis://127.0.0.1:1'}});
			expect(fromComment.result.exitCode).toBe(0);
			expect(fromComment.output).toContain(`-- redis://:****@127.0.0.1:${server.port} (# redis: CACHE_URL)\n> PING\nPONG\n`);
			expect(fromComment.output).not.toContain('Sup3rSecretPw');
			const fromSettings = await run('PING', {env: {SESSIONS_REDIS: secretUrl, REDIS_URL: 'redis://127.0.0.1:1'}, settings: {redis: 'SESSIONS_REDIS'}});
			expect(fromSettings.output).toContain('(frontmatter redis: SESSIONS_REDIS)');
			const wrong = await run('# redis: CACHE_URL\nPING', {env: {CACHE_URL: `redis://:WrongPw123@127.0.0.1:${server.port}`}});
			expect(wrong.result.exitCode).toBe(1);
			expect(wrong.output).not.toContain('WrongPw123');
		} finally {
			const admin = makeContext({env: {CACHE_URL: secretUrl}, confirmed: true});
			await executor.run(sqlBlock('# redis: CACHE_URL\nCONFIG SET requirepass ""', 1, 'redis'), admin.ctx);
		}
		const none = makeContext({});
		const result = await executor.run(sqlBlock('PING', 1, 'redis'), none.ctx);
		expect(result.exitCode).toBe(1);
		expect(none.output()).toContain('no redis configured');
	});

	it('cancel closes the connection of a blocking command', async () => {
		const t = makeContext({env: {REDIS_URL: server.url}, confirmed: true});
		const running = executor.run(sqlBlock('BLPOP never:filled 0', 1, 'redis'), t.ctx);
		const blocked = async () => Number((await server.client.info('clients')).match(/blocked_clients:(\d+)/)![1]);
		for (let i = 0; i < 200 && (await blocked()) === 0; i++) await new Promise(r => setTimeout(r, 20));
		expect(await blocked()).toBe(1);
		t.abort();
		const result = await running;
		expect(result.error).toBe('cancelled');
		for (let i = 0; i < 200 && (await blocked()) > 0; i++) await new Promise(r => setTimeout(r, 20));
		expect(await blocked()).toBe(0);
	});

	it('times out a command after the configured timeout', async () => {
		const {result, output} = await run('BLPOP never:filled 0', {confirmed: true, settings: {redisTimeout: '200ms'}});
		expect(result.exitCode).toBe(1);
		expect(output).toContain('(error) timed out after 200 ms (timeout from frontmatter redisTimeout');
	});

	it('restores the database of a reused connection after SELECT', async () => {
		await server.client.set('db0-key', 'zero');
		const selected = await run('SELECT 3\nEXISTS db0-key');
		expect(selected.output).toContain('(integer) 0');
		const after = await run('EXISTS db0-key');
		expect(after.output).toContain('(integer) 1');
	});
});

describe('redis executor without a server', () => {
	it('fails with one clear line when nothing listens', async () => {
		const port = await freePort();
		const executor = createRedisExecutor();
		const t = makeContext({env: {REDIS_URL: `redis://:PwInUrl99@127.0.0.1:${port}`}});
		const result = await executor.run(sqlBlock('PING', 1, 'redis'), t.ctx);
		await executor.close?.();
		expect(result.exitCode).toBe(1);
		expect(t.output()).toBe(`deploycockpit: cannot connect to Redis at 127.0.0.1:${port} (REDIS_URL): connection refused\n`);
	});

	it('fails within the connect timeout when the server never answers', async () => {
		const silent: Server = createServer(() => {});
		await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
		const port = (silent.address() as {port: number}).port;
		const executor = createRedisExecutor();
		const t = makeContext({env: {REDIS_URL: `redis://127.0.0.1:${port}`, DEPLOYCOCKPIT_CONNECT_TIMEOUT: '300ms'}});
		const result = await executor.run(sqlBlock('PING', 1, 'redis'), t.ctx);
		await executor.close?.();
		silent.close();
		expect(result.exitCode).toBe(1);
		expect(t.output()).toBe(`deploycockpit: cannot connect to Redis at 127.0.0.1:${port} (REDIS_URL): no answer within 300 ms (connect timeout)\n`);
	});
});

describe('redis-cli argument splitting', () => {
	it.each([
		['SET a b', ['SET', 'a', 'b']],
		['SET "with space" \'single \\\' quote\'', ['SET', 'with space', "single ' quote"]],
		['SET k "tab\\tnew\\nline"', ['SET', 'k', 'tab\tnew\nline']],
		['SET k pre"fix val"', ['SET', 'k', 'prefix val']],
		['  GET   spaced  ', ['GET', 'spaced']],
	])('%s', (line, expected) => {
		expect(splitArgs(line)!.map(b => b.toString())).toEqual(expected);
	});

	it('runs only the prompted lines of a pasted redis-cli session', () => {
		const parsed = parseRedisBlock('127.0.0.1:6379> GET feature:x\n"true"\n127.0.0.1:6379[2]> TTL feature:x\n(integer) -1\nredis> PING');
		expect(parsed.commands.map(c => [c.line, c.text])).toEqual([[1, 'GET feature:x'], [3, 'TTL feature:x'], [5, 'PING']]);
	});

	it('explains that redis-cli invocations do not belong in a redis block', () => {
		expect(parseRedisBlock('redis-cli -h cache GET x').errors[0]!.message).toMatch(/not redis-cli invocations/);
	});

	it('rejects unbalanced quotes and text glued to a closing quote', () => {
		expect(splitArgs('GET "open')).toBeNull();
		expect(splitArgs('GET "a"b')).toBeNull();
		expect(parseRedisBlock('# comment\nGET a\n\nGET "x').errors).toEqual([{line: 4, message: 'Invalid argument(s): unbalanced quotes'}]);
	});
});
