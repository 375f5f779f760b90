// Running one step from the cockpit: preflight → fill values → confirm → run.
// A plain class built where the cockpit is assembled and given to the store;
// the store keeps what is shown (the pending run, the overlay) and turns each
// decision into state. Nothing here knows the store or the UI.
import type {Step} from '../checklist/model.js';
import {redisWrites} from '../engine/redis/classify.js';
import {sqlWrites} from '../engine/sql/classify.js';
import type {StepStatus} from '../engine/types.js';
import {preflight, type Preflight} from '../safety/analyze.js';
import type {SessionHandle, SessionState} from '../session/types.js';
import {nextFill, type FillForm} from './fill-form.js';
import {loadPty} from '../engine/pty-load.js';

/**
 * Hands the real terminal to a child process (the `!` and `o` keys): the UI
 * layer implements it (leave the alternate screen, raw mode off, ...), the
 * store and the workflows only call it. Absent in tests without a terminal.
 */
export interface TerminalControl {
	/** prompt: wait for Enter before coming back (default true; a pager needs none); a function decides once the work is done. */
	suspend<T>(work: () => Promise<T>, options?: {prompt?: boolean | ((result: T) => boolean)}): Promise<T>;
	/** The real terminal's size (a `!` run's PTY gets it). */
	size?(): {cols: number; rows: number} | undefined;
	/**
	 * While suspended: the real terminal, raw, attached to a run held by its runner (keys to it, its
	 * output to the screen) until the run ends or the leave chord detaches ('detached': the run goes on).
	 */
	attach?(target: AttachTarget): Promise<'ended' | 'detached'>;
}

/** A running `!` step as the terminal attaches to it. */
export interface AttachTarget {
	/** Its output from its first byte: every chunk so far, then each new one; returns the unsubscribe. */
	output(write: (text: string) => void): () => void;
	send(data: string): Promise<boolean>;
	resize(cols: number, rows: number): Promise<boolean>;
	/** Resolves when the run has ended (its output delivered). */
	ended: Promise<unknown>;
}

export interface PendingRun extends FillForm {
	stepId: string;
	preflight: Preflight;
	interactive: boolean;
	dryRun: boolean;
	/** Team mode: confirmed to run although it cannot be claimed (the link is down). */
	unclaimed?: boolean;
}

export type RunRequest =
	/** Nothing starts; say why. */
	| {kind: 'refused'; text: string; level: 'info' | 'warn'; about?: string}
	/** A done step: "run again? y" first. */
	| {kind: 'ask-rerun'}
	/** Team mode, link down: "it cannot be claimed — run it on your own? y" first. */
	| {kind: 'ask-unclaimed'}
	/** Values to fill or commands to confirm first. */
	| {kind: 'preflight'; pending: PendingRun}
	| {kind: 'started'; run: Promise<RunResult>};

export type RunConfirm =
	| {kind: 'missing'; name: string}
	/** Still in the form (another field, or the confirm stage). */
	| {kind: 'pending'; pending: PendingRun}
	| {kind: 'dry-run'}
	| {kind: 'started'; run: Promise<RunResult>};

export type RunResult = {status: StepStatus; exitCode: number | null; interactive: boolean} | {status: 'no-terminal'};

export interface RunFlowDeps {
	session: SessionHandle;
	/** The environment preflight checks against (defaults to process.env). */
	env?: Record<string, string | undefined>;
	terminal?: TerminalControl;
}

function hhmm(iso: string | undefined): string {
	if (!iso) return '?';
	const d = new Date(iso);
	return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export class RunFlow {
	constructor(private readonly deps: RunFlowDeps) {}

	/** Enter on a step. */
	request(step: Step, state: SessionState, options: {interactive?: boolean; rerun?: boolean; unclaimed?: boolean; dryRun: boolean; dangerous: string[]}): RunRequest {
		const runnable = step.blocks.some(b => b.executor !== null);
		if (!runnable) return {kind: 'refused', text: 'manual step: Space marks it done, f marks it failed', level: 'info'};
		const status = state.steps[step.id]?.status ?? (step.checked ? 'done' : 'pending');
		const record = state.steps[step.id];
		// Another team member's run: say whose (its claim would refuse this one anyway).
		if (status === 'running' && record?.origin) return {kind: 'refused', text: `step ${step.id} is running on ${record.host ?? '?'} by ${record.by ?? '?'} since ${hhmm(record.startedAt)}; not started`, level: 'warn', about: step.id};
		if (status === 'running') return {kind: 'refused', text: 'already running — x cancels it', level: 'info', about: step.id};
		// A finished step is not run again by a stray Enter (a migration twice is an incident).
		if (status === 'done' && !options.rerun) return {kind: 'ask-rerun'};
		// Team mode: a step that cannot be claimed could run on two machines; asked, never assumed.
		if (this.deps.session.linkDownSince != null && !options.unclaimed && !options.dryRun) return {kind: 'ask-unclaimed'};
		const unclaimed = options.unclaimed === true ? {unclaimed: true} : {};
		const env: Record<string, string | undefined> = {...(this.deps.env ?? process.env), ...state.shell.vars};
		// Carried in memory only (secrets): set, though state.json does not hold them.
		for (const name of this.deps.session.carriedNames?.() ?? []) env[name] ??= '';
		const pf = withWrites(step, preflight(step, env, options.dangerous, {cwd: state.shell.cwd}));
		const fields = [...new Set([...pf.placeholders, ...pf.unsetVars])];
		const interactive = options.interactive === true;
		if (pf.dangerous.length === 0 && fields.length === 0 && !options.dryRun) {
			return {kind: 'started', run: this.start({stepId: step.id, values: {}, interactive, confirmed: false, ...unclaimed})};
		}
		// Every field needs a value here (an unset variable would expand to nothing).
		return {kind: 'preflight', pending: {stepId: step.id, preflight: pf, fields, required: fields, values: {}, field: 0, interactive, dryRun: options.dryRun, ...unclaimed}};
	}

	/** Enter (or y) in the preflight overlay. */
	confirm(pending: PendingRun): RunConfirm {
		if (pending.field < pending.fields.length) {
			const next = nextFill(pending);
			if (next.kind === 'missing') return next;
			if (next.kind === 'field') return {kind: 'pending', pending: {...pending, field: next.field}};
			// All filled: a dangerous command still needs its explicit key.
			if (pending.preflight.dangerous.length > 0 || pending.dryRun) return {kind: 'pending', pending: {...pending, field: pending.fields.length}};
		}
		if (pending.dryRun) return {kind: 'dry-run'};
		return {kind: 'started', run: this.start({stepId: pending.stepId, values: pending.values, interactive: pending.interactive, confirmed: pending.preflight.dangerous.length > 0, ...(pending.unclaimed ? {unclaimed: true} : {})})};
	}

	private async start(run: {stepId: string; values: Record<string, string>; interactive: boolean; confirmed: boolean; unclaimed?: boolean}): Promise<RunResult> {
		const vars = Object.keys(run.values).length > 0 ? run.values : undefined;
		const go = () => this.deps.session.runStep(run.stepId, {confirmed: run.confirmed, vars, interactive: run.interactive || undefined, ...(run.unclaimed ? {unclaimed: true} : {})});
		if (!run.interactive) return {...(await go()), interactive: false};
		const terminal = this.deps.terminal;
		if (!terminal) return {status: 'no-terminal'};
		const size = terminal.size?.();
		const session = this.deps.session;
		if (terminal.attach && size && session.pinSize && loadPty().module) {
			const attach = terminal.attach.bind(terminal);
			return {...(await terminal.suspend(() => this.attached(run.stepId, {confirmed: run.confirmed, vars, size}, attach), {prompt: result => result.status !== 'running'})), interactive: true};
		}
		// No node-pty here: the command gets util-linux `script` on the real terminal, in this process.
		return {...(await terminal.suspend(go)), interactive: true};
	}

	/**
	 * A `!` run held by its runner: a detached run on a PTY of the terminal's size, the real terminal
	 * attached to it. Ends with the run, or 'running' when the leave chord detached (the run goes on in
	 * the pane, where `i` types into it again).
	 */
	private async attached(stepId: string, options: {confirmed: boolean; vars: Record<string, string> | undefined; size: {cols: number; rows: number}}, attach: NonNullable<TerminalControl['attach']>): Promise<{status: StepStatus; exitCode: number | null}> {
		const session = this.deps.session;
		const seen: string[] = [];
		let sink: ((text: string) => void) | undefined;
		const unsubscribe = session.subscribe(event => {
			if (event.type !== 'output' || event.stepId !== stepId) return;
			if (sink) sink(event.chunk);
			else seen.push(event.chunk);
		});
		try {
			await session.pinSize?.(stepId, options.size);
			const running = session.runStep(stepId, {confirmed: options.confirmed, vars: options.vars, interactive: true, terminal: options.size});
			const how = await attach({
				output: write => {
					for (const chunk of seen.splice(0)) write(chunk);
					sink = write;
					return () => (sink = undefined);
				},
				send: data => session.sendInput(stepId, data),
				resize: (cols, rows) => session.pinSize!(stepId, {cols, rows}),
				ended: running.catch(() => undefined),
			});
			if (how === 'ended') return await running;
			void running.catch(() => undefined);
			return {status: 'running', exitCode: null};
		} finally {
			unsubscribe();
			await session.pinSize?.(stepId, null).catch(() => false);
		}
	}
}

/**
 * sql/redis writes need the same explicit confirmation as dangerous commands
 * (the executors refuse them unless the run is confirmed), and so does shell
 * code guessed from an unlabeled fence: the whole code is shown before `y`.
 */
function withWrites(step: Step, pf: Preflight): Preflight {
	const extra: Preflight['dangerous'] = [];
	for (const block of step.blocks) {
		if (block.executor === 'sql') extra.push(...sqlWrites(block));
		else if (block.executor === 'redis') extra.push(...redisWrites(block));
		if (block.guessed) extra.push({command: block.code, reason: 'guessed shell (unlabeled block): check the code', line: block.line + 1});
	}
	const seen = new Set(pf.dangerous.map(d => `${d.line}\0${d.command}`));
	const added = extra.filter(d => !seen.has(`${d.line}\0${d.command}`));
	return added.length === 0 ? pf : {...pf, dangerous: [...pf.dangerous, ...added]};
}
