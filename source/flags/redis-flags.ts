// Flags stored as Redis string keys: found with SCAN (never KEYS, which blocks
// the server), written with a compare-and-set so a value changed by someone
// else since it was shown is not overwritten blindly.
import type {Redis} from 'ioredis';

export const MAX_FLAG_KEYS = 500;

export async function scanRedisFlags(redis: Redis, pattern: string, limit = MAX_FLAG_KEYS): Promise<{values: Map<string, string>; truncated: boolean}> {
	const keys = new Set<string>();
	let cursor = '0';
	let truncated = false;
	do {
		const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
		cursor = next;
		for (const key of batch) keys.add(key);
		if (keys.size >= limit) {
			truncated = cursor !== '0';
			break;
		}
	} while (cursor !== '0');
	const sorted = [...keys].sort().slice(0, limit);
	const values = new Map<string, string>();
	for (let i = 0; i < sorted.length; i += 100) {
		const chunk = sorted.slice(i, i + 100);
		const got = await redis.mget(...chunk);
		for (let j = 0; j < chunk.length; j++) {
			const value = got[j];
			if (value !== null && value !== undefined) values.set(chunk[j]!, value);
			else {
				// MGET answers nil for keys that are not strings (and for keys deleted meanwhile).
				const type = await redis.type(chunk[j]!);
				if (type !== 'none') values.set(chunk[j]!, `<${type}>`);
			}
		}
	}
	return {values, truncated};
}

const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] then
	return redis.error_reply('CHANGED ' .. tostring(current))
end
return redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
`;

export async function writeRedisFlag(redis: Redis, key: string, expected: string, value: string): Promise<void> {
	try {
		await redis.eval(COMPARE_AND_SET, 1, key, expected, value);
	} catch (error) {
		const message = String((error as Error).message ?? error);
		if (message.startsWith('CHANGED')) throw new Error(`${key} changed since it was shown (now ${message.slice(8)}); nothing written`);
		throw error;
	}
}
