// `deploycockpit report FILE [--out PATH]`: the session as a markdown change
// record. Opens the session read-only (never takes the writer lock, writes
// nothing into the session), masks everything it prints.
import {writeFile} from 'node:fs/promises';
import {createMasker} from '../safety/mask.js';
import {readAudit} from '../session/audit.js';
import {openSession} from '../session/open.js';
import {buildReport} from '../session/report.js';
import {parseFileCommand} from './args.js';

const help = `Usage: deploycockpit report FILE [--out PATH]

Writes a markdown change record of the checklist's session: the window
planned vs actual, who ran it, every section and step with status, times and
exit codes, failures with the tail of their output, rollbacks and their
triggers, and the metrics at the baseline vs at the end. Secrets are masked.

Options:
  --out PATH      write the report to PATH (default: standard output)
  --lines N       output lines shown per failure (default 30)
  -h, --help      this help`;

function fail(message: string, code = 2): number {
	process.stderr.write(`deploycockpit report: ${message}\n`);
	return code;
}

export async function run(argv: string[]): Promise<number> {
	const parsed = parseFileCommand<{out?: string; lines?: string}>('report', argv, {out: {type: 'string', short: 'o'}, lines: {type: 'string'}}, help);
	if (typeof parsed === 'number') return parsed;
	const {file, values} = parsed;
	const tailLines = values.lines === undefined ? 30 : Number(values.lines);
	if (!Number.isInteger(tailLines) || tailLines < 0) return fail(`--lines ${values.lines}: expected a whole number`);

	let session;
	try {
		session = await openSession(file, {readOnly: true});
	} catch (error) {
		const message = (error as Error).message;
		if (/^no session for /.test(message)) return fail(`${message} — nothing has been run from this checklist yet`, 1);
		return fail(message, 1);
	}
	try {
		const state = session.getState();
		const audit = await readAudit(session.dir);
		const mask = createMasker({...process.env, ...state.shell.vars});
		const markdown = await buildReport({checklist: session.checklist, state, dir: session.dir, audit, mask, tailLines});
		if (values.out) {
			await writeFile(values.out, markdown, {mode: 0o600});
			process.stderr.write(`deploycockpit report: wrote ${values.out}\n`);
		} else {
			process.stdout.write(markdown);
		}
		return 0;
	} finally {
		await session.close();
	}
}
