// The deployment report: a markdown change record built from the session
// state, the run logs and the audit log. Pure apart from reading logs; every
// piece of text goes through the masker again before it is written, so a
// secret that somehow reached a log still does not reach the report.
import {open} from 'node:fs/promises';
import {isAbsolute, join} from 'node:path';
import type {Checklist, Section, Step} from '../checklist/model.js';
import type {StepStatus} from '../engine/types.js';
import {createMasker, type Masker} from '../safety/mask.js';
import type {AuditEntry} from './audit.js';
import {conflictText} from './conflict-text.js';
import type {RollbackRecord, SessionState, StepRecord} from './types.js';

export interface ReportInput {
	checklist: Checklist;
	state: SessionState;
	/** The session directory (run logs are relative to it). */
	dir: string;
	audit?: AuditEntry[];
	now?: Date;
	mask?: Masker;
	/** Lines of output shown per failure. */
	tailLines?: number;
	/** Team mode: the team session's name and who is in it now. */
	team?: {session: string; members: string[]};
}

const GLYPH: Record<StepStatus, string> = {pending: '·', running: '▶', done: '✓', failed: '✗', skipped: '↷', cancelled: '⊘', interrupted: '⚠'};

export async function buildReport(input: ReportInput): Promise<string> {
	const {checklist, state, dir} = input;
	const mask = input.mask ?? createMasker(process.env);
	const now = input.now ?? new Date();
	const tailLines = input.tailLines ?? 30;
	const out: string[] = [];
	const line = (text = '') => out.push(text);

	const records = checklist.steps.map(s => ({step: s, record: state.steps[s.id]}));
	const counts = new Map<StepStatus, number>();
	for (const {record} of records) counts.set(record?.status ?? 'pending', (counts.get(record?.status ?? 'pending') ?? 0) + 1);

	line(`# Change record: ${inline(checklist.title || 'checklist')}`);
	line();
	line(`- **Checklist**: \`${state.file}\`${checklist.hash ? ` (sha256 ${checklist.hash.slice(0, 12)})` : ''}`);
	if (checklist.hash && state.hash && checklist.hash !== state.hash) line(`- **Note**: the checklist changed since the session began (session started on sha256 ${state.hash.slice(0, 12)})`);
	line(`- **Session**: \`${state.id}\`, created ${time(state.createdAt)}`);
	line(`- **Run by**: ${whoRan(state, input.audit).map(inline).join(', ') || '—'}`);
	if (input.team) line(`- **Team session**: ${inline(input.team.session)}; in it now: ${input.team.members.map(inline).join(', ') || 'nobody'}`);
	line(`- **Window**: ${windowText(checklist, state, now)}`);
	line(`- **Steps**: ${checklist.steps.length} — ${summary(counts)}`);
	const conflicted = records.filter(({record}) => record?.conflict?.length).length;
	if (conflicted > 0) line(`- **Conflicts**: ${conflicted} step${conflicted === 1 ? '' : 's'} ran on more than one machine (team link down or --offline) — see Conflicts`);
	line(`- **Rollbacks**: ${state.rollbacks.length === 0 ? 'none' : state.rollbacks.map(r => `${rollbackName(checklist, r)} (${r.outcome ?? 'running'})`).join(', ')}`);
	line(`- **Rollback triggers**: ${state.triggers.length === 0 ? 'none' : String(state.triggers.length)}`);
	line(`- **Report written**: ${time(now.toISOString())}`);
	line();

	line('## Steps');
	line();
	for (const group of groups(checklist)) {
		const done = group.steps.filter(s => state.steps[s.id]?.status === 'done').length;
		const heading = group.section ? inline(group.section.title) : '(before the first heading)';
		const risk = group.section?.meta.risk;
		const role = group.section?.rollback ? ` · ${group.section.rollback === 'trigger' ? 'rollback triggers' : 'rollback procedure'}` : '';
		line(`### ${heading} (${done}/${group.steps.length})${risk !== undefined ? ` · risk: ${inline(String(risk))}` : ''}${role}`);
		line();
		line('| | Step | Status | By | Started | Ended | Duration | Exit |');
		line('|---|---|---|---|---|---|---|---|');
		for (const step of group.steps) {
			const r = state.steps[step.id];
			const status = r?.status ?? 'pending';
			line(`| ${GLYPH[status]} | ${cell(step.title)} \`${cell(step.id)}\` | ${status}${r?.conflict ? ' — **CONFLICT**' : ''}${r?.error ? ` — ${cell(mask(r.error))}` : ''}${r?.failedLine !== undefined ? ` — line ${r.failedLine}` : ''} | ${cell(r?.by ?? '')}${r?.host && !r.by?.endsWith(`@${r.host}`) ? ` on ${cell(r.host)}` : ''} | ${time(r?.startedAt)} | ${time(r?.endedAt)} | ${duration(r?.durationMs)} | ${exit(r)} |`);
		}
		line();
		const notes = group.steps.flatMap(s => (state.steps[s.id]?.notes ?? []).map(n => `- ${inline(s.title)}: ${inline(mask(n))}`));
		if (notes.length > 0) {
			line('Notes:');
			line();
			for (const n of notes) line(n);
			line();
		}
	}

	const failures = records.filter(({record}) => record && (record.status === 'failed' || record.status === 'interrupted' || record.status === 'cancelled'));
	line('## Failures');
	line();
	if (failures.length === 0) line('None.');
	for (const {step, record} of failures) {
		const r = record!;
		line(`### ${inline(step.title)} (\`${step.id}\`)`);
		line();
		line(`${r.status}, ${exit(r) === '—' ? 'no exit code' : `exit ${exit(r)}`}, ${time(r.endedAt ?? r.startedAt)}${r.by ? ` by ${inline(r.by)}` : ''}${r.error ? ` — ${inline(mask(r.error))}` : ''}`);
		line();
		if (r.failedLine !== undefined) {
			line(`Stopped at checklist line ${r.failedLine}: ${inline(mask(r.failedCommand ?? ''))}`);
			line();
		}
		const commands = step.blocks.filter(b => b.executor !== null).map(b => b.code.trim());
		if (commands.length > 0) {
			line('Command:');
			line();
			fence(out, mask(commands.join('\n')));
		}
		const tail = await logTail(dir, r, tailLines);
		if (tail !== null) {
			line(`Last ${tailLines} lines of output${r.logPath ? ` (full log: \`${logFile(dir, r)}\`)` : ''}:`);
			line();
			fence(out, mask(tail));
		} else {
			line('(no output log)');
			line();
		}
	}
	if (failures.length === 0) line();

	// Team mode: a step that ran on two machines with nothing ordering the runs is said, never merged silently.
	const conflicts = records.filter(({record}) => record?.conflict?.length);
	if (conflicts.length > 0) {
		line('## Conflicts');
		line();
		for (const {step, record} of conflicts) line(`- **${inline(step.title)}** (\`${step.id}\`): ${inline(conflictText(record!.conflict!, time))}`);
		line();
	}

	line('## Rollbacks');
	line();
	if (state.rollbacks.length === 0) line('None.');
	for (const rb of state.rollbacks) {
		line(`### ${inline(rollbackName(checklist, rb))} — ${rb.outcome ?? 'running'}`);
		line();
		line(`Started ${time(rb.startedAt)} by ${inline(rb.by)}${rb.endedAt ? `, ended ${time(rb.endedAt)} (${duration(Date.parse(rb.endedAt) - Date.parse(rb.startedAt))})` : ''}.`);
		line(rb.trigger ? `Trigger: ${inline(mask(rb.trigger.message))}${rb.trigger.value !== undefined ? ` (value ${rb.trigger.value})` : ''} at ${time(rb.trigger.at)}.` : 'Trigger: started by hand.');
		line();
		if (rb.steps.length > 0) {
			line('| Step | Status | Started | Ended | Exit |');
			line('|---|---|---|---|---|');
			for (const s of rb.steps) {
				const title = checklist.steps.find(x => x.id === s.id)?.title ?? s.id;
				line(`| ${cell(title)} | ${GLYPH[s.status]} ${s.status} | ${time(s.startedAt)} | ${time(s.endedAt)} | ${s.exitCode ?? '—'} |`);
			}
			line();
		}
	}
	if (state.rollbacks.length === 0) line();

	line('## Rollback triggers');
	line();
	if (state.triggers.length === 0) line('None.');
	else {
		line('| Time | Kind | What | Value | Acknowledged |');
		line('|---|---|---|---|---|');
		for (const t of state.triggers) line(`| ${time(t.at)} | ${t.kind} | ${cell(mask(t.message))} | ${t.value ?? '—'} | ${t.ticked ? 'yes' : ''} |`);
	}
	line();

	line('## Metrics: baseline vs end');
	line();
	const tiles = [...new Set([...Object.keys(state.baseline ?? {}), ...Object.keys(state.latest ?? {})])];
	if (tiles.length === 0) line('No metrics were recorded in this session.');
	else {
		line('| Tile | Baseline | At | End | At | Change |');
		line('|---|---|---|---|---|---|');
		for (const id of tiles) {
			const b = state.baseline?.[id];
			const e = state.latest?.[id];
			line(`| ${cell(tileTitle(checklist, id))} | ${num(b?.value)} | ${time(b?.at)} | ${num(e?.value)} | ${time(e?.at)} | ${change(b?.value, e?.value)} |`);
		}
	}
	line();

	if (state.orphans && state.orphans.length > 0) {
		line('## Steps no longer in the checklist');
		line();
		for (const o of state.orphans) line(`- \`${o.id}\` ${inline(o.title ?? '')}: ${o.record.status}${o.record.exitCode !== null && o.record.exitCode !== undefined ? `, exit ${o.record.exitCode}` : ''}`);
		line();
	}
	return mask(out.join('\n'));
}

interface Group {
	section: Section | null;
	steps: Step[];
}

function groups(checklist: Checklist): Group[] {
	const bySection = new Map<string | null, Step[]>();
	for (const step of checklist.steps) {
		const list = bySection.get(step.section) ?? [];
		list.push(step);
		bySection.set(step.section, list);
	}
	const out: Group[] = [];
	const top = bySection.get(null);
	if (top) out.push({section: null, steps: top});
	for (const section of checklist.sections) {
		const steps = bySection.get(section.id);
		if (steps) out.push({section, steps});
	}
	return out;
}

function whoRan(state: SessionState, audit: AuditEntry[] = []): string[] {
	const who = new Set<string>();
	for (const r of Object.values(state.steps)) if (r.by) who.add(r.by);
	for (const rb of state.rollbacks) who.add(rb.by);
	for (const e of audit) if (e.by && e.type !== 'session') who.add(e.by);
	return [...who];
}

function windowText(checklist: Checklist, state: SessionState, now: Date): string {
	const started = state.windowStartedAt ?? state.createdAt;
	const times: number[] = [];
	for (const r of Object.values(state.steps)) for (const t of [r.startedAt, r.endedAt]) if (t) times.push(Date.parse(t));
	for (const rb of state.rollbacks) for (const t of [rb.startedAt, rb.endedAt]) if (t) times.push(Date.parse(t));
	const last = times.filter(Number.isFinite).reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
	const startMs = Date.parse(started);
	const running = Object.values(state.steps).some(r => r.status === 'running');
	const endMs = running ? now.getTime() : Number.isFinite(last) ? last : startMs;
	const actual = Math.max(0, endMs - startMs);
	const planned = checklist.windowMinutes !== undefined ? checklist.windowMinutes * 60_000 : null;
	const plannedText = planned === null ? 'no planned window' : `planned ${duration(planned)}`;
	const over = planned !== null && actual > planned ? ` — **over by ${duration(actual - planned)}**` : planned !== null ? ` — within plan` : '';
	return `${plannedText}; actual ${duration(actual)} (from ${time(started)} to ${running ? 'now, still running' : time(new Date(endMs).toISOString())})${over}`;
}

function summary(counts: Map<StepStatus, number>): string {
	const order: StepStatus[] = ['done', 'failed', 'skipped', 'cancelled', 'interrupted', 'running', 'pending'];
	return order.filter(s => counts.get(s)).map(s => `${counts.get(s)} ${s}`).join(', ') || 'none';
}

function rollbackName(checklist: Checklist, rb: RollbackRecord): string {
	if (!rb.procedure) return 'rollback';
	const section = checklist.sections.find(s => s.id === rb.procedure);
	return section ? section.title : rb.procedure;
}

function tileTitle(checklist: Checklist, id: string): string {
	const spec = checklist.settings.tiles?.find(t => t.title === id || (t as {id?: string}).id === id);
	return spec?.title ?? id;
}

function logFile(dir: string, r: StepRecord): string {
	if (r.logPath) return isAbsolute(r.logPath) ? r.logPath : join(dir, r.logPath);
	return join(dir, 'runs', `${r.runId}.log`);
}

/** The last lines of a run's log, ANSI stripped; reads at most the last 256 KiB. */
export async function logTail(dir: string, r: StepRecord, lines: number): Promise<string | null> {
	if (!r.logPath && !r.runId) return null;
	let handle;
	try {
		handle = await open(logFile(dir, r), 'r');
	} catch {
		return null;
	}
	try {
		const {size} = await handle.stat();
		const length = Math.min(size, 256 * 1024);
		const buf = Buffer.alloc(length);
		await handle.read(buf, 0, length, size - length);
		const text = stripAnsi(buf.toString('utf8').replace(/\r\n/g, '\n')).replace(/\r(?!\n)/g, '\n');
		const all = text.split('\n');
		if (all.at(-1) === '') all.pop();
		// A cut at the start of the window may have split a line: drop it.
		if (size > length) all.shift();
		return all.slice(-lines).join('\n');
	} finally {
		await handle.close();
	}
}

export function stripAnsi(text: string): string {
	return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[@-Z\\-_]/g, '');
}

function fence(out: string[], text: string): void {
	// A fence longer than any backtick run inside, so output cannot close it.
	const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map(m => m[0].length));
	const ticks = '`'.repeat(longest + 1);
	out.push(ticks + 'text', text, ticks, '');
}

function time(iso: string | undefined): string {
	if (!iso) return '—';
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return '—';
	return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function duration(ms: number | undefined | null): string {
	if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
	if (ms < 1000) return `${Math.round(ms)} ms`;
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s}s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
	return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function exit(r: StepRecord | undefined): string {
	if (!r) return '—';
	if (r.exitCode !== null && r.exitCode !== undefined) return String(r.exitCode);
	return r.signal ? r.signal : '—';
}

function num(v: number | null | undefined): string {
	if (v === null || v === undefined || !Number.isFinite(v)) return '—';
	return Number(v.toPrecision(4)).toString();
}

function change(a: number | null | undefined, b: number | null | undefined): string {
	if (a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) return '—';
	const d = b - a;
	const sign = d > 0 ? '+' : '';
	const rel = a !== 0 ? ` (${sign}${((d / Math.abs(a)) * 100).toFixed(1)}%)` : '';
	return `${sign}${Number(d.toPrecision(4))}${rel}`;
}

function cell(text: string): string {
	return inline(text).replace(/\|/g, '\\|');
}

function inline(text: string): string {
	return text.replace(/[\r\n]+/g, ' ').trim();
}

