import {access} from 'node:fs/promises';
import {dirname, isAbsolute, resolve} from 'node:path';
import {ChecklistError, loadChecklist} from '../checklist/load.js';
import {parseFileCommand} from './args.js';

const help = `Usage: deploycockpit validate FILE [--strict] [--quiet]

Checks that a checklist loads. Warnings are printed to stderr as
FILE:LINE: message; a summary line goes to stdout.

Exit status: 0 when the file loads (even with warnings), 1 when it does not
(missing, a directory, unreadable, binary), 2 for usage errors.

Options:
  --strict    exit 1 when there are warnings too
  --quiet     no summary line
  -h, --help  this help`;

export async function run(argv: string[]): Promise<number> {
	const parsed = parseFileCommand<{strict?: boolean; quiet?: boolean}>('validate', argv, {strict: {type: 'boolean'}, quiet: {type: 'boolean', short: 'q'}}, help);
	if (typeof parsed === 'number') return parsed;
	const {file} = parsed;
	let checklist;
	try {
		checklist = await loadChecklist(file);
	} catch (error) {
		if (error instanceof ChecklistError) {
			process.stderr.write(`deploycockpit: ${error.message}\n`);
			return 1;
		}
		throw error;
	}
	const warnings = [...checklist.warnings];
	// A separate rollback runbook named in the frontmatter must exist next to the checklist.
	const rollback = checklist.settings.rollback;
	if (typeof rollback === 'string' && !checklist.sections.some(s => s.id === checklist.rollback.default && (s.id === rollback || s.title.toLowerCase() === rollback.toLowerCase()))) {
		if (checklist.rollback.references.some(r => r.target === rollback)) {
			const target = isAbsolute(rollback) ? rollback : resolve(dirname(checklist.file ?? file), rollback);
			try {
				await access(target);
			} catch {
				warnings.push({line: 1, message: `frontmatter rollback file ${rollback} not found`});
			}
		}
	}
	for (const w of warnings) process.stderr.write(`${file}:${w.line}: ${w.message}\n`);
	if (!parsed.values.quiet) {
		const runnable = checklist.steps.filter(s => s.blocks.some(b => b.executor)).length;
		process.stdout.write(`${file}: ok — ${checklist.sections.length} sections, ${checklist.steps.length} steps (${runnable} runnable), ${warnings.length} warning${warnings.length === 1 ? '' : 's'}\n`);
	}
	return parsed.values.strict && warnings.length > 0 ? 1 : 0;
}
