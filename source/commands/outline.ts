import {parseArgs} from 'node:util';
import {ChecklistError, loadChecklist} from '../checklist/load.js';
import {formatOutline, outlineJson} from '../checklist/outline-text.js';

const help = `Usage: deploycockpit outline FILE [--json] [--ids]

Prints the checklist's sections and steps as a tree: executor badges ([sh] [sql]
[promql] [redis]), checkboxes, and the default rollback procedure marked.
Warnings go to stderr as FILE:LINE: message.

Options:
  --json      print the model as JSON: {title, sections, steps, rollback, warnings}
  --ids       show section and step ids (for run --step ID)
  -h, --help  this help`;

export async function run(argv: string[]): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({args: argv, allowPositionals: true, options: {json: {type: 'boolean'}, ids: {type: 'boolean'}, help: {type: 'boolean', short: 'h'}}});
	} catch (error) {
		process.stderr.write(`deploycockpit outline: ${(error as Error).message.split('\n')[0]}\nRun 'deploycockpit outline --help' for usage.\n`);
		return 2;
	}
	if (parsed.values.help) {
		process.stdout.write(help + '\n');
		return 0;
	}
	const [file, ...extra] = parsed.positionals;
	if (!file || extra.length > 0) {
		process.stderr.write(`deploycockpit outline: ${file ? 'one FILE only' : 'missing FILE'}\nRun 'deploycockpit outline --help' for usage.\n`);
		return 2;
	}
	try {
		const checklist = await loadChecklist(file);
		if (parsed.values.json) {
			process.stdout.write(JSON.stringify(outlineJson(checklist), null, 2) + '\n');
		} else {
			process.stdout.write(formatOutline(checklist, {ids: parsed.values.ids ?? false}) + '\n');
			for (const w of checklist.warnings) process.stderr.write(`${file}:${w.line}: ${w.message}\n`);
		}
		return 0;
	} catch (error) {
		if (error instanceof ChecklistError) {
			process.stderr.write(`deploycockpit: ${error.message}\n`);
			return 1;
		}
		throw error;
	}
}
