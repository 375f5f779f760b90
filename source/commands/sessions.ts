// `deploycockpit sessions [--json]`: every session in the state directory.
import {parseArgs} from 'node:util';
import {listSessions, stateDirectory} from '../session/open.js';
import {teamConfig, teamFlags, teamHelp} from '../team/config.js';

const help = `Usage: deploycockpit sessions [--json] [--team URL --session NAME]

Lists the sessions in the state directory ($DEPLOYCOCKPIT_STATE_DIR, else
$XDG_STATE_HOME/deploycockpit or ~/.local/state/deploycockpit), newest first.

Options:
  --json      [{id, file, hash, createdAt, updatedAt, dir, counts, open, problem?}]
              (with --team: {sessions: [...], team: {session, members, events,
              snapshot?, lastEventAt?, joined: [dir], linkDown?}})
  -h, --help  this help

${teamHelp.replace(/\n.*--offline.*$/m, '')}`;

export async function run(argv: string[]): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({args: argv, allowPositionals: false, options: {json: {type: 'boolean'}, help: {type: 'boolean', short: 'h'}, ...teamFlags}});
	} catch (error) {
		process.stderr.write(`deploycockpit sessions: ${(error as Error).message.split('\n')[0]}\nRun 'deploycockpit sessions --help' for usage.\n`);
		return 2;
	}
	if (parsed.values.help) {
		process.stdout.write(help + '\n');
		return 0;
	}
	let team;
	try {
		team = teamConfig(parsed.values);
	} catch (error) {
		process.stderr.write(`deploycockpit sessions: ${(error as Error).message}\n`);
		return 2;
	}
	const sessions = await listSessions(stateDirectory());
	// Only with --team: ioredis and source/team load here.
	const info = team ? await (await import('../team/sessions.js')).teamSessionInfo(team, sessions.map(s => s.dir)) : undefined;
	if (parsed.values.json) {
		process.stdout.write(JSON.stringify(info ? {sessions, team: info} : sessions, null, 2) + '\n');
		return 0;
	}
	if (info) {
		const held = info.linkDown ? `team link down: ${info.linkDown}` : `${info.events ?? 0} events in the stream${info.snapshot ? `, snapshot of ${info.snapshot.at}` : ''}${info.lastEventAt ? `, last event ${info.lastEventAt}` : ''}`;
		process.stdout.write(`team session ${info.session}: ${held}\n  in it now: ${info.members.map(m => `${m.name} (${m.host})${m.running ? ` running ${m.running.join(', ')}` : ''}`).join(', ') || 'nobody'}\n  joined from here: ${info.joined.join(', ') || 'no local session'}\n`);
	}
	if (sessions.length === 0) {
		process.stdout.write(`no sessions in ${stateDirectory()}\n`);
		return 0;
	}
	for (const s of sessions) {
		const counts = Object.entries(s.counts).map(([status, n]) => `${n} ${status}`).join(', ') || 'nothing run yet';
		process.stdout.write(`${s.id}${s.open ? '  [open]' : ''}\n  ${s.file}\n  started ${s.createdAt}${s.updatedAt ? `, updated ${s.updatedAt}` : ''}; ${counts}${s.problem ? `; ${s.problem}` : ''}\n`);
	}
	return 0;
}
