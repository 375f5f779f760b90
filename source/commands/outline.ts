import {ChecklistError, loadChecklist} from '../checklist/load.js';
import {formatOutline, outlineJson} from '../checklist/outline-text.js';
import {parseFileCommand} from './args.js';

const help = `Usage: deploycockpit outline FILE [--json] [--ids]

Prints the checklist's sections and steps as a tree: executor badges ([sh] [sql]
[promql] [redis]), checkboxes, and the default rollback procedure marked.
Warnings go to stderr as FILE:LINE: message.

Options:
  --json      print the model as JSON: {title, sections, steps, rollback, warnings}
  --ids       show section and step ids (for run --step ID)
  -h, --help  this help`;

export async function run(argv: string[]): Promise<number> {
	const parsed = parseFileCommand<{json?: boolean; ids?: boolean}>('outline', argv, {json: {type: 'boolean'}, ids: {type: 'boolean'}}, help);
	if (typeof parsed === 'number') return parsed;
	const {file} = parsed;
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
