import {parseArgs, type ParseArgsConfig} from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * The shared front of the commands that take one checklist FILE: parse the
 * flags, answer --help, and turn usage mistakes into one line on stderr and
 * exit code 2. Returns the exit code when the command should stop there.
 * V is the shape of the parsed flags (what parseArgs gives for `options`).
 */
export function parseFileCommand<V>(command: string, argv: string[], options: Options, help: string): number | {file: string; values: V} {
	const usage = (message: string) => {
		process.stderr.write(`deploycockpit ${command}: ${message}\nRun 'deploycockpit ${command} --help' for usage.\n`);
		return 2;
	};
	let parsed;
	try {
		parsed = parseArgs({args: argv, allowPositionals: true, options: {...options, help: {type: 'boolean', short: 'h'}}});
	} catch (error) {
		return usage((error as Error).message.split('\n')[0]!);
	}
	if (parsed.values['help']) {
		process.stdout.write(help + '\n');
		return 0;
	}
	const [file, ...extra] = parsed.positionals;
	if (!file || extra.length > 0) return usage(file ? 'one FILE only' : 'missing FILE');
	return {file, values: parsed.values as V};
}
