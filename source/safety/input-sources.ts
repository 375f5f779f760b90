// What a command reads on its standard input, as far as the block shows it:
// a heredoc or here-string, a `< FILE` redirect, or the output of the command
// before it in a pipeline when that output is visible (`echo`/`printf` text,
// `cat FILE`, filters that only pass lines through). Files are read at
// analysis time, relative to the directory the step runs in. Anything else is
// opaque: the caller decides whether an opaque input can be trusted.
import {readFileSync, statSync} from 'node:fs';
import {homedir} from 'node:os';
import {isAbsolute, resolve} from 'node:path';
import {basename, unwrap, withoutAssignments} from './command-words.js';
import type {SimpleCommand} from './shell-lex.js';

export type Input =
	| {kind: 'text'; text: string}
	| {kind: 'file'; name: string; text: string}
	| {kind: 'unreadable'; name: string; why: string}
	| {kind: 'opaque'; what: string};

/** Files larger than this are not read: they are asked about instead. */
export const MAX_READ = 16 * 1024 * 1024;

/** Reads a file a command would read; `why` when that cannot be done now. */
export function readInput(word: string, cwd: string): {kind: 'file'; name: string; text: string} | {kind: 'unreadable'; name: string; why: string} {
	if (/[$`*?[]/.test(word)) return {kind: 'unreadable', name: word, why: 'its name is only known at run time'};
	const expanded = word === '~' || word.startsWith('~/') ? homedir() + word.slice(1) : word;
	const path = isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
	try {
		const stat = statSync(path);
		if (!stat.isFile()) return {kind: 'unreadable', name: word, why: 'it is not a regular file'};
		if (stat.size > MAX_READ) return {kind: 'unreadable', name: word, why: 'it is too large to analyse'};
		return {kind: 'file', name: word, text: readFileSync(path, 'utf8')};
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		return {kind: 'unreadable', name: word, why: code === 'ENOENT' ? 'it does not exist (yet)' : `it cannot be read (${code ?? 'error'})`};
	}
}

/** Filters whose output is a part of their input: analysing the whole input is on the safe side. */
const PASS_THROUGH = new Set(['cat', 'tee', 'grep', 'egrep', 'fgrep', 'head', 'tail', 'sort', 'uniq', 'cut', 'less', 'more', 'pv', 'buffer', 'dd-progress']);

/** Everything `cmd` reads on stdin that the block shows. */
export function inputsOf(cmd: SimpleCommand, cwd: string, depth = 0): Input[] {
	const inputs: Input[] = [];
	for (const s of cmd.stdin) inputs.push({kind: 'text', text: s.text});
	for (const f of cmd.inputFiles) inputs.push(readInput(f, cwd));
	if (cmd.pipedFrom) inputs.push(...outputOf(cmd.pipedFrom, cwd, depth + 1));
	return inputs;
}

/** What a pipeline's earlier command writes, when the block shows it. */
function outputOf(cmd: SimpleCommand, cwd: string, depth: number): Input[] {
	if (depth > 16) return [{kind: 'opaque', what: 'a long pipeline'}];
	const {words} = unwrap(withoutAssignments(cmd.words.map(w => w.text)));
	if (words.length === 0) return [{kind: 'opaque', what: 'a command'}];
	const name = basename(words[0]!);
	const args = words.slice(1);
	if (name === 'echo') {
		let k = 0;
		while (k < args.length && /^-[neE]+$/.test(args[k]!)) k++;
		return [{kind: 'text', text: unescape(args.slice(k).join(' '))}];
	}
	if (name === 'printf') {
		const rest = args[0] === '-v' ? args.slice(2) : args;
		return [{kind: 'text', text: unescape(rest.join(' '))}];
	}
	if (PASS_THROUGH.has(name)) {
		// grep's pattern and head's counts are not input: only `cat`'s and `tee`'s words can be files read.
		const files = name === 'cat' ? args.filter(a => !a.startsWith('-') || a === '-') : [];
		const out: Input[] = files.filter(f => f !== '-').map(f => readInput(f, cwd));
		if (files.length === 0 || files.includes('-') || name !== 'cat') out.push(...inputsOf(cmd, cwd, depth));
		if (name !== 'cat' && name !== 'tee' && cmd.stdin.length === 0 && cmd.inputFiles.length === 0 && !cmd.pipedFrom) {
			// `grep x FILE | psql`: the file is somewhere in the arguments.
			return [{kind: 'opaque', what: name}];
		}
		return out.length > 0 ? out : [{kind: 'opaque', what: name}];
	}
	return [{kind: 'opaque', what: name}];
}

/** `\n`, `\t` as echo -e / printf would write them (close enough for analysis). */
function unescape(text: string): string {
	return text.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
}
