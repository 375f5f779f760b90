// `deploycockpit report FILE [--out PATH]`: the session as a markdown change
// record. Opens the session read-only (never takes the writer lock, writes
// nothing into the session), masks everything it prints.
import {writeFile} from 'node:fs/promises';
import {resolve} from 'node:path';
import {createMasker} from '../safety/mask.js';
import {readAudit} from '../session/audit.js';
import {openSession} from '../session/open.js';
import {buildReport} from '../session/report.js';
import type {SessionHandle, SessionState} from '../session/types.js';
import {teamConfig, teamFlags, teamFrontmatter, teamHelp} from '../team/config.js';
import {parseFileCommand} from './args.js';

const help = `Usage: deploycockpit report FILE [--out PATH]

Writes a markdown change record of the checklist's session: the window
planned vs actual, who ran it, every section and step with status, times and
exit codes, failures with the tail of their output, rollbacks and their
triggers, and the metrics at the baseline vs at the end. Secrets are masked.

Options:
  --out PATH      write the report to PATH (default: standard output)
  --lines N       output lines shown per failure (default 30)
  -h, --help      this help

${teamHelp.replace(/\n.*--offline.*$/m, '')}
  With a team, the report holds every member's runs, marks and rollbacks
  (with name and host) read from Redis, and says where steps conflicted.`;

function fail(message: string, code = 2): number {
	process.stderr.write(`deploycockpit report: ${message}\n`);
	return code;
}

export async function run(argv: string[]): Promise<number> {
	const parsed = parseFileCommand<{out?: string; lines?: string; team?: string; session?: string; as?: string; offline?: boolean}>(
		'report',
		argv,
		{out: {type: 'string', short: 'o'}, lines: {type: 'string'}, ...teamFlags},
		help,
	);
	if (typeof parsed === 'number') return parsed;
	const {file, values} = parsed;
	const tailLines = values.lines === undefined ? 30 : Number(values.lines);
	if (!Number.isInteger(tailLines) || tailLines < 0) return fail(`--lines ${values.lines}: expected a whole number`);

	let team;
	try {
		team = teamConfig(values, process.env, teamFrontmatter(file));
	} catch (error) {
		return fail((error as Error).message);
	}

	let session: SessionHandle | undefined;
	try {
		session = await openSession(file, {readOnly: true});
	} catch (error) {
		const message = (error as Error).message;
		// A team member who ran nothing here still reports what the team did.
		if (!(team && /^no session for /.test(message))) {
			if (/^no session for /.test(message)) return fail(`${message} — nothing has been run from this checklist yet`, 1);
			return fail(message, 1);
		}
	}
	try {
		let state: SessionState | undefined = session?.getState();
		const checklist = session?.checklist ?? (await (await import('../checklist/load.js')).loadChecklist(resolve(file)));
		let members: string[] | undefined;
		if (team) {
			// Only with --team: ioredis and source/team load here. The team's events are reduced in memory (report writes nothing).
			const {teamStatus} = await import('../team/status.js');
			const seen = await teamStatus(team, checklist, state && session ? {state, dir: session.dir} : undefined);
			state = seen.state;
			members = seen.members.map(m => `${m.name} (${m.host})`);
			if (seen.linkDown) process.stderr.write(`deploycockpit report: team link down: ${seen.linkDown}\n`);
		}
		const dir = session?.dir ?? '';
		const audit = session ? await readAudit(session.dir) : [];
		// DEPLOYCOCKPIT_SESSION names the team session (the report prints it): a name, not a secret, though its name says SESSION.
		const mask = createMasker({...process.env, DEPLOYCOCKPIT_SESSION: undefined, ...state!.shell.vars});
		const markdown = await buildReport({checklist, state: state!, dir, audit, mask, tailLines, ...(team ? {team: {session: team.session, members: members ?? []}} : {})});
		if (values.out) {
			await writeFile(values.out, markdown, {mode: 0o600});
			process.stderr.write(`deploycockpit report: wrote ${values.out}\n`);
		} else {
			process.stdout.write(markdown);
		}
		return 0;
	} finally {
		await session?.close();
	}
}
