// A conflict (a step run on two machines during a partition) is shown in the
// cockpit and in `report`, not only `status`; `report` and `sessions` take the
// team flags; a checklist's frontmatter joins a team by naming the variable
// that holds the URL. Real redis-server, members with their own state dirs.
import {copyFileSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {teamConfig} from '../../source/team/config.js';
import {openTeamSession} from '../../source/team/join.js';
import type {TeamSession} from '../../source/team/team-session.js';
import {redisAvailability, startRedis, type RedisServer} from '../helpers/redis.js';
import {waitFrame} from '../rollback/helpers.js';
import {renderCockpit, type Rendered} from '../ui/render-cockpit.js';
import {teamFixture} from './in-process.js';
import {DEPLOY, FLUSH, makeRoot, member, sideEffects, type Member} from './members.js';

const {available} = redisAvailability();

function filesUnder(dir: string): string[] {
	const out: string[] = [];
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) out.push(...filesUnder(path));
		else out.push(path);
	}
	return out;
}

/** ana ran FLUSH claimed; bo, cut off, ran it too (--offline); bo back publishes its run. */
async function partition(root: string, team: {url: string; session: string}): Promise<{ana: Member; bo: Member}> {
	const ana = member(root, 'ana', team);
	const bo = member(root, 'bo', team);
	expect((await ana.cli(['run', ana.file, '--step', FLUSH])).code).toBe(0);
	const cut = await bo.cli(['run', bo.file, '--step', FLUSH, '--offline'], {DEPLOYCOCKPIT_TEAM: 'redis://127.0.0.1:1'});
	expect(cut.code, cut.stderr).toBe(0);
	expect((await bo.cli(['run', bo.file, '--step', DEPLOY])).code).toBe(0);
	expect(sideEffects(root).lines()).toEqual(['flush ana', 'flush bo', 'deploy bo']);
	return {ana, bo};
}

describe.runIf(available)('team mode: conflicts in the cockpit and the report; report and sessions with --team', {timeout: 90_000}, () => {
	let redis: RedisServer;
	let root: ReturnType<typeof makeRoot> | undefined;
	let r: Rendered | undefined;
	let session: TeamSession | undefined;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await redis?.stop();
	});
	afterEach(async () => {
		r?.unmount();
		r = undefined;
		await session?.close().catch(() => undefined);
		session = undefined;
		root?.cleanup();
	});

	it('the conflict is marked in the step list and said in the detail pane of a member\'s cockpit', async () => {
		root = makeRoot();
		const team = {url: redis.url, session: 'pay-window-conflict-cockpit'};
		const {ana} = await partition(root.root, team);
		// ana opens her cockpit: joining brings bo's run of the same step, which is found as a conflict.
		const config = teamConfig({team: team.url, session: team.session, as: 'ana'}, {})!;
		session = await openTeamSession(ana.file, {stateDir: join(ana.dir, 'state')}, config, {flushMs: 1000, headless: false});
		expect(session.getState().steps[FLUSH]?.conflict?.map(c => c.by).sort()).toEqual(['ana', 'bo']);
		r = await renderCockpit(session, {columns: 130, rows: 30});
		await r.press('j');
		await r.press('j');
		const frame = await waitFrame(r, f => f.includes('CONFLICT'), 'the conflict in the detail pane');
		// The steps pane's rows: the mark goes before the kind badge.
		expect(frame).toMatch(/Flush the payments cache\s+⇄sh\b/);
		expect(frame).toMatch(/Deploy payments-api v2\s+sh\b/);
		expect(frame).toMatch(/CONFLICT: ran on 2 machines/);
		// The whole text, wrapped over the detail pane's rows.
		expect(frame).toContain('⇄ CONFLICT: ran on more than one machine without a');
		expect(frame).toMatch(/ana on \S+ at \d\d:\d\d:\d\d \(claim #\d+\)/);
		expect(frame).toContain('(unclaimed)');
	});

	it('report --team from any member (one who ran nothing here too) has the conflict, the team and every member\'s runs; sessions --team lists the team', async () => {
		root = makeRoot();
		const team = {url: redis.url, session: 'pay-window-conflict-report'};
		const {ana} = await partition(root.root, team);
		const carol = member(root.root, 'carol', team);
		for (const m of [ana, carol]) {
			const out = await m.cli(['report', m.file]);
			expect(out.code, out.stderr).toBe(0);
			const md = out.stdout;
			expect(md, m.name).toContain('- **Conflicts**: 1 step ran on more than one machine');
			expect(md).toContain('## Conflicts');
			expect(md).toMatch(/- \*\*Flush the payments cache\*\* \(`app\/flush-the-payments-cache`\): ran on more than one machine without a claim ordering them: .*ana on \S+ at .*\(claim #\d+\).*bo on \S+ at .*\(unclaimed\)/);
			expect(md).toMatch(/\| Flush the payments cache `app\/flush-the-payments-cache` \| done — \*\*CONFLICT\*\* \|/);
			expect(md).toMatch(/\| Deploy payments-api v2 `app\/deploy-payments-api-v2` \| done \| bo on \S+ \|/);
			expect(md).toContain('- **Team session**: pay-window-conflict-report');
		}
		// Without --team (and no env) carol has no session: report says so, as before.
		const alone = await carol.cli(['report', carol.file], {DEPLOYCOCKPIT_TEAM: '', DEPLOYCOCKPIT_SESSION: ''});
		expect(alone.code).toBe(1);
		expect(alone.stderr).toMatch(/nothing has been run from this checklist yet/);

		const listed = await ana.cli(['sessions', '--json', '--team', team.url, '--session', team.session]);
		expect(listed.code, listed.stderr).toBe(0);
		const json = JSON.parse(listed.stdout) as {sessions: Array<{dir: string}>; team: {session: string; events: number; snapshot?: {entries: number}; joined: string[]; members: unknown[]}};
		expect(json.team.session).toBe(team.session);
		expect(json.team.events).toBeGreaterThanOrEqual(4);
		expect(json.team.snapshot?.entries).toBeGreaterThanOrEqual(3);
		expect(json.team.joined).toEqual([json.sessions[0]!.dir]);
		const text = await ana.cli(['sessions']);
		expect(text.stdout).toMatch(/team session pay-window-conflict-report: \d+ events in the stream, snapshot of /);
		expect(text.stdout).toMatch(/joined from here: \S+/);
	});

	it('frontmatter team: {redis: ENV_VAR, name} joins the team with the URL from that variable, never written to disk', async () => {
		root = makeRoot();
		const noTeam = {DEPLOYCOCKPIT_TEAM: '', DEPLOYCOCKPIT_SESSION: ''};
		const ana = member(root.root, 'ana', {url: redis.url, session: 'unused'}, {...noTeam, DC_TEST_TEAM_URL: redis.url});
		const bo = member(root.root, 'bo', {url: redis.url, session: 'unused'}, {...noTeam, DC_TEST_TEAM_URL: redis.url});
		for (const m of [ana, bo]) copyFileSync(teamFixture('window-frontmatter.md'), m.file);
		expect((await ana.cli(['run', ana.file, '--step', DEPLOY])).code).toBe(0);
		const seen = await bo.status();
		expect(seen.steps.find(s => s.id === DEPLOY)).toMatchObject({status: 'done', by: 'ana'});
		// The team session is the frontmatter's name (its keys are a hash of it): the same as --session gives.
		const explicit = await bo.cli(['status', bo.file, '--json', '--team', redis.url, '--session', 'pay-window-frontmatter']);
		expect(JSON.parse(explicit.stdout).steps.find((s: {id: string}) => s.id === DEPLOY)).toMatchObject({status: 'done', by: 'ana'});
		const report = await bo.cli(['report', bo.file]);
		expect(report.stdout).toContain('- **Team session**: pay-window-frontmatter');
		// Never on disk: not in the state dirs, not in Redis.
		for (const file of [...filesUnder(ana.dir), ...filesUnder(bo.dir)]) expect(readFileSync(file, 'utf8'), file).not.toContain(`127.0.0.1:${redis.port}`);
		// The variable unset: a clear error, nothing runs on its own.
		const unset = await ana.cli(['run', ana.file, '--step', FLUSH], {DC_TEST_TEAM_URL: ''});
		expect(unset.code).toBe(2);
		expect(unset.stderr).toMatch(/frontmatter team.redis: DC_TEST_TEAM_URL\) but DC_TEST_TEAM_URL is not set/);
		expect(sideEffects(root.root).lines()).toEqual(['deploy ana']);
	});
});
