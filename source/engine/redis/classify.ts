// Which redis commands only read (run without confirmation) and which are
// dangerous. Anything not known to be a read counts as a write.
import type {Block} from '../../checklist/model.js';
import {parseRedisBlock} from './parse.js';

const READS = new Set([
	'GET', 'MGET', 'GETRANGE', 'SUBSTR', 'STRLEN', 'EXISTS', 'TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME', 'TYPE', 'KEYS', 'SCAN',
	'RANDOMKEY', 'DUMP', 'TOUCH', 'LCS', 'GETBIT', 'BITCOUNT', 'BITPOS', 'BITFIELD_RO',
	'HGET', 'HMGET', 'HGETALL', 'HKEYS', 'HVALS', 'HLEN', 'HEXISTS', 'HSTRLEN', 'HSCAN', 'HRANDFIELD', 'HTTL', 'HPTTL',
	'LRANGE', 'LLEN', 'LINDEX', 'LPOS',
	'SMEMBERS', 'SISMEMBER', 'SMISMEMBER', 'SCARD', 'SSCAN', 'SRANDMEMBER', 'SINTER', 'SINTERCARD', 'SUNION', 'SDIFF',
	'ZRANGE', 'ZRANGEBYSCORE', 'ZRANGEBYLEX', 'ZREVRANGE', 'ZREVRANGEBYSCORE', 'ZREVRANGEBYLEX', 'ZSCORE', 'ZMSCORE', 'ZCARD',
	'ZCOUNT', 'ZLEXCOUNT', 'ZRANK', 'ZREVRANK', 'ZSCAN', 'ZRANDMEMBER', 'ZINTER', 'ZUNION', 'ZDIFF', 'ZINTERCARD',
	'XRANGE', 'XREVRANGE', 'XLEN', 'XINFO', 'XPENDING', 'XREAD',
	'GEOPOS', 'GEODIST', 'GEOHASH', 'GEOSEARCH', 'GEORADIUS_RO', 'GEORADIUSBYMEMBER_RO', 'PFCOUNT',
	'DBSIZE', 'INFO', 'PING', 'ECHO', 'TIME', 'LASTSAVE', 'ROLE', 'COMMAND', 'SELECT', 'OBJECT', 'MEMORY', 'LOLWUT',
]);
// Commands whose read-only-ness depends on the subcommand.
const READ_SUBCOMMANDS: Record<string, Set<string>> = {
	CONFIG: new Set(['GET', 'HELP']),
	CLIENT: new Set(['LIST', 'INFO', 'GETNAME', 'ID', 'HELP', 'TRACKINGINFO', 'GETREDIR']),
	SLOWLOG: new Set(['GET', 'LEN', 'HELP']),
	LATENCY: new Set(['LATEST', 'HISTORY', 'DOCTOR', 'GRAPH', 'HISTOGRAM', 'HELP']),
	SCRIPT: new Set(['EXISTS', 'HELP']),
	FUNCTION: new Set(['LIST', 'STATS', 'DUMP', 'HELP']),
	CLUSTER: new Set(['INFO', 'NODES', 'SLOTS', 'SHARDS', 'MYID', 'KEYSLOT', 'COUNTKEYSINSLOT', 'GETKEYSINSLOT', 'HELP']),
	ACL: new Set(['LIST', 'USERS', 'WHOAMI', 'GETUSER', 'CAT', 'LOG', 'HELP']),
	PUBSUB: new Set(['CHANNELS', 'NUMSUB', 'NUMPAT', 'SHARDCHANNELS', 'SHARDNUMSUB', 'HELP']),
	MODULE: new Set(['LIST', 'HELP']),
};
/** Commands that change what the connection is (and so are refused in a step). */
export const CONNECTION_MODE = new Set(['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'MONITOR', 'SYNC', 'PSYNC', 'QUIT', 'HELLO']);

const GLOB = /[*?[]/;

export function isRedisRead(args: Array<string | Buffer>): boolean {
	const name = String(args[0] ?? '').toUpperCase();
	if (READS.has(name)) {
		// XREAD is a read; XREADGROUP is not (it moves the group's cursor) and is not in READS.
		return true;
	}
	const subs = READ_SUBCOMMANDS[name];
	return subs !== undefined && subs.has(String(args[1] ?? '').toUpperCase());
}

/** Why a command is dangerous, or undefined. */
export function redisDanger(args: Array<string | Buffer>): string | undefined {
	const name = String(args[0] ?? '').toUpperCase();
	if (name === 'FLUSHALL' || name === 'FLUSHDB' || name === 'SHUTDOWN' || name === 'SWAPDB') return name;
	if ((name === 'DEL' || name === 'UNLINK') && args.slice(1).some(a => GLOB.test(String(a)))) return `${name} of a pattern`;
	if (name === 'REPLICAOF' || name === 'SLAVEOF') return name;
	if ((name === 'SCRIPT' || name === 'FUNCTION') && String(args[1] ?? '').toUpperCase() === 'FLUSH') return `${name} FLUSH`;
	if (name === 'CLUSTER' && String(args[1] ?? '').toUpperCase() === 'RESET') return 'CLUSTER RESET';
	return undefined;
}

export interface RedisDanger {
	command: string;
	reason: string;
	/** 1-based line in the checklist file. */
	line: number;
}

/** Dangerous commands of a redis block (for the confirmation UI; see safety/analyze.ts). */
export function redisDangers(block: Pick<Block, 'code' | 'line' | 'inline'>): RedisDanger[] {
	const out: RedisDanger[] = [];
	for (const command of parseRedisBlock(block.code).commands) {
		const reason = redisDanger(command.args);
		if (reason) out.push({command: command.text, reason, line: block.inline ? block.line : block.line + command.line});
	}
	return out;
}

/** Commands of a redis block that need a confirmation: every write (dangerous reason when there is one). */
export function redisWrites(block: Pick<Block, 'code' | 'line' | 'inline'>): RedisDanger[] {
	const out: RedisDanger[] = [];
	for (const command of parseRedisBlock(block.code).commands) {
		if (isRedisRead(command.args)) continue;
		const name = command.args[0]!.toString().toUpperCase();
		out.push({command: command.text, reason: redisDanger(command.args) ?? `writes (${name})`, line: block.inline ? block.line : block.line + command.line});
	}
	return out;
}
