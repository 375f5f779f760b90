// `status --team`: the local records with the team's events this member has
// not applied yet reduced over them, in memory (status writes nothing), and
// who is in the session now.
import {hostname} from 'node:os';
import type {Checklist} from '../checklist/model.js';
import {reduce} from '../session/reducer.js';
import {freshState} from '../session/state-file.js';
import type {SessionState} from '../session/types.js';
import {dirname} from 'node:path';
import type {TeamConfig} from './config.js';
import {remoteEvents} from './fence.js';
import {TeamMember, type MemberInfo} from './member.js';
import {readAudit} from '../session/audit.js';
import {WrongTeamKey} from './seal.js';

export async function teamStatus(config: TeamConfig, checklist: Checklist, local: {state: SessionState; dir: string} | undefined): Promise<{state: SessionState; members: MemberInfo[]; linkDown?: string}> {
	const file = checklist.file ?? '';
	let state = local?.state ?? freshState(`team-${config.session}`, file, checklist.hash ?? '', dirname(file));
	const member = new TeamMember(config, undefined, hostname());
	try {
		if (!(await member.join())) return {state, members: [], linkDown: 'Redis is unreachable: local records only'};
		try {
			await member.checkKey();
		} catch (error) {
			if (error instanceof WrongTeamKey) throw error;
			return {state, members: [], linkDown: `Redis does not answer (${(error as Error).message}): local records only`};
		}
		const seen = new Set<string>();
		let own: string | undefined;
		if (local) {
			for (const entry of await readAudit(local.dir)) {
				const uid = (entry as unknown as {uid?: unknown}).uid;
				if (typeof uid === 'string') seen.add(uid);
			}
			own = await readOwnMember(local.dir);
		}
		for (const wire of await member.readAll()) {
			if (wire.member === own || seen.has(wire.uid)) continue;
			seen.add(wire.uid);
			for (const event of remoteEvents(state, wire.event, {member: wire.member, by: wire.by, host: wire.host}).events) state = reduce(state, event);
		}
		return {state, members: await member.members()};
	} finally {
		await member.close(0);
	}
}

async function readOwnMember(dir: string): Promise<string | undefined> {
	try {
		const {readFile} = await import('node:fs/promises');
		const {join} = await import('node:path');
		return (JSON.parse(await readFile(join(dir, 'team.json'), 'utf8')) as {member?: string}).member;
	} catch {
		return undefined;
	}
}
