// Runs one redis block: refuse unconfirmed writes before connecting, one
// command per line, typed replies, stop at the first error reply.
import type {Redis} from 'ioredis';
import type {Block} from '../../checklist/model.js';
import {createMasker} from '../../safety/mask.js';
import type {ExecContext, ExecResult} from '../types.js';
import {formatDuration} from '../table-format.js';
import {CancelledWhileWaiting} from '../sql/deadline.js';
import {abortReason, commentDirective, humanMs, resolveTimeout} from '../sql/options.js';
import {CONNECTION_MODE, isRedisRead, redisDanger} from './classify.js';
import {dropRedis, redisConnectError, resolveRedisTarget, type RedisConnections} from './connection.js';
import {parseRedisBlock} from './parse.js';
import {formatReply, toReply, type RedisReply} from './reply.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

export interface RedisCommandData {
	line: number;
	args: string[];
	write: boolean;
	dangerous?: string;
	reply?: RedisReply;
	durationMs?: number;
	skipped?: string;
}

export interface RedisResultData {
	kind: 'redis';
	target?: string;
	commandTimeoutMs: number;
	commands: RedisCommandData[];
}

function fail(ctx: ExecContext, message: string, data: RedisResultData): ExecResult {
	ctx.write(`deploycockpit: ${message}\n`);
	return {exitCode: 1, error: message, data};
}

class CommandTimeout extends Error {}

export async function runRedisBlock(block: Block, ctx: ExecContext, connections: RedisConnections): Promise<ExecResult> {
	const mask = createMasker(ctx.env);
	const write = (text: string) => ctx.write(mask(text));
	const fileLine = (line: number) => (block.inline ? block.line : block.line + line);
	const timeout = resolveTimeout({block: commentDirective(block.code, '#', 'timeout'), env: ctx.env, settings: ctx.settings}, 'DEPLOYCOCKPIT_REDIS_TIMEOUT', 'redisTimeout', DEFAULT_COMMAND_TIMEOUT_MS);
	const parsed = parseRedisBlock(block.code);
	const data: RedisResultData = {kind: 'redis', commandTimeoutMs: timeout.ms, commands: []};

	if (parsed.errors.length > 0) {
		const first = parsed.errors[0]!;
		return fail(ctx, `${first.message} at checklist line ${fileLine(first.line)}; nothing was run`, data);
	}
	if (parsed.commands.length === 0) {
		write('(no redis commands in this block)\n');
		return {exitCode: 0, data};
	}
	const modeChange = parsed.commands.find(c => CONNECTION_MODE.has(c.args[0]!.toString().toUpperCase()));
	if (modeChange) return fail(ctx, `${modeChange.args[0]!.toString().toUpperCase()} is not supported in a step (checklist line ${fileLine(modeChange.line)}); use redis-cli in a shell block; nothing was run`, data);

	const plan = parsed.commands.map(c => {
		const args = c.args.map(a => a.toString('utf8'));
		return {source: c, args, write: !isRedisRead(args), dangerous: redisDanger(args)};
	});
	const writes = plan.filter(p => p.write);
	if (writes.length > 0 && !ctx.confirmed) {
		write('refused: this block writes to Redis and was not confirmed; nothing was run.\n');
		for (const p of writes) write(`  line ${fileLine(p.source.line)}: ${p.source.text}  [${p.dangerous ? `DANGEROUS: ${p.dangerous}` : 'write'}]\n`);
		write('Confirm the step to run it (headless: run --yes).\n');
		data.commands = plan.map(p => ({line: p.source.line, args: p.args, write: p.write, dangerous: p.dangerous, skipped: 'not confirmed'}));
		return {exitCode: 1, error: 'redis write not confirmed', data};
	}

	const resolved = resolveRedisTarget(block.code, ctx.env, ctx.settings);
	if (!resolved.ok) return fail(ctx, resolved.error, data);
	const target = resolved.target;
	data.target = target.label;
	if (ctx.signal.aborted) return {exitCode: null, error: abortReason(ctx), data};

	let redis: Redis;
	try {
		redis = await connections.acquire(target, ctx.signal);
	} catch (error) {
		if (error instanceof CancelledWhileWaiting) return {exitCode: null, error: abortReason(ctx), data};
		return fail(ctx, redisConnectError(target, error), data);
	}
	if (ctx.signal.aborted) {
		connections.release(target, redis, true);
		return {exitCode: null, error: abortReason(ctx), data};
	}

	let cancelled = false;
	let reusable = true;
	let failed: string | undefined;
	let selectedDb = false;
	let cancelWake: () => void = () => {};
	const cancelledPromise = new Promise<void>(resolve => (cancelWake = resolve));
	const onAbort = () => {
		cancelled = true;
		reusable = false;
		write('\ncancelling: closing the Redis connection\n');
		dropRedis(redis);
		cancelWake();
	};
	ctx.signal.addEventListener('abort', onAbort, {once: true});
	write(`-- ${target.label} (${target.from})\n`);
	try {
		for (const p of plan) {
			const entry: RedisCommandData = {line: p.source.line, args: p.args, write: p.write};
			if (p.dangerous) entry.dangerous = p.dangerous;
			data.commands.push(entry);
			if (cancelled || failed) {
				entry.skipped = cancelled ? 'cancelled' : 'an earlier command failed';
				continue;
			}
			write(`> ${p.source.text}\n`);
			if (p.dangerous) write(`(dangerous: ${p.dangerous}; confirmed)\n`);
			if (p.args[0]!.toUpperCase() === 'SELECT') selectedDb = true;
			const started = performance.now();
			let timer: NodeJS.Timeout | undefined;
			try {
				const [name, ...rest] = p.source.args;
				const pending = redis.callBuffer(name!.toString('utf8'), ...rest);
				const raced: unknown[] = [pending, cancelledPromise.then(() => Promise.reject(new Error('cancelled')))];
				if (timeout.ms > 0) {
					raced.push(new Promise((_, reject) => {
						timer = setTimeout(() => reject(new CommandTimeout()), timeout.ms);
					}));
				}
				pending.catch(() => {});
				const value = await Promise.race(raced);
				const reply = toReply(value, p.args);
				entry.reply = reply;
				entry.durationMs = Math.round((performance.now() - started) * 10) / 10;
				write(formatReply(reply));
			} catch (error) {
				entry.durationMs = Math.round((performance.now() - started) * 10) / 10;
				if (cancelled) {
					entry.skipped = 'cancelled';
					write(`cancelled after ${formatDuration(entry.durationMs)}\n`);
				} else if (error instanceof CommandTimeout) {
					// The reply may still come; the connection cannot be trusted to pair replies any more.
					reusable = false;
					dropRedis(redis);
					failed = `timed out after ${humanMs(timeout.ms)}`;
					write(`(error) timed out after ${humanMs(timeout.ms)} (timeout from ${timeout.from}; raise it with a \`# timeout: 5m\` comment, frontmatter redisTimeout or DEPLOYCOCKPIT_REDIS_TIMEOUT)\n`);
				} else if ((error as {name?: string}).name === 'ReplyError') {
					const reply: RedisReply = {type: 'error', message: (error as Error).message};
					entry.reply = reply;
					failed = (error as Error).message;
					write(formatReply(reply));
				} else {
					reusable = false;
					failed = `connection lost: ${(error as Error).message}`;
					write(`(error) ${failed}\n`);
				}
			} finally {
				clearTimeout(timer);
			}
		}
		if (selectedDb && reusable && !cancelled) await redis.select(target.db).catch(() => (reusable = false));
	} finally {
		ctx.signal.removeEventListener('abort', onAbort);
		connections.release(target, redis, reusable && !cancelled);
	}
	if (cancelled) return {exitCode: null, signal: 'SIGINT', error: abortReason(ctx), data};
	if (failed) return {exitCode: 1, error: mask(`redis error: ${failed}`), data};
	return {exitCode: 0, data};
}
