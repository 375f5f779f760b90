// Redis key names of a team session. They carry no titles, hosts, commands
// or even the session's name: a hash of the name, and hashes of step ids.
import {createHash} from 'node:crypto';

export function shortHash(text: string): string {
	return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function teamKeys(session: string) {
	const root = `dc:${shortHash(`session:${session}`)}`;
	return {
		root,
		/** The event stream (XADD ... MAXLEN ~). */
		stream: `${root}:events`,
		/** Live output lines of runs (masked at the source), for the followers' screens; not a record. */
		output: `${root}:output`,
		/** The stream compacted (snapshot.ts), written every 30 s and on leaving: a late joiner reads it, then the tail. */
		snapshot: `${root}:snapshot`,
		/** Present while Redis holds this session's data: a new value means Redis lost it (members republish). */
		epoch: `${root}:epoch`,
		/** The checklist's hash and per-step hashes, set by the first member. */
		checklist: `${root}:checklist`,
		/** member id → sealed {name, host, at} heartbeat. */
		members: `${root}:members`,
		/** The session's one rollback claim, and its fencing counter. */
		rollbackClaim: `${root}:claim:rollback`,
		rollbackFence: `${root}:fence:rollback`,
		claim: (stepId: string) => `${root}:claim:${shortHash(`step:${stepId}`)}`,
		fence: (stepId: string) => `${root}:fence:${shortHash(`step:${stepId}`)}`,
	};
}

export type TeamKeys = ReturnType<typeof teamKeys>;
