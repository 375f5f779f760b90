// `deploycockpit sessions [--json]`: every session in the state directory.
import {parseArgs} from 'node:util';
import {listSessions, stateDirectory} from '../session/open.js';

const help = `Usage: deploycockpit sessions [--json]

Lists the sessions in the state directory ($DEPLOYCOCKPIT_STATE_DIR, else
$XDG_STATE_HOME/deploycockpit or ~/.local/state/deploycockpit), newest first.

Options:
  --json      [{id, file, hash, createdAt, updatedAt, dir, counts, open, problem?}]
  -h, --help  this help`;

export async function run(argv: string[]): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({args: argv, allowPositionals: false, options: {json: {type: 'boolean'}, help: {type: 'boolean', short: 'h'}}});
	} catch (error) {
		process.stderr.write(`deploycockpit sessions: ${(error as Error).message.split('\n')[0]}\nRun 'deploycockpit sessions --help' for usage.\n`);
		return 2;
	}
	if (parsed.values.help) {
		process.stdout.write(help + '\n');
		return 0;
	}
	const sessions = await listSessions(stateDirectory());
	if (parsed.values.json) {
		process.stdout.write(JSON.stringify(sessions, null, 2) + '\n');
		return 0;
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
