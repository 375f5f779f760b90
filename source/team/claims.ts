// Step claims: nothing runs twice. A claim is `SET claim NX PX` whose value
// carries a fencing token from `INCR fence` (monotonic per step), renewed
// while the run lives and deleted when it ends, both only if the value is
// still ours (compare-and-set in Lua). The token goes on the run's record;
// members reject a record whose token is older than the step's current one
// (fence.ts), so a holder whose claim expired (a pause, a failover) cannot
// overwrite a newer run. See docs/team.md.
import type {Redis} from 'ioredis';
import type {TeamKeys} from './keys.js';
import type {Sealer} from './seal.js';

export const CLAIM_TTL_MS = 15_000;
const RENEW_MS = 5_000;

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface Holder {
	member: string;
	by: string;
	host: string;
	since: string;
	token: number;
}

export class ClaimRefused extends Error {}

export interface Claim {
	token: number;
	release(): Promise<void>;
}

function hhmm(iso: string): string {
	const d = new Date(iso);
	return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function refusal(stepId: string, holder: Holder): string {
	return `step ${stepId} is running on ${holder.host} by ${holder.by} since ${hhmm(holder.since)}; not started`;
}

/** The rollback's refusal: another member's rollback holds the session's rollback claim. */
export function rollbackRefusal(holder: Holder): string {
	return `a rollback is already running on ${holder.host} by ${holder.by} since ${hhmm(holder.since)}; not started`;
}

export async function claimStep(redis: Redis, keys: TeamKeys, sealer: Sealer, stepId: string, me: Omit<Holder, 'token' | 'since'>): Promise<Claim> {
	return claim(redis, sealer, {claim: keys.claim(stepId), fence: keys.fence(stepId)}, me, holder =>
		holder ? refusal(stepId, holder) : `step ${stepId} was just claimed by another member; not started`,
	);
}

/**
 * The whole session's rollback, one claim (two members pressing R → y at once
 * start one rollback). Held for as long as the rollback runs, its steps
 * claimed one by one besides.
 */
export async function claimRollback(redis: Redis, keys: TeamKeys, sealer: Sealer, me: Omit<Holder, 'token' | 'since'>): Promise<Claim> {
	return claim(redis, sealer, {claim: keys.rollbackClaim, fence: keys.rollbackFence}, me, holder =>
		holder ? rollbackRefusal(holder) : 'a rollback was just started by another member; not started',
	);
}

async function claim(redis: Redis, sealer: Sealer, at: {claim: string; fence: string}, me: Omit<Holder, 'token' | 'since'>, refused: (holder: Holder | undefined) => string): Promise<Claim> {
	const claimKey = at.claim;
	const token = await redis.incr(at.fence);
	const value = sealer.seal(JSON.stringify({...me, since: new Date().toISOString(), token} satisfies Holder));
	const ok = await redis.set(claimKey, value, 'PX', CLAIM_TTL_MS, 'NX');
	if (ok !== 'OK') {
		const held = await redis.get(claimKey);
		throw new ClaimRefused(refused(held ? (JSON.parse(sealer.open(held)) as Holder) : undefined));
	}
	const timer = setInterval(() => {
		// A renewal that fails (link down) leaves the claim to expire; the fencing token still orders the records.
		redis.eval(RENEW, 1, claimKey, value, String(CLAIM_TTL_MS)).catch(() => undefined);
	}, RENEW_MS);
	timer.unref();
	return {
		token,
		async release() {
			clearInterval(timer);
			await redis.eval(RELEASE, 1, claimKey, value).catch(() => undefined);
		},
	};
}
