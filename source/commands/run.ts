// `deploycockpit run FILE --step ID`: runs one step (or a section's pending
// steps) headless, prints the output live, records everything in the
// session and exits with the step's exit code.
import type {Checklist, Step} from '../checklist/model.js';
import {createMasker} from '../safety/mask.js';
import {expandKnown, fillPlaceholders, preflight} from '../safety/analyze.js';
import {openSession, TakeOverRefused} from '../session/open.js';
import type {SessionHandle, SessionState} from '../session/types.js';
import type {StepStatus} from '../engine/types.js';
import {teamConfig, teamFlags, teamFrontmatter, teamHelp, type TeamConfig} from '../team/config.js';
import {discardPrestartedRunner, prestartRunner} from '../engine/launch.js';
import {parseFileCommand} from './args.js';
import {stdoutWriter} from './stdout-writer.js';

const help = `Usage: deploycockpit run FILE --step ID [options]

Runs a step's commands in the checklist's session, prints their output and
exits with the step's exit code. The command runs detached: if this process
or the SSH connection dies, it keeps running and the session records its
real exit code (see 'deploycockpit status FILE').

Options:
  --step ID         the step to run (ids: deploycockpit outline --ids FILE)
  --section ID      run the section's pending steps in order, stop at the first failure
  --var NAME=VALUE  a value for a <placeholder> or an unset variable (repeatable)
  --yes             run commands flagged dangerous, and with unset variables
  --dry-run         print what would run (variables expanded as far as known); run nothing
  --timeout T       stop the step after T (30s, 5m, 1h; SIGINT, SIGTERM, SIGKILL)
  --new             start a fresh session instead of resuming
  --take-over       take the session from a cockpit that has it open
  -h, --help        this help

${teamHelp}`;

export function parseDuration(text: string): number | undefined {
	const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
	if (!match) return undefined;
	const factor = {ms: 1, s: 1000, m: 60_000, h: 3_600_000}[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
	return Math.round(Number(match[1]) * factor);
}

function fail(message: string, code = 2): number {
	process.stderr.write(`deploycockpit run: ${message}\n`);
	return code;
}

function exitCodeOf(result: {status: StepStatus; exitCode: number | null}): number {
	if (result.status === 'done') return 0;
	if (result.exitCode !== null && result.exitCode !== 0) return result.exitCode;
	return result.status === 'cancelled' ? 130 : 1;
}

function sectionSteps(checklist: Checklist, sectionId: string): Step[] | undefined {
	if (!checklist.sections.some(s => s.id === sectionId)) return undefined;
	const inside = new Set([sectionId]);
	for (const section of checklist.sections) if (section.parent && inside.has(section.parent)) inside.add(section.id);
	return checklist.steps.filter(s => s.section !== null && inside.has(s.section));
}

type Flags = {step?: string; section?: string; var?: string[]; yes?: boolean; 'dry-run'?: boolean; timeout?: string; new?: boolean; 'take-over'?: boolean; team?: string; session?: string; as?: string; offline?: boolean};

export async function run(argv: string[]): Promise<number> {
	const parsed = parseFileCommand<Flags>(
		'run',
		argv,
		{
			step: {type: 'string'},
			section: {type: 'string'},
			var: {type: 'string', multiple: true},
			yes: {type: 'boolean'},
			'dry-run': {type: 'boolean'},
			timeout: {type: 'string'},
			new: {type: 'boolean'},
			'take-over': {type: 'boolean'},
			...teamFlags,
		},
		help,
	);
	if (typeof parsed === 'number') return parsed;
	const {file, values} = parsed;
	if (!values.step === !values.section) return fail('give --step ID or --section ID');
	// The detached runner starts loading now, while the session opens; one that gets no run exits (launch.ts).
	if (!values['dry-run']) prestartRunner();
	try {
		return await runParsed(file, values);
	} finally {
		discardPrestartedRunner();
	}
}

async function runParsed(file: string, values: Flags): Promise<number> {
	let team: TeamConfig | undefined;
	try {
		team = teamConfig(values, process.env, teamFrontmatter(file));
	} catch (error) {
		return fail((error as Error).message);
	}
	let timeoutMs: number | undefined;
	if (values.timeout !== undefined) {
		timeoutMs = parseDuration(values.timeout);
		if (!timeoutMs) return fail(`--timeout ${values.timeout}: expected a duration like 30s, 5m or 1h`);
	}
	const vars: Record<string, string> = {};
	for (const pair of values.var ?? []) {
		const at = pair.indexOf('=');
		if (at <= 0) return fail(`--var ${pair}: expected NAME=VALUE`);
		vars[pair.slice(0, at)] = pair.slice(at + 1);
	}

	// A take-over of a step that runs in the cockpit holding the session is refused before anything is taken.
	const refuseTakeOver = (state: SessionState): string | undefined => {
		const running = Object.entries(state.steps).filter(([id, r]) => r.status === 'running' && (values.step ? id === values.step : true));
		if (running.length === 0) return undefined;
		return `step ${running.map(([id]) => id).join(', ')} is already running there`;
	};
	let session: SessionHandle;
	try {
		const opening = {fresh: values.new ?? false, takeOver: values['take-over'] ?? false, refuseTakeOver};
		// Team mode only loads with --team (ioredis and all of source/team are imported here, not above).
		session = team ? await (await import('../team/join.js')).openTeamSession(file, opening, team, {flushMs: 5000, headless: true}) : await openSession(file, opening);
	} catch (error) {
		if (error instanceof TakeOverRefused) return fail(error.message, 1);
		throw error;
	}
	try {
		if (session.readOnly && !values['dry-run']) {
			return fail(`${session.notices.find(n => n.startsWith('read-only')) ?? 'the session is open in another cockpit'}; close it there or use --take-over`, 1);
		}
		for (const notice of session.notices) if (!notice.startsWith('read-only')) process.stderr.write(`deploycockpit: ${notice}\n`);
		const {checklist} = session;
		let steps: Step[];
		if (values.step) {
			const step = checklist.steps.find(s => s.id === values.step);
			if (!step) return fail(`no step with id ${values.step} (see: deploycockpit outline --ids ${file})`);
			steps = [step];
		} else {
			const inSection = sectionSteps(checklist, values.section!);
			if (!inSection) return fail(`no section with id ${values.section} (see: deploycockpit outline --ids ${file})`);
			const state = session.getState();
			steps = inSection.filter(s => {
				const status = state.steps[s.id]?.status ?? (s.checked ? 'done' : 'pending');
				return status !== 'done' && status !== 'skipped';
			});
			if (steps.length === 0) {
				process.stderr.write(`deploycockpit run: nothing pending in section ${values.section}\n`);
				return 0;
			}
		}
		return values['dry-run'] ? dryRun(session, steps, vars) : await runSteps(session, steps, {vars, yes: values.yes ?? false, timeoutMs});
	} finally {
		const said = session.notices.length;
		await session.close();
		// Closing a team session may leave events unpublished (Redis away): said, they go out on the next join.
		for (const notice of session.notices.slice(said)) process.stderr.write(`deploycockpit: ${notice}\n`);
	}
}

function knownEnv(session: SessionHandle, vars: Record<string, string>): Record<string, string | undefined> {
	return {...process.env, ...session.getState().shell.vars, ...vars};
}

/**
 * What preflight may count as set: also the variables carried in this
 * process's memory only (a secret exported by the step before, never
 * written to state.json). Their values stay out of it.
 */
function preflightEnv(session: SessionHandle, env: Record<string, string | undefined>): Record<string, string | undefined> {
	const out = {...env};
	for (const name of session.carriedNames?.() ?? []) out[name] ??= '';
	return out;
}

function dryRun(session: SessionHandle, steps: Step[], vars: Record<string, string>): number {
	const env = knownEnv(session, vars);
	const mask = createMasker(env);
	for (const step of steps) {
		process.stdout.write(`# step ${step.id}: ${step.title}\n`);
		const runnable = step.blocks.filter(b => b.executor);
		if (runnable.length === 0) process.stdout.write('# (manual step: nothing to run)\n');
		for (const block of runnable) {
			const code = expandKnown(fillPlaceholders(block.code, vars), env);
			process.stdout.write(`# ${block.executor} block, line ${block.line}\n${mask(code).replace(/\n?$/, '\n')}`);
		}
		const check = preflight(step, preflightEnv(session, env), session.checklist.settings.dangerous ?? [], {cwd: session.getState().shell.cwd});
		for (const finding of check.dangerous) process.stdout.write(`# dangerous (${finding.reason}): ${mask(finding.command)}\n`);
		const open = check.placeholders.filter(p => vars[p] === undefined);
		if (open.length) process.stdout.write(`# placeholders without a value: ${open.map(p => `<${p}>`).join(' ')}\n`);
		if (check.unsetVars.length) process.stdout.write(`# unset variables: ${check.unsetVars.map(v => `$${v}`).join(' ')}\n`);
	}
	process.stdout.write('# dry run: nothing was run\n');
	return 0;
}

async function runSteps(session: SessionHandle, steps: Step[], options: {vars: Record<string, string>; yes: boolean; timeoutMs?: number}): Promise<number> {
	let current: string | undefined;
	let interrupted = false;
	const onSigint = () => {
		if (interrupted || !current) process.exit(130);
		interrupted = true;
		process.stderr.write(`\ndeploycockpit: cancelling ${current} (Ctrl-C again to leave it running)\n`);
		void session.cancel(current);
	};
	process.on('SIGINT', onSigint);
	const print = stdoutWriter();
	const unsubscribe = session.subscribe(event => {
		if (event.type === 'output' && event.stepId === current) print(event.bytes ?? event.chunk);
	});
	const keys = forwardTerminal(session, () => current);
	try {
		for (const step of steps) {
			const env = knownEnv(session, options.vars);
			const mask = createMasker(env);
			if (!step.blocks.some(b => b.executor)) {
				process.stderr.write(`deploycockpit run: step ${step.id} is a manual step (${step.title}); check it and mark it in the cockpit\n`);
				return 1;
			}
			const check = preflight(step, preflightEnv(session, env), session.checklist.settings.dangerous ?? [], {cwd: session.getState().shell.cwd});
			if (check.dangerous.length && !options.yes) {
				const list = check.dangerous.map(f => `  ${mask(f.command)}   (${f.reason})`).join('\n');
				return fail(`step ${step.id} has commands flagged dangerous; not run. Check them and use --yes to run:\n${list}`, 1);
			}
			// A fence without a language that only reads as shell is run only when asked for, like a dangerous one.
			const guessed = step.blocks.filter(b => b.guessed && b.executor);
			if (guessed.length && !options.yes) {
				const list = guessed.map(b => `  line ${b.line}:\n${b.code.replace(/\n$/, '').split('\n').map(l => `    ${mask(l)}`).join('\n')}`).join('\n');
				return fail(`step ${step.id} has a code block with no language that was guessed to be shell; not run. Check it and use --yes to run:\n${list}`, 1);
			}
			const open = check.placeholders.filter(p => options.vars[p] === undefined);
			if (open.length) return fail(`step ${step.id} has placeholders without a value: ${open.map(p => `<${p}>`).join(' ')}; give them with --var NAME=VALUE`, 1);
			const unset = check.unsetVars.filter(v => options.vars[v] === undefined);
			if (unset.length && !options.yes) {
				return fail(`step ${step.id} reads unset variables: ${unset.map(v => `$${v}`).join(' ')}; give them with --var NAME=VALUE (or --yes to run anyway)`, 1);
			}
			current = step.id;
			if (steps.length > 1) process.stderr.write(`deploycockpit: running ${step.id}: ${step.title}\n`);
			const result = await session.runStep(step.id, {vars: options.vars, confirmed: options.yes, ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}), ...(keys ? {terminal: keys.size()} : {})});
			const record = session.getState().steps[step.id];
			if (result.status !== 'done') {
				const why = record?.error ? ` (${record.error})` : '';
				process.stderr.write(`deploycockpit: step ${step.id} ${result.status}${result.exitCode !== null ? ` with exit code ${result.exitCode}` : ''}${why}\n`);
				return exitCodeOf(result);
			}
		}
		return 0;
	} finally {
		keys?.stop();
		unsubscribe();
		process.off('SIGINT', onSigint);
	}
}

/**
 * With stdin and stdout a terminal, steps run on a PTY of this terminal's
 * size and every key goes to the running program (raw mode: Ctrl-C is the
 * program's, as on a terminal); resizes follow. Restored on the way out.
 * Without a terminal, steps run on pipes as before.
 */
function forwardTerminal(session: SessionHandle, current: () => string | undefined): {size(): {cols: number; rows: number}; stop(): void} | undefined {
	const stdin = process.stdin;
	if (!stdin.isTTY || !process.stdout.isTTY) return undefined;
	const size = () => ({cols: process.stdout.columns || 80, rows: process.stdout.rows || 24});
	const onData = (chunk: Buffer) => {
		const stepId = current();
		if (stepId) void session.sendInput(stepId, chunk.toString('utf8'));
	};
	const onResize = () => {
		const stepId = current();
		if (stepId) void session.resizeRun(stepId, size().cols, size().rows);
	};
	const restore = () => {
		try {
			stdin.setRawMode(false);
		} catch {
			// the terminal is gone
		}
	};
	stdin.setRawMode(true);
	stdin.on('data', onData);
	stdin.resume();
	process.stdout.on('resize', onResize);
	process.once('exit', restore);
	return {
		size,
		stop() {
			stdin.off('data', onData);
			stdin.pause();
			process.stdout.off('resize', onResize);
			restore();
			process.off('exit', restore);
		},
	};
}
