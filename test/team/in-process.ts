// Team members in this process (for cockpits rendered with ink-testing-library):
// each its own checklist copy and state dir under one root, joined to a real
// Redis through the same openTeamSession the CLI uses.
import {copyFileSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {teamConfig} from '../../source/team/config.js';
import {openTeamSession} from '../../source/team/join.js';
import type {TeamSession} from '../../source/team/team-session.js';

export function teamFixture(name: string): string {
	return fileURLToPath(new URL(`../fixtures/team/${name}`, import.meta.url));
}

/** Opens `fixture` as member `as` (state in root/as/state, the checklist in root/as/). */
export async function joinInProcess(root: string, as: string, fixture: string, team: {url: string; session: string; key?: string}, env: NodeJS.ProcessEnv = {}): Promise<TeamSession> {
	const dir = join(root, as);
	mkdirSync(join(dir, 'state'), {recursive: true, mode: 0o700});
	const file = join(dir, 'checklist.md');
	copyFileSync(teamFixture(fixture), file);
	const config = teamConfig({team: team.url, session: team.session, as}, {...(team.key ? {DEPLOYCOCKPIT_TEAM_KEY: team.key} : {}), ...env})!;
	return openTeamSession(file, {stateDir: join(dir, 'state'), cancelGraceMs: 200}, config, {flushMs: 1000, headless: false});
}
