import {resolve} from 'node:path';
import {ChecklistError} from '../checklist/load.js';
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
		// Through the parsed-model cache the cockpit keeps (an unchanged file is
		// not parsed again); a parse is cached after the output is written.
		const {loadChecklistCached, flushChecklistCache} = await import('../session/open.js');
		const {stateDirectory} = await import('../session/paths.js');
		const checklist = await loadChecklistCached(resolve(file), stateDirectory(), {deferWrite: true});
		if (parsed.values.json) {
			process.stdout.write(JSON.stringify(outlineJson(checklist), null, 2) + '\n');
		} else {
			process.stdout.write(formatOutline(checklist, {ids: parsed.values.ids ?? false}) + '\n');
			for (const w of checklist.warnings) process.stderr.write(`${file}:${w.line}: ${w.message}\n`);
		}
		await flushChecklistCache();
		return 0;
	} catch (error) {
		if (error instanceof ChecklistError) {
			process.stderr.write(`deploycockpit: ${error.message}\n`);
			return 1;
		}
		throw error;
	}
}
