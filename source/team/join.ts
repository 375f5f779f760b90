// Opening a checklist's session as a member of a team (the commands import
// this module only with --team: without it no Redis code loads).
import {createHash} from 'node:crypto';
import {hostname} from 'node:os';
import type {Checklist, Step} from '../checklist/model.js';
import {openSession, type OpenOptions} from '../session/open.js';
import type {TeamConfig} from './config.js';
import {TeamMember} from './member.js';
import {WrongTeamKey} from './seal.js';
import {publishing, TeamSession} from './team-session.js';

function stepHash(step: Step): string {
	return createHash('sha256').update(JSON.stringify([step.title, step.blocks.map(b => [b.executor, b.code])])).digest('hex').slice(0, 16);
}

/** Steps whose text differs between this checklist and the one the team started with (first member's). */
async function compareChecklist(member: TeamMember, checklist: Checklist): Promise<string[]> {
	const mine = {steps: Object.fromEntries(checklist.steps.map(s => [s.id, stepHash(s)]))};
	await member.cmd.hsetnx(member.keys.checklist, 'v', member.sealer.seal(JSON.stringify(mine)));
	const stored = await member.cmd.hget(member.keys.checklist, 'v');
	if (!stored) return [];
	const theirs = JSON.parse(member.sealer.open(stored)) as typeof mine;
	const ids = new Set([...Object.keys(mine.steps), ...Object.keys(theirs.steps)]);
	return [...ids].filter(id => mine.steps[id] !== theirs.steps[id]);
}

export async function openTeamSession(file: string, options: OpenOptions, config: TeamConfig, how: {flushMs: number; headless: boolean}): Promise<TeamSession> {
	const late: {member?: TeamMember} = {};
	const session = await openSession(file, {...options, by: config.as, wrapRecords: inner => publishing(inner, () => late.member?.kick())});
	const member = new TeamMember(config, session.readOnly ? undefined : session.dir, hostname());
	late.member = member;
	let differing: string[] = [];
	const away = () => session.notices.push(`team link down: Redis is unreachable; working on your own (events are published when it is back)`);
	try {
		if (await member.join()) {
			await member.checkKey();
			differing = await compareChecklist(member, session.checklist);
		} else {
			away();
		}
	} catch (error) {
		if (!(error instanceof WrongTeamKey)) {
			// Redis answers the connect but not the commands (hung): on your own, like unreachable.
			member.health.down();
			away();
		} else {
			await member.close(0);
			await session.close();
			throw error;
		}
	}
	if (differing.length) session.notices.push(`your checklist differs from the team's in step${differing.length === 1 ? '' : 's'} ${differing.join(', ')}: you can follow but not run them until the texts match`);
	const team = new TeamSession(session, member, config, differing, how.flushMs, how.headless);
	await member.follow();
	return team;
}
