import {readFileSync} from 'node:fs';
import {bundled} from './bundled.js';

// Each subcommand lives in its own module and is imported only when used, so
// `outline` never pays for Ink and React.
const commands: Record<string, () => Promise<{run(argv: string[]): Promise<number>}>> = {
	open: () => import('./commands/open.js'),
	outline: () => import('./commands/outline.js'),
	validate: () => import('./commands/validate.js'),
	run: () => import('./commands/run.js'),
	status: () => import('./commands/status.js'),
	sessions: () => import('./commands/sessions.js'),
	report: () => import('./commands/report.js'),
};

export const usage = `Usage: deploycockpit [command] FILE [options]

Commands:
  open FILE            open the checklist in the cockpit (default when a FILE is given)
  outline FILE         print sections and steps (--json for the model)
  validate FILE        check that a checklist loads; warnings as FILE:LINE: message
  run FILE --step ID   run one step headless (--section ID for a section's pending steps)
  status FILE          the session's step statuses (--json)
  sessions             all sessions (--json)
  report FILE          write a markdown change record of the session

Options:
  --help, -h           this help
  --version, -v        the version
Run 'deploycockpit COMMAND --help' for a command's options.`;

function version(): string {
	if (bundled) return bundled.version;
	const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string};
	return pkg.version;
}

/**
 * The user config's `secrets: {names, patterns}` count for every command:
 * masking, what of the shell state is persisted, the checklist cache. A broken
 * user config is reported by the cockpit; here it only costs these rules.
 */
async function userSecretRules(): Promise<void> {
	try {
		const [{loadUserConfig}, {addSecretRules}] = await Promise.all([import('./store/user-config.js'), import('./safety/mask.js')]);
		for (const problem of addSecretRules(loadUserConfig().config.secrets as Parameters<typeof addSecretRules>[0])) process.stderr.write(`deploycockpit: user config: ${problem}\n`);
	} catch {
		// reported where the config is used
	}
}

/**
 * A reader that went away (`deploycockpit status FILE | head`) ends what is
 * printed, not the command with a stack trace: stdout's EPIPE (and the writes
 * after it, refused on the closed stream) are let go and the command finishes
 * as it would have (`run` still records its step's end). Not for the cockpit,
 * which has a terminal and handles a hang-up itself.
 */
function letClosedOutputGo(): void {
	for (const stream of [process.stdout, process.stderr]) {
		stream.on('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
			throw error;
		});
	}
}

export async function main(argv: string[]): Promise<number> {
	const [first, ...rest] = argv;
	if (first !== undefined && first !== 'open' && commands[first]) letClosedOutputGo();
	if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
		process.stdout.write(usage + '\n');
		return first === undefined ? 2 : 0;
	}
	if (first === '--version' || first === '-v') {
		process.stdout.write(version() + '\n');
		return 0;
	}
	const load = commands[first];
	try {
		await userSecretRules();
		if (load) return await (await load()).run(rest);
		if (first.startsWith('-')) {
			process.stderr.write(`deploycockpit: unknown option ${first}\n${usage}\n`);
			return 2;
		}
		return await (await commands.open!()).run(argv);
	} catch (error) {
		// Users get one line, never a stack trace; DEPLOYCOCKPIT_DEBUG shows it.
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`deploycockpit: ${message}\n`);
		if (process.env.DEPLOYCOCKPIT_DEBUG) console.error(error);
		return 1;
	}
}
