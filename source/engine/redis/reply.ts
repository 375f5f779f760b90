// Shows replies typed, the way redis-cli does on a terminal:
//   (nil)   (integer) 5   "string"   OK   (error) ERR ...   1) "a"  2) "b"
// ioredis hands simple-string and bulk-string replies over alike (as bytes),
// so simple strings are recognised by the commands known to answer with them.

export type RedisReply =
	| {type: 'nil'}
	| {type: 'integer'; value: number | string}
	/** binary: not valid UTF-8, `value` holds the bytes as latin1. */
	| {type: 'string'; value: string; binary?: true}
	| {type: 'status'; value: string}
	| {type: 'error'; message: string}
	/** more: elements beyond MAX_ARRAY_ITEMS, counted but not kept. */
	| {type: 'array'; items: RedisReply[]; more?: number};

/** Elements shown per array (like the 50 rows of a sql table; redis arrays are often longer lists of keys). */
export const MAX_ARRAY_ITEMS = 100;

const STATUS_COMMANDS = new Set([
	'SET', 'SETEX', 'PSETEX', 'MSET', 'TYPE', 'SELECT', 'FLUSHALL', 'FLUSHDB', 'RENAME', 'LSET', 'LTRIM', 'HMSET', 'MULTI',
	'DISCARD', 'WATCH', 'UNWATCH', 'AUTH', 'SAVE', 'BGSAVE', 'BGREWRITEAOF', 'SHUTDOWN', 'RESTORE', 'MIGRATE', 'PFMERGE',
	'SWAPDB', 'REPLICAOF', 'SLAVEOF', 'RESET', 'READONLY', 'READWRITE', 'ASKING', 'XSETID', 'CONFIG', 'CLIENT', 'SCRIPT',
	'FUNCTION', 'CLUSTER', 'DEBUG', 'ACL', 'MODULE', 'XGROUP', 'LATENCY', 'SLOWLOG',
]);

function isStatusReply(command: string[], value: Buffer): boolean {
	const name = (command[0] ?? '').toUpperCase();
	if (name === 'PING') return command.length === 1;
	// SET ... GET returns the old value as a bulk string.
	if (name === 'SET' && command.slice(3).some(a => a.toUpperCase() === 'GET')) return false;
	if (!STATUS_COMMANDS.has(name)) return false;
	// Subcommands that return data (CONFIG GET, CLIENT LIST, ...) send bulk strings; statuses are short words.
	return /^[A-Za-z][A-Za-z0-9 _-]{0,60}$/.test(value.toString('latin1')) && !['GET', 'LIST', 'INFO', 'GETNAME', 'DOCTOR', 'GRAPH'].includes((command[1] ?? '').toUpperCase());
}

export function toReply(value: unknown, command: string[], top = true): RedisReply {
	if (value === null || value === undefined) return {type: 'nil'};
	if (typeof value === 'number') return {type: 'integer', value};
	if (typeof value === 'bigint') return {type: 'integer', value: value.toString()};
	if (value instanceof Error) return {type: 'error', message: value.message};
	if (Buffer.isBuffer(value)) {
		if (top && isStatusReply(command, value)) return {type: 'status', value: value.toString('utf8')};
		const text = value.toString('utf8');
		if (Buffer.from(text, 'utf8').equals(value)) return {type: 'string', value: text};
		return {type: 'string', value: value.toString('latin1'), binary: true};
	}
	if (Array.isArray(value)) {
		const items = value.slice(0, MAX_ARRAY_ITEMS).map(v => toReply(v, command, false));
		return value.length > MAX_ARRAY_ITEMS ? {type: 'array', items, more: value.length - MAX_ARRAY_ITEMS} : {type: 'array', items};
	}
	return {type: 'string', value: String(value)};
}

/**
 * sdscatrepr: the quoted, escaped form redis-cli prints; except that valid
 * UTF-8 text outside ASCII is shown as text rather than as \x escapes.
 */
export function quoteRedisString(value: string, binary = false): string {
	if (!binary) {
		let out = '"';
		for (const ch of value) out += ch.codePointAt(0)! < 0x80 ? quoteRedisString(ch, true).slice(1, -1) : ch;
		return out + '"';
	}
	let out = '"';
	for (const byte of Buffer.from(value, 'latin1')) {
		if (byte === 0x5c) out += '\\\\';
		else if (byte === 0x22) out += '\\"';
		else if (byte === 0x0a) out += '\\n';
		else if (byte === 0x0d) out += '\\r';
		else if (byte === 0x09) out += '\\t';
		else if (byte === 0x07) out += '\\a';
		else if (byte === 0x08) out += '\\b';
		else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
		else out += `\\x${byte.toString(16).padStart(2, '0')}`;
	}
	return out + '"';
}

/** cliFormatReplyTTY, including its index alignment for nested arrays. */
export function formatReply(reply: RedisReply, prefix = ''): string {
	switch (reply.type) {
		case 'nil':
			return '(nil)\n';
		case 'integer':
			return `(integer) ${reply.value}\n`;
		case 'status':
			return `${reply.value}\n`;
		case 'error':
			return `(error) ${reply.message}\n`;
		case 'string':
			return `${quoteRedisString(reply.value, reply.binary)}\n`;
		case 'array': {
			if (reply.items.length === 0) return '(empty array)\n';
			const width = String(reply.items.length).length;
			const nested = prefix + ' '.repeat(width + 2);
			let out = '';
			reply.items.forEach((item, i) => {
				out += `${i === 0 ? '' : prefix}${String(i + 1).padStart(width)}) `;
				out += formatReply(item, nested);
			});
			if (reply.more) out += `${prefix}[first ${reply.items.length} shown, ${reply.more} more not shown]\n`;
			return out;
		}
	}
}
