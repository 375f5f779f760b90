// What a step would do before it does it: dangerous commands (shell-aware,
// statement-aware for SQL), unset variables and placeholders. Used by the
// store's run flow, headless `run`, dry runs and the rollback panel.
import type {Block, Step} from '../checklist/model.js';
import {normalisedCommand} from './command-words.js';
import {isSecretName} from './mask.js';
import {isOutputOnly, redisFindings, shellFindings} from './danger-rules.js';
import {lineOf, parseShell} from './shell-lex.js';
import {analyzeSql} from './sql-scan.js';

export interface DangerFinding {
	/** The exact command text (one line or statement) that is dangerous. */
	command: string;
	/** Why: 'rm -rf', 'DROP', 'DELETE without WHERE', 'marked in the checklist', ... */
	reason: string;
	line: number;
}

export interface Preflight {
	dangerous: DangerFinding[];
	/** Variables the commands read that are neither set in env nor assigned earlier in the block. */
	unsetVars: string[];
	/** `<pod>`-style placeholders still in the commands. */
	placeholders: string[];
}

/** A comment line that marks a whole block dangerous: `# deploycockpit: dangerous` (or `-- ...` in SQL). */
const MARKER = /^\s*(#|--|\/\/)\s*deploycockpit:\s*dangerous\b/im;

type Kind = 'shell' | 'sql' | 'redis' | null;

function kindOf(block: Block): Kind {
	const e = block.executor;
	if (e === 'shell' || e === 'sql' || e === 'redis') return e;
	if (e === 'promql') return null;
	const lang = block.lang;
	if (/^(sql|psql|postgres(ql)?|mysql|sqlite3?|pgsql|plpgsql)$/.test(lang)) return 'sql';
	if (/^(redis|redis-cli)$/.test(lang)) return 'redis';
	if (/^(|sh|bash|shell|zsh|console|shell-session|terminal)$/.test(lang)) return 'shell';
	return null;
}

/** First code line's number in the checklist file. */
function firstLine(block: Block): number {
	return block.inline ? block.line : block.line + 1;
}

/** Where the analysed code will run: files it feeds to psql, redis-cli or a shell are read from there. */
export interface AnalysisOptions {
	cwd?: string;
}

export function dangerousIn(block: Block, extraPatterns: string[] = [], options: AnalysisOptions = {}): DangerFinding[] {
	return dangerousInCode(block.code, kindOf(block), firstLine(block), extraPatterns, options);
}

/** The same checks for code that is not (yet) a Block: a filled-in command, a rollback runbook line. */
export function dangerousInCode(code: string, kind: Kind, baseLine = 1, extraPatterns: string[] = [], options: AnalysisOptions = {}): DangerFinding[] {
	if (kind === null) return [];
	try {
		return analyseCode(code, kind, baseLine, extraPatterns, options.cwd ?? process.cwd());
	} catch {
		// Nesting too deep for the analyser: never guess "safe", ask instead.
		return [{command: code.trim().slice(0, 2000), reason: 'too complex to analyse — check it by eye', line: baseLine}];
	}
}

function analyseCode(code: string, kind: Exclude<Kind, null>, baseLine: number, extraPatterns: string[], cwd: string): DangerFinding[] {
	const findings: DangerFinding[] = [];
	const at = (pos: number) => baseLine + lineOf(code, pos);
	const add = (command: string, reason: string, line: number) => {
		const text = command.trim();
		if (!findings.some(f => f.command === text && f.reason === reason)) findings.push({command: text, reason, line});
	};
	const patterns = compile(extraPatterns);
	if (kind === 'shell') {
		for (const f of shellFindings(code, cwd)) add(f.command ?? code.slice(f.start, f.end), f.reason, at(f.start));
		if (patterns.length > 0) {
			for (const cmd of parseShell(code).commands) {
				const first = cmd.words.find(w => !/^[A-Za-z_]\w*=/.test(w.text));
				if (isOutputOnly(first?.text)) continue;
				const text = code.slice(cmd.start, cmd.end);
				// As written, and as the guard reads it: quotes removed, wrappers dropped, options moved aside.
				const words = cmd.words.map(w => w.text);
				const forms = [text, words.join(' '), normalisedCommand(words)];
				const hit = patterns.find(p => forms.some(f => p.test(f)));
				if (hit) add(text, `marked in the checklist (${hit.source})`, at(cmd.start));
			}
		}
	} else if (kind === 'sql') {
		for (const f of analyzeSql(code)) add(f.command, f.reason, at(f.start));
		for (const p of patterns) {
			for (const line of statementsOrLines(code)) if (p.test(line.text)) add(line.text, `marked in the checklist (${p.source})`, at(line.start));
		}
	} else {
		for (const f of redisFindings(code)) add(f.command, f.reason, at(f.start));
		for (const p of patterns) {
			for (const line of statementsOrLines(code)) if (p.test(line.text)) add(line.text, `marked in the checklist (${p.source})`, at(line.start));
		}
	}
	const marker = MARKER.exec(code);
	if (marker) {
		const body = code
			.split('\n')
			.filter(l => !MARKER.test(l))
			.join('\n')
			.trim();
		if (body) add(body, 'marked in the checklist', at(marker.index));
	}
	return findings;
}

function statementsOrLines(code: string): Array<{text: string; start: number}> {
	const out: Array<{text: string; start: number}> = [];
	let offset = 0;
	for (const line of code.split('\n')) {
		const t = line.trim();
		if (t && !t.startsWith('--') && !t.startsWith('#')) out.push({text: t, start: offset});
		offset += line.length + 1;
	}
	return out;
}

const compiled = new Map<string, RegExp | null>();

/** Checklist patterns are regex sources; an invalid one matches its text literally. */
function compile(patterns: string[]): RegExp[] {
	const out: RegExp[] = [];
	for (const p of patterns) {
		if (typeof p !== 'string' || p === '') continue;
		let re = compiled.get(p);
		if (re === undefined) {
			try {
				re = new RegExp(p, 'i');
			} catch {
				re = new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
			}
			compiled.set(p, re);
		}
		if (re) out.push(re);
	}
	return out;
}

/** Set by the shell itself or by any login environment: never reported as unset. */
const SHELL_VARS = new Set(
	(
		'HOME PATH USER LOGNAME PWD OLDPWD SHELL HOSTNAME HOSTTYPE OSTYPE MACHTYPE UID EUID PPID RANDOM SRANDOM LINENO ' +
		'SECONDS EPOCHSECONDS EPOCHREALTIME BASH BASHPID BASHOPTS BASH_VERSION BASH_VERSINFO BASH_SOURCE BASH_REMATCH ' +
		'BASH_LINENO BASH_ARGV BASH_ARGC BASH_COMMAND BASH_SUBSHELL FUNCNAME PIPESTATUS IFS PS1 PS2 PS3 PS4 REPLY OPTARG ' +
		'OPTIND OPTERR TERM LANG LC_ALL LC_CTYPE COLUMNS LINES TMPDIR GROUPS SHLVL HISTFILE MAIL DIRSTACK MAPFILE SHELLOPTS'
	).split(' '),
);

/** Variables a shell script reads before anything in it (or env) sets them, in first-use order. */
export function unsetVarsIn(code: string, env: Record<string, string | undefined>, alreadySet: Set<string> = new Set()): string[] {
	const set = alreadySet;
	const unset: string[] = [];
	let parsed;
	try {
		parsed = parseShell(code);
	} catch {
		return [];
	}
	if (set.has(OPAQUE)) return [];
	// After `source env.sh`, `. ./vars`, `eval ...` or `export $(cat .env)` any
	// variable may be set: only what is read before that is reported.
	const opaqueAt = Math.min(...parsed.commands.filter(isOpaque).map(c => c.end), Number.POSITIVE_INFINITY);
	// Lexing order is evaluation order: `X=$X:y` reads X before it assigns it.
	for (const e of parsed.vars) {
		if (e.pos >= opaqueAt) break;
		if (e.kind === 'assign') set.add(e.name);
		else if (!set.has(e.name) && env[e.name] === undefined && !SHELL_VARS.has(e.name) && !unset.includes(e.name)) unset.push(e.name);
	}
	if (opaqueAt !== Number.POSITIVE_INFINITY) set.add(OPAQUE);
	return unset;
}

/** Marks, in a set of assigned names, that a script set variables no one can list. */
const OPAQUE = '*';

function isOpaque(cmd: {words: Array<{text: string}>}): boolean {
	const words = cmd.words.map(w => w.text);
	const at = words.findIndex(w => !/^[A-Za-z_]\w*=/.test(w));
	const first = words[at];
	if (first === 'source' || first === '.' || first === 'eval') return true;
	// `export $(grep -v '^#' .env | xargs)`: names decided at run time.
	if (first === 'export' || first === 'declare' || first === 'typeset') return words.slice(at + 1).some(w => /^(\$\(|`)/.test(w));
	return false;
}

const PLACEHOLDER = /<([A-Za-z_][\w-]*)>/g;

/** `<pod>`-style placeholders in code, outside comments; not heredoc markers (`<<EOF`). */
export function placeholdersIn(code: string): string[] {
	const out: string[] = [];
	for (const line of code.split('\n')) {
		if (/^\s*(#|--)/.test(line)) continue;
		for (const m of line.matchAll(PLACEHOLDER)) {
			if (m.index > 0 && line[m.index - 1] === '<') continue;
			if (!out.includes(m[1]!)) out.push(m[1]!);
		}
	}
	return out;
}

export function preflight(step: Step, env: Record<string, string | undefined>, extraPatterns: string[] = [], options: AnalysisOptions = {}): Preflight {
	const runnable = step.blocks.filter(b => b.executor !== null);
	const dangerous = runnable.flatMap(block => dangerousIn(block, extraPatterns, options));
	// Blocks of a step run in one shell state: what block 1 assigns, block 2 may read.
	const assigned = new Set<string>();
	const unsetVars: string[] = [];
	const placeholders: string[] = [];
	for (const block of runnable) {
		if (kindOf(block) === 'shell') for (const name of unsetVarsIn(block.code, env, assigned)) if (!unsetVars.includes(name)) unsetVars.push(name);
		for (const p of placeholdersIn(block.code)) if (!placeholders.includes(p)) placeholders.push(p);
	}
	for (const p of step.placeholders) if (!placeholders.includes(p) && runnable.some(b => b.code.includes(`<${p}>`))) placeholders.push(p);
	return {dangerous, unsetVars, placeholders};
}

/** Replaces `<name>` placeholders with the given values. */
export function fillPlaceholders(code: string, values: Record<string, string>): string {
	return code.replace(/<([A-Za-z_][\w-]*)>/g, (whole, name: string) => values[name] ?? whole);
}

/** The step with placeholders filled in every block (what will actually run). */
export function fillStep(step: Step, values: Record<string, string>): Step {
	const blocks = step.blocks.map(b => ({...b, code: fillPlaceholders(b.code, values)}));
	return {...step, blocks, placeholders: step.placeholders.filter(p => values[p] === undefined)};
}

/**
 * For dry runs and previews: `$X` / `${X}` replaced by known values, outside
 * single quotes. Secret-named variables stay as written, never their values.
 */
export function expandKnown(code: string, env: Record<string, string | undefined>): string {
	let out = '';
	let inSingle = false;
	let inDouble = false;
	for (let i = 0; i < code.length; i++) {
		const c = code[i]!;
		if (c === '\\' && !inSingle) {
			out += c + (code[i + 1] ?? '');
			i++;
			continue;
		}
		if (c === "'" && !inDouble) inSingle = !inSingle;
		else if (c === '"' && !inSingle) inDouble = !inDouble;
		else if (c === '#' && !inSingle && !inDouble && (i === 0 || /\s/.test(code[i - 1]!))) {
			const nl = code.indexOf('\n', i);
			const end = nl === -1 ? code.length : nl;
			out += code.slice(i, end);
			i = end - 1;
			continue;
		} else if (c === '$' && !inSingle) {
			const m = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/.exec(code.slice(i, i + 260));
			const name = m?.[1] ?? m?.[2];
			const value = name === undefined ? undefined : env[name];
			if (m && name !== undefined && value !== undefined && !isSecretName(name)) {
				out += value;
				i += m[0].length - 1;
				continue;
			}
		}
		out += c;
	}
	return out;
}

/** One line for confirmations: `rm -rf "$DIR"  (rm -rf, line 12)`. */
export function describeFinding(f: DangerFinding): string {
	return `${f.command}  (${f.reason}, line ${f.line})`;
}

/** Variables a shell script assigns or exports anywhere in it (what later steps of a session will see). */
export function assignedIn(code: string): string[] {
	const names: string[] = [];
	let events;
	try {
		events = parseShell(code).vars;
	} catch {
		return names;
	}
	for (const e of events) if (e.kind === 'assign' && !names.includes(e.name)) names.push(e.name);
	return names;
}
