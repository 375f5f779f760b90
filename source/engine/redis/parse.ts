// Reads a redis block the way redis-cli reads its input: one command per line,
// arguments split by sdssplitargs rules (double quotes with escapes, single
// quotes with only \'), whole-line `#` comments.

export interface RedisCommandLine {
	/** 1-based line in the block. */
	line: number;
	/** The line as written (for echoing). */
	text: string;
	/** Arguments as bytes: `\xff` in double quotes is one raw byte. */
	args: Buffer[];
}

export interface ParsedRedisBlock {
	commands: RedisCommandLine[];
	errors: Array<{line: number; message: string}>;
}

const SIMPLE_ESCAPES: Record<string, number> = {n: 10, r: 13, t: 9, b: 8, a: 7};

const isSpace = (ch: string | undefined) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\v' || ch === '\f';
const isHex = (ch: string | undefined) => ch !== undefined && /^[0-9a-fA-F]$/.test(ch);

/** sdssplitargs: null when quotes are unbalanced or a closing quote is not followed by a space. */
export function splitArgs(line: string): Buffer[] | null {
	const args: Buffer[] = [];
	let i = 0;
	while (true) {
		while (i < line.length && isSpace(line[i])) i++;
		if (i >= line.length) return args;
		const bytes: number[] = [];
		const pushText = (text: string) => bytes.push(...Buffer.from(text, 'utf8'));
		let inDouble = false;
		let inSingle = false;
		let done = false;
		while (!done) {
			const ch = line[i];
			if (inDouble) {
				if (ch === undefined) return null;
				if (ch === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
					bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
					i += 4;
					continue;
				}
				if (ch === '\\' && line[i + 1] !== undefined) {
					const next = line[i + 1]!;
					const code = SIMPLE_ESCAPES[next];
					if (code !== undefined) bytes.push(code);
					else pushText(next);
					i += 2;
					continue;
				}
				if (ch === '"') {
					if (i + 1 < line.length && !isSpace(line[i + 1])) return null;
					done = true;
					i++;
					continue;
				}
				pushText(ch);
				i++;
			} else if (inSingle) {
				if (ch === undefined) return null;
				if (ch === '\\' && line[i + 1] === "'") {
					bytes.push(39);
					i += 2;
					continue;
				}
				if (ch === "'") {
					if (i + 1 < line.length && !isSpace(line[i + 1])) return null;
					done = true;
					i++;
					continue;
				}
				pushText(ch);
				i++;
			} else {
				if (ch === undefined || isSpace(ch)) {
					done = true;
					continue;
				}
				if (ch === '"') inDouble = true;
				else if (ch === "'") inSingle = true;
				else pushText(ch);
				i++;
			}
		}
		args.push(Buffer.from(bytes));
	}
}

// `127.0.0.1:6379> GET x`, `redis> GET x`, `localhost:6379[2]> ...`: a session pasted from redis-cli.
const PROMPT = /^(?:[\w.-]+:\d+|redis)(?:\[\d+\])?>\s?/;

export function parseRedisBlock(code: string): ParsedRedisBlock {
	const commands: RedisCommandLine[] = [];
	const errors: ParsedRedisBlock['errors'] = [];
	const lines = code.split('\n');
	// In a pasted session only the prompted lines are commands; the rest is its output.
	const pasted = lines.some(l => PROMPT.test(l.trim()));
	lines.forEach((raw, index) => {
		let text = raw.trim();
		if (pasted) {
			if (!PROMPT.test(text)) return;
			text = text.replace(PROMPT, '').trim();
		}
		if (!text || text.startsWith('#')) return;
		const args = splitArgs(text);
		if (args === null) errors.push({line: index + 1, message: 'Invalid argument(s): unbalanced quotes'});
		else if (args[0]?.toString() === 'redis-cli') errors.push({line: index + 1, message: 'a redis block holds redis commands, not redis-cli invocations (drop `redis-cli` and its options; the connection comes from `# redis: ENV_VAR`, frontmatter redis or REDIS_URL)'});
		else if (args.length > 0) commands.push({line: index + 1, text, args});
	});
	return {commands, errors};
}
