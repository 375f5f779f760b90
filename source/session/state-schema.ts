// The shape of state.json, checked field by field on load. A state that
// parses but has a wrong-typed field (`"triggers": {}`, a string where a list
// belongs, a bad exitCode) is repaired where a safe value exists, and what
// cannot be used is set aside with a message: the cockpit, `status` and
// `report` always get a SessionState they can rely on, never a crash.
// Hand-written (no schema library is a dependency): each check is one line.
import type {StepStatus} from '../engine/types.js';
import type {RollbackRecord, SessionState, StepRecord, TriggerRecord} from './types.js';

const STATUSES: readonly StepStatus[] = ['pending', 'running', 'done', 'failed', 'skipped', 'cancelled', 'interrupted'];
const TRIGGER_KINDS: ReadonlyArray<TriggerRecord['kind']> = ['threshold', 'alert', 'step-failed'];
const OUTCOMES: ReadonlyArray<NonNullable<RollbackRecord['outcome']>> = ['done', 'aborted', 'failed', 'running'];

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isDate = (v: unknown): v is string => isString(v) && !Number.isNaN(Date.parse(v));
const isExitCode = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255;

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (isObject(value)) return Object.keys(value).length === 0 ? '{}' : 'an object';
	if (isString(value)) return `"${value.length > 20 ? value.slice(0, 19) + '…' : value}"`;
	return String(value);
}

/** What was wrong and what was set aside (path → the original value). */
export class Findings {
	readonly problems: string[] = [];
	readonly setAside: Record<string, unknown> = {};

	bad(path: string, value: unknown, expected: string, action: string): void {
		this.problems.push(`${path} was ${describe(value)} (expected ${expected}); ${action}`);
		this.setAside[path] = value;
	}
}

/** Optional string/number/boolean fields: a wrong type is dropped (and noted). */
function optional<T>(out: Obj, from: Obj, key: string, ok: (v: unknown) => v is T, path: string, expected: string, found: Findings): void {
	const value = from[key];
	if (value === undefined) return;
	if (ok(value)) out[key] = value;
	else found.bad(`${path}.${key}`, value, expected, 'dropped');
}

export function checkStepRecord(value: unknown, path: string, found: Findings): StepRecord | undefined {
	if (!isObject(value)) {
		found.bad(path, value, 'a step record', 'set aside');
		return undefined;
	}
	if (!STATUSES.includes(value.status as StepStatus)) {
		found.bad(path, value, `a status (${STATUSES.join(', ')})`, 'set aside');
		return undefined;
	}
	const out: Obj = {status: value.status};
	if (value.exitCode === null || value.exitCode === undefined || isExitCode(value.exitCode)) out.exitCode = value.exitCode ?? null;
	else {
		found.bad(`${path}.exitCode`, value.exitCode, 'an exit code 0–255 or null', 'reset to null');
		out.exitCode = null;
	}
	if (value.signal === null || value.signal === undefined || isString(value.signal)) {
		if (value.signal !== undefined) out.signal = value.signal;
	} else found.bad(`${path}.signal`, value.signal, 'a signal name or null', 'dropped');
	for (const key of ['by', 'runId', 'logPath', 'error', 'title', 'failedCommand', 'host', 'origin'] as const) optional(out, value, key, isString, path, 'text', found);
	optional(out, value, 'failedLine', (v): v is number => Number.isInteger(v) && (v as number) > 0, path, 'a line number', found);
	for (const key of ['startedAt', 'endedAt', 'cancelRequestedAt'] as const) optional(out, value, key, isDate, path, 'a date', found);
	optional(out, value, 'durationMs', (v): v is number => isNumber(v) && v >= 0, path, 'a duration in ms', found);
	optional(out, value, 'timedOut', (v): v is boolean => typeof v === 'boolean', path, 'true or false', found);
	optional(out, value, 'conflict', (v): v is unknown[] => Array.isArray(v) && v.every(r => typeof r === 'object' && r !== null && typeof (r as {runId?: unknown}).runId === 'string'), path, 'a list of runs', found);
	optional(out, value, 'fence', (v): v is number => Number.isInteger(v) && (v as number) >= 0, path, 'a fencing token', found);
	optional(out, value, 'segment', (v): v is number => Number.isInteger(v) && (v as number) >= 0, path, 'a segment number', found);
	const isSize = (v: unknown): v is {cols: number; rows: number} => {
		const size = v as {cols?: unknown; rows?: unknown} | null;
		return typeof size === 'object' && size !== null && Number.isInteger(size.cols) && Number.isInteger(size.rows) && (size.cols as number) > 0 && (size.rows as number) > 0;
	};
	optional(out, value, 'terminal', isSize, path, 'a terminal size {cols, rows}', found);
	if (value.notes !== undefined) {
		if (Array.isArray(value.notes)) {
			out.notes = value.notes.filter(isString);
			if ((out.notes as string[]).length !== value.notes.length) found.bad(`${path}.notes`, value.notes, 'a list of text', 'kept the text entries');
		} else if (isString(value.notes)) {
			out.notes = [value.notes];
			found.problems.push(`${path}.notes was a text (expected a list of text); made it a list of one`);
		} else found.bad(`${path}.notes`, value.notes, 'a list of text', 'dropped');
	}
	return out as unknown as StepRecord;
}

function checkTrigger(value: unknown, path: string, found: Findings): TriggerRecord | undefined {
	if (!isObject(value) || !isDate(value.at) || !TRIGGER_KINDS.includes(value.kind as TriggerRecord['kind']) || !isString(value.message)) {
		found.bad(path, value, 'a trigger {at, kind, message}', 'set aside');
		return undefined;
	}
	const out: Obj = {at: value.at, kind: value.kind, message: value.message};
	optional(out, value, 'value', isNumber, path, 'a number', found);
	optional(out, value, 'ticked', (v): v is boolean => typeof v === 'boolean', path, 'true or false', found);
	return out as unknown as TriggerRecord;
}

function checkRollback(value: unknown, path: string, found: Findings): RollbackRecord | undefined {
	if (!isObject(value) || !isString(value.id) || !(value.procedure === null || isString(value.procedure)) || !isString(value.by) || !isDate(value.startedAt)) {
		found.bad(path, value, 'a rollback {id, procedure, by, startedAt, steps}', 'set aside');
		return undefined;
	}
	const out: Obj = {id: value.id, procedure: value.procedure, by: value.by, startedAt: value.startedAt};
	optional(out, value, 'endedAt', isDate, path, 'a date', found);
	optional(out, value, 'outcome', (v): v is string => OUTCOMES.includes(v as RollbackRecord['outcome'] & string), path, OUTCOMES.join(' / '), found);
	if (value.trigger !== undefined) {
		const trigger = checkTrigger(value.trigger, `${path}.trigger`, found);
		if (trigger) out.trigger = trigger;
	}
	const steps = list(value.steps, `${path}.steps`, found, (s, p) => {
		// A hole (null) is how JSON keeps a step index that was never written: kept, so indexes stay.
		if (s === null) return null as unknown as RollbackRecord['steps'][number];
		if (isObject(s) && isString(s.id) && STATUSES.includes(s.status as StepStatus) && (s.exitCode === null || isExitCode(s.exitCode))) return s as RollbackRecord['steps'][number];
		found.bad(p, s, 'a rollback step {id, status, exitCode}', 'set aside');
		return undefined;
	});
	out.steps = steps;
	return out as unknown as RollbackRecord;
}

/** A list whose wrong entries are set aside; a non-list becomes [] (and is set aside). */
function list<T>(value: unknown, path: string, found: Findings, item: (v: unknown, path: string) => T | undefined): T[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) {
		if (!(isObject(value) && Object.keys(value).length === 0)) found.bad(path, value, 'a list', 'set aside, started an empty list');
		else found.problems.push(`${path} was {} (expected a list); made it an empty list`);
		return [];
	}
	const out: T[] = [];
	value.forEach((v, i) => {
		const checked = item(v, `${path}[${i}]`);
		if (checked !== undefined) out.push(checked);
	});
	return out;
}

function tiles(value: unknown, path: string, found: Findings): SessionState['baseline'] {
	if (value === undefined) return undefined;
	if (!isObject(value)) {
		found.bad(path, value, 'an object of tile values', 'dropped');
		return undefined;
	}
	const out: NonNullable<SessionState['baseline']> = {};
	for (const [key, v] of Object.entries(value)) {
		if (isObject(v) && (v.value === null || isNumber(v.value)) && isDate(v.at)) out[key] = {value: v.value, at: v.at};
		else found.bad(`${path}.${key}`, v, 'a tile value {value, at}', 'dropped');
	}
	return out;
}

export interface StateDefaults {
	id: string;
	file: string;
	hash: string;
	cwd: string;
	createdAt: string;
}

/**
 * A usable SessionState from whatever JSON was read, or undefined when it is
 * not a session state at all (not an object, another version).
 */
export function checkState(value: unknown, defaults: StateDefaults, found: Findings): SessionState | undefined {
	if (!isObject(value) || (value.version !== undefined && value.version !== 1)) return undefined;
	// Not one field we know: not a deploycockpit state (an empty object, some other file).
	if (!['id', 'file', 'steps', 'shell'].some(key => key in value)) return undefined;
	const text = (key: 'id' | 'file' | 'hash', fallback: string): string => {
		if (isString(value[key])) return value[key];
		found.bad(key, value[key], 'text', `used ${fallback ? `"${fallback}"` : 'an empty one'}`);
		return fallback;
	};
	const date = (key: 'createdAt', fallback: string): string => {
		if (isDate(value[key])) return value[key];
		found.bad(key, value[key], 'a date', `used ${fallback}`);
		return fallback;
	};
	const createdAt = date('createdAt', defaults.createdAt);
	const state: SessionState = {
		version: 1,
		id: text('id', defaults.id),
		file: text('file', defaults.file),
		hash: text('hash', defaults.hash),
		createdAt,
		steps: {},
		shell: {cwd: defaults.cwd, vars: {}, exported: []},
		cursor: {},
		triggers: list(value.triggers, 'triggers', found, (v, p) => checkTrigger(v, p, found)),
		rollbacks: list(value.rollbacks, 'rollbacks', found, (v, p) => checkRollback(v, p, found)),
	};
	if (isObject(value.steps)) {
		for (const [id, record] of Object.entries(value.steps)) {
			const checked = checkStepRecord(record, `steps.${id}`, found);
			if (checked) state.steps[id] = checked;
		}
	} else found.bad('steps', value.steps, 'an object of step records', 'set aside, no step records kept');

	const shell = value.shell;
	if (isObject(shell)) {
		if (isString(shell.cwd)) state.shell.cwd = shell.cwd;
		else found.bad('shell.cwd', shell.cwd, 'a directory', `used ${defaults.cwd}`);
		if (isObject(shell.vars)) {
			for (const [name, v] of Object.entries(shell.vars)) {
				if (isString(v)) state.shell.vars[name] = v;
				else found.bad(`shell.vars.${name}`, v, 'text', 'dropped');
			}
		} else if (shell.vars !== undefined) found.bad('shell.vars', shell.vars, 'an object of variables', 'no variables carried');
		if (Array.isArray(shell.exported)) state.shell.exported = shell.exported.filter(isString).filter(n => n in state.shell.vars);
		else if (shell.exported !== undefined) found.bad('shell.exported', shell.exported, 'a list of names', 'none marked exported');
	} else found.bad('shell', shell, 'the carried shell {cwd, vars}', `started from ${defaults.cwd} with no variables`);

	if (isObject(value.cursor)) {
		if (isString(value.cursor.stepId)) state.cursor.stepId = value.cursor.stepId;
		if (isString(value.cursor.pane)) state.cursor.pane = value.cursor.pane;
	} else if (value.cursor !== undefined) found.bad('cursor', value.cursor, 'the cursor {stepId, pane}', 'reset');

	if (value.orphans !== undefined) {
		const orphans = list(value.orphans, 'orphans', found, (v, p) => {
			if (!isObject(v) || !isString(v.id)) {
				found.bad(p, v, 'an orphan {id, record}', 'set aside');
				return undefined;
			}
			const record = checkStepRecord(v.record, `${p}.record`, found);
			if (!record) return undefined;
			return {id: v.id, ...(isString(v.title) ? {title: v.title} : {}), record};
		});
		if (orphans.length) state.orphans = orphans;
	}
	const baseline = tiles(value.baseline, 'baseline', found);
	if (baseline) state.baseline = baseline;
	const latest = tiles(value.latest, 'latest', found);
	if (latest) state.latest = latest;
	// Absent until the work starts (first run or mark).
	if (value.windowStartedAt !== undefined) {
		if (isDate(value.windowStartedAt)) state.windowStartedAt = value.windowStartedAt;
		else found.bad('windowStartedAt', value.windowStartedAt, 'a date', 'not started');
	}
	if (value.rollbackChoice !== undefined) {
		if (isString(value.rollbackChoice)) state.rollbackChoice = value.rollbackChoice;
		else found.bad('rollbackChoice', value.rollbackChoice, 'a section id', 'dropped');
	}
	if (value.seq !== undefined) {
		if (Number.isInteger(value.seq) && (value.seq as number) >= 0) state.seq = value.seq as number;
		else found.bad('seq', value.seq, 'a whole number', 'dropped (the event log is read from its start)');
	}
	if (value.baselineAlerts !== undefined) {
		if (Array.isArray(value.baselineAlerts)) state.baselineAlerts = value.baselineAlerts.filter(isString);
		else found.bad('baselineAlerts', value.baselineAlerts, 'a list of alert keys', 'dropped');
	}
	return state;
}
