// Which redis commands are dangerous, as the safety part sees them: in redis
// blocks, in `redis-cli` arguments and in text fed to redis-cli. Lua scripts
// (EVAL) are looked into: the commands they call are judged the same way, and
// a script whose calls cannot be read (a command name from a variable,
// EVALSHA, FCALL) is asked about, because it is not provably harmless.

const GLOB = /[*?[]/;

/** Why one redis command (its words, the command name first) is dangerous, or null. */
export function redisArgsDanger(args: string[]): string | null {
	const name = (args[0] ?? '').toUpperCase();
	const sub = (args[1] ?? '').toUpperCase();
	if (name === 'FLUSHALL' || name === 'FLUSHDB' || name === 'SWAPDB') return name;
	if (name === 'SHUTDOWN') return 'redis SHUTDOWN';
	if ((name === 'DEL' || name === 'UNLINK') && args.slice(1).some(a => GLOB.test(a))) return `${name} of a pattern`;
	if (name === 'REPLICAOF' || name === 'SLAVEOF') return name;
	if ((name === 'SCRIPT' || name === 'FUNCTION') && sub === 'FLUSH') return `${name} FLUSH`;
	if (name === 'CLUSTER' && sub === 'RESET') return 'CLUSTER RESET';
	if (name === 'EVAL' || name === 'EVAL_RO') return args[1] === undefined ? null : luaDanger(args[1]);
	if (name === 'EVALSHA' || name === 'EVALSHA_RO' || name === 'FCALL') return `${name} runs a stored script that cannot be analysed — check it by eye`;
	return null;
}

/** `redis.call('flushall')`, `redis.pcall("DEL", unpack(redis.call('KEYS', ...)))` in a Lua script. */
const LUA_CALL = /\bredis\s*\.\s*p?call\s*\(\s*(?:(["'])((?:\\.|(?!\1).)*)\1|([^,)\s]+))\s*([,)])/g;

export function luaDanger(script: string): string | null {
	const called: string[] = [];
	for (const m of script.matchAll(LUA_CALL)) {
		if (m[2] === undefined) return `EVAL calls redis with a computed command (${m[3]}) — check it by eye`;
		called.push(m[2].toUpperCase());
	}
	for (const name of called) {
		const reason = redisArgsDanger([name]);
		if (reason) return `EVAL ${reason}`;
	}
	// Deleting whatever KEYS/SCAN found is a delete by pattern.
	if (called.some(n => n === 'DEL' || n === 'UNLINK') && called.some(n => n === 'KEYS' || n === 'SCAN')) return 'EVAL deletes keys found by KEYS/SCAN';
	return null;
}

/** Splits a redis-cli line like redis-cli does: spaces separate, quotes group. */
export function redisWords(line: string): string[] {
	const words: string[] = [];
	let i = 0;
	while (i < line.length) {
		while (i < line.length && /\s/.test(line[i]!)) i++;
		if (i >= line.length) break;
		let word = '';
		while (i < line.length && !/\s/.test(line[i]!)) {
			const c = line[i]!;
			if (c === '"' || c === "'") {
				let j = i + 1;
				while (j < line.length && line[j] !== c) {
					if (line[j] === '\\' && c === '"' && j + 1 < line.length) {
						word += line[j + 1];
						j += 2;
						continue;
					}
					word += line[j];
					j++;
				}
				i = j + 1;
				continue;
			}
			word += c;
			i++;
		}
		words.push(word);
	}
	return words;
}

/** Options of redis-cli that take a value. */
const CLI_WITH_VALUE = new Set(['-h', '-p', '-a', '-n', '-u', '-s', '-r', '-i', '-d', '-D', '--user', '--pass', '--cacert', '--cacertdir', '--cert', '--key', '--sni', '--pattern', '--count', '--eval', '--memkeys-samples', '--quoted-pattern']);

/** The command words of a redis-cli invocation: what follows its options. */
export function redisCliCommand(args: string[]): string[] {
	let k = 0;
	while (k < args.length && args[k]!.startsWith('-')) {
		const a = args[k]!;
		k += CLI_WITH_VALUE.has(a) ? 2 : 1;
	}
	return args.slice(k);
}

/** redis blocks and text fed to redis-cli: one command a line; `#` lines are comments. */
export function redisFindings(source: string): Array<{reason: string; command: string; start: number}> {
	const out: Array<{reason: string; command: string; start: number}> = [];
	let offset = 0;
	for (const line of source.split('\n')) {
		const start = offset;
		offset += line.length + 1;
		const trimmed = line.trim();
		if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) continue;
		let words = redisWords(trimmed);
		if (/(redis|valkey|keydb)-cli$/.test(words[0] ?? '')) words = redisCliCommand(words.slice(1));
		const reason = redisArgsDanger(words);
		if (reason) out.push({reason, command: trimmed, start});
	}
	return out;
}
