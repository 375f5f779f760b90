// `deploycockpit status FILE [--json]`: the session's steps with their
// statuses. Writes nothing: a run that ended while no cockpit was open is
// shown with its real exit code (read from the run's exit file).
import {resolve} from 'node:path';
import {loadChecklist} from '../checklist/load.js';
import type {Checklist} from '../checklist/model.js';
import {findSession, openSession} from '../session/open.js';
import {conflictText} from '../session/conflict-text.js';
import type {SessionState, StepConflictRun, StepRecord} from '../session/types.js';
import {teamConfig, teamFlags, teamFrontmatter, teamHelp} from '../team/config.js';
import {parseFileCommand} from './args.js';

const help = `Usage: deploycockpit status FILE [--json]

The checklist session's steps: status, exit code, when and by whom.

Options:
  --json      {session, file, steps:[{id,title,status,exitCode,startedAt,endedAt,by,
              failedLine?,failedCommand?}],
              rollbacks, baseline, latest, orphans}
              (team mode adds host per step and members:[{name,host,at,running?}])
  -h, --help  this help

${teamHelp}`;

const glyphs: Record<string, string> = {pending: '·', running: '▶', done: '✓', failed: '✗', skipped: '↷', cancelled: '⊘', interrupted: '!'};

export interface StatusJson {
	session: string | null;
	file: string;
	/** When the work started (first run or mark); null until then. */
	windowStartedAt: string | null;
	steps: Array<{id: string; title: string; status: string; exitCode: number | null; startedAt: string | null; endedAt: string | null; by: string | null; host: string | null; conflict?: StepConflictRun[]; durationMs?: number; error?: string; failedLine?: number; failedCommand?: string}>;
	rollbacks: SessionState['rollbacks'];
	baseline: SessionState['baseline'] | null;
	latest: SessionState['latest'] | null;
	orphans: Array<{id: string; title: string | null; status: string; exitCode: number | null}>;
	/** Team mode: who is in the session now. */
	members?: Array<{name: string; host: string; at: string; running?: string[]}>;
}

export function statusJson(checklist: Checklist, state: SessionState | undefined): StatusJson {
	const file = checklist.file ?? '';
	const row = (id: string, title: string, record: StepRecord | undefined, checked: boolean) => ({
		id,
		title,
		status: record?.status ?? (checked ? 'done' : 'pending'),
		exitCode: record?.exitCode ?? null,
		startedAt: record?.startedAt ?? null,
		endedAt: record?.endedAt ?? null,
		by: record?.by ?? null,
		host: record?.host ?? null,
		...(record?.conflict ? {conflict: record.conflict} : {}),
		...(record?.durationMs !== undefined ? {durationMs: record.durationMs} : {}),
		...(record?.error ? {error: record.error} : {}),
		...(record?.failedLine !== undefined ? {failedLine: record.failedLine, failedCommand: record.failedCommand ?? ''} : {}),
	});
	return {
		session: state?.id ?? null,
		file,
		windowStartedAt: state?.windowStartedAt ?? null,
		steps: checklist.steps.map(s => row(s.id, s.title, state?.steps[s.id], s.checked)),
		rollbacks: state?.rollbacks ?? [],
		baseline: state?.baseline ?? null,
		latest: state?.latest ?? null,
		orphans: (state?.orphans ?? []).map(o => ({id: o.id, title: o.title ?? null, status: o.record.status, exitCode: o.record.exitCode})),
	};
}

function duration(ms: number | undefined): string {
	if (ms === undefined) return '';
	if (ms < 1000) return `${ms}ms`;
	if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
	return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export async function run(argv: string[]): Promise<number> {
	const parsed = parseFileCommand<{json?: boolean; team?: string; session?: string; as?: string; offline?: boolean}>('status', argv, {json: {type: 'boolean'}, ...teamFlags}, help);
	if (typeof parsed === 'number') return parsed;
	const {file} = parsed;
	let team;
	try {
		team = teamConfig(parsed.values, process.env, teamFrontmatter(file));
	} catch (error) {
		process.stderr.write(`deploycockpit status: ${(error as Error).message}\n`);
		return 2;
	}
	const checklist = await loadChecklist(resolve(file));
	let state: SessionState | undefined;
	let dir: string | undefined;
	const notices: string[] = [];
	if (await findSession(checklist.file ?? resolve(file))) {
		const session = await openSession(file, {readOnly: true, checklist});
		state = session.getState();
		dir = session.dir;
		notices.push(...session.notices);
		await session.close();
	}
	let members: StatusJson['members'];
	if (team) {
		// Only with --team: ioredis and source/team load here.
		const {teamStatus} = await import('../team/status.js');
		const seen = await teamStatus(team, checklist, state && dir ? {state, dir} : undefined);
		state = seen.state;
		members = seen.members.map(m => ({name: m.name, host: m.host, at: m.at, ...(m.running ? {running: m.running} : {})}));
		if (seen.linkDown) notices.push(`team link down: ${seen.linkDown}`);
	}
	const json = {...statusJson(checklist, state), ...(members ? {members} : {})};
	if (parsed.values.json) {
		process.stdout.write(JSON.stringify(json, null, 2) + '\n');
		return 0;
	}
	process.stdout.write(`${checklist.title}\nsession: ${json.session ?? '(none yet)'}\n`);
	for (const notice of notices) process.stdout.write(`note: ${notice}\n`);
	for (const step of json.steps) {
		const exit = (step.exitCode !== null && step.status !== 'done' ? ` exit ${step.exitCode}` : '') + (step.failedLine !== undefined ? ` at line ${step.failedLine}: ${step.failedCommand}` : '');
		const extraInfo = [duration(checklist.steps.length ? (step.durationMs ?? undefined) : undefined), step.by ? `${step.by}${step.host && !step.by.endsWith(`@${step.host}`) ? ` on ${step.host}` : ''}` : ''].filter(Boolean).join('  ');
		process.stdout.write(`${glyphs[step.status] ?? '?'} ${step.status.padEnd(11)} ${step.id}  ${step.title}${exit}${extraInfo ? `  (${extraInfo})` : ''}\n`);
		if (step.conflict) process.stdout.write(`  CONFLICT: ${conflictText(step.conflict)}\n`);
	}
	if (json.members) process.stdout.write(`team: ${json.members.map(m => `${m.name} (${m.host})${m.running ? ` running ${m.running.join(', ')}` : ''}`).join(', ') || 'nobody else'}\n`);
	for (const orphan of json.orphans) process.stdout.write(`  gone from the checklist: ${orphan.id} ${orphan.title ?? ''} (${orphan.status})\n`);
	return 0;
}
