// `sessions --team`: what Redis holds of a team session (who is in it, how
// many events, the snapshot) and which local sessions belong to it (their
// team.json names its key prefix). Reads only.
import {readFile} from 'node:fs/promises';
import {hostname} from 'node:os';
import {join} from 'node:path';
import type {TeamConfig} from './config.js';
import {TeamMember, type MemberInfo} from './member.js';
import {WrongTeamKey} from './seal.js';

export interface TeamSessionInfo {
	session: string;
	members: Array<Pick<MemberInfo, 'name' | 'host' | 'at' | 'running'>>;
	/** Entries in the (capped) stream now. */
	events?: number;
	snapshot?: {at: string; entries: number};
	lastEventAt?: string;
	/** The local sessions (dirs) that joined this team session. */
	joined: string[];
	linkDown?: string;
}

export async function teamSessionInfo(config: TeamConfig, localDirs: string[]): Promise<TeamSessionInfo> {
	const member = new TeamMember(config, undefined, hostname());
	const joined: string[] = [];
	for (const dir of localDirs) {
		try {
			const saved = JSON.parse(await readFile(join(dir, 'team.json'), 'utf8')) as {team?: string};
			if (saved.team === member.keys.root) joined.push(dir);
		} catch {
			// not a team session
		}
	}
	try {
		if (!(await member.join())) return {session: config.session, members: [], joined, linkDown: 'Redis is unreachable'};
		try {
			await member.checkKey();
			const members = (await member.members()).map(m => ({name: m.name, host: m.host, at: m.at, ...(m.running ? {running: m.running} : {})}));
			return {session: config.session, members, ...(await member.describe()), joined};
		} catch (error) {
			if (error instanceof WrongTeamKey) throw error;
			return {session: config.session, members: [], joined, linkDown: `Redis does not answer (${(error as Error).message})`};
		}
	} finally {
		await member.close(0);
	}
}
