// A small bash lexer: enough of the grammar to know which words are command
// words, which text is quoted data, where comments and heredocs are, and in
// what order variables are read and assigned. It never executes or expands
// anything and never throws: unterminated quotes just end at the end of input.

export interface ShellWord {
	/** The word with quotes removed; expansions are kept as written (`$DIR`). */
	text: string;
	/** Offsets in the analysed source (outer source for nested code). */
	start: number;
	end: number;
	/** Some part of the word was quoted or escaped. */
	quoted: boolean;
}

export interface StdinText {
	text: string;
	start: number;
	/** Heredoc with a quoted delimiter, or a single-quoted here-string: no expansions. */
	literal: boolean;
}

export interface SimpleCommand {
	/** Words in order, assignments included, redirect targets and heredocs excluded. */
	words: ShellWord[];
	/** Heredoc bodies and here-strings fed to the command's stdin. */
	stdin: StdinText[];
	/** Targets of `< FILE` redirects (quotes removed, expansions as written). */
	inputFiles: string[];
	/** The command before it in a pipeline (`a | b`: b's pipedFrom is a). */
	pipedFrom?: SimpleCommand;
	start: number;
	end: number;
}

export interface VarEvent {
	kind: 'use' | 'assign';
	name: string;
	pos: number;
}

export interface ShellParse {
	commands: SimpleCommand[];
	vars: VarEvent[];
}

const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'esac', 'in', 'function', '[[', ']]']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?\+?=/;

/** Default-value operators: `${X:-y}` does not need X to be set. */
const DEFAULTING = /^:?[-=+]/;

interface OpenWord {
	text: string;
	start: number;
	quoted: boolean;
}

interface PendingHeredoc {
	delimiter: string;
	literal: boolean;
	command: SimpleCommand;
}

export function parseShell(source: string): ShellParse {
	const out: ShellParse = {commands: [], vars: []};
	new Lexer(source, 0, source.length, out).run(false);
	return out;
}

class Lexer {
	private i: number;
	private word: OpenWord | null = null;
	private command: SimpleCommand | null = null;
	/** Still in the assignment prefix of the current command. */
	private prefix = true;
	private redirectTarget = false;
	/** The pending redirect target is read from (`< FILE`). */
	private inputRedirect = false;
	private hereString = false;
	/** Set after `|`: the next command reads this one's output. */
	private pipeFrom: SimpleCommand | null = null;
	private heredocs: PendingHeredoc[] = [];
	private depth = 0;

	constructor(
		private readonly src: string,
		start: number,
		private readonly limit: number,
		private readonly out: ShellParse,
	) {
		this.i = start;
	}

	/** Lexes until the end, or (nested) until the `)` closing a `$(`; returns where it stopped. */
	run(nested: boolean): number {
		const s = this.src;
		while (this.i < this.limit) {
			const c = s[this.i]!;
			if (c === '\\') {
				if (s[this.i + 1] === '\n') {
					this.i += 2;
					continue;
				}
				this.ensureWord().quoted = true;
				if (this.i + 1 < this.limit) this.word!.text += s[this.i + 1];
				this.i += 2;
				continue;
			}
			if (c === "'") {
				const w = this.ensureWord();
				w.quoted = true;
				const close = s.indexOf("'", this.i + 1);
				const end = close === -1 || close >= this.limit ? this.limit : close;
				w.text += s.slice(this.i + 1, end);
				this.i = end + 1;
				continue;
			}
			if (c === '"') {
				const w = this.ensureWord();
				w.quoted = true;
				this.i = this.doubleQuoted(this.i + 1, w);
				continue;
			}
			if (c === '$') {
				const w = this.ensureWord();
				this.i = this.dollar(this.i, w);
				continue;
			}
			if (c === '`') {
				const w = this.ensureWord();
				this.i = this.backtick(this.i, w);
				continue;
			}
			if (c === '#' && !this.word) {
				const nl = s.indexOf('\n', this.i);
				this.i = nl === -1 || nl > this.limit ? this.limit : nl;
				continue;
			}
			if (c === ' ' || c === '\t' || c === '\r') {
				this.endWord();
				this.i++;
				continue;
			}
			if (c === '\n') {
				this.endWord();
				this.endCommand();
				this.i++;
				this.readHeredocs();
				continue;
			}
			if (c === '<' || c === '>') {
				this.redirect();
				continue;
			}
			if (c === '&' && s[this.i + 1] === '>') {
				this.endWord();
				this.i += s[this.i + 2] === '>' ? 3 : 2;
				this.redirectTarget = true;
				continue;
			}
			if (c === ';' || c === '&' || c === '|') {
				this.endWord();
				const before = this.command;
				this.endCommand();
				const n = s[this.i + 1];
				if (c === '|' && n !== '|' && before) this.pipeFrom = before;
				this.i += n === c || (c === '|' && n === '&') || (c === ';' && n === '&') ? 2 : 1;
				continue;
			}
			if (c === '(') {
				if (s[this.i + 1] === '(' && !this.word) {
					// (( arithmetic )): reads variables, runs nothing.
					this.endCommand();
					const end = matchDoubleParen(s, this.i + 2, this.limit);
					this.scanArithmetic(this.i + 2, end);
					this.i = Math.min(this.limit, end + 2);
					continue;
				}
				this.endWord();
				this.endCommand();
				this.depth++;
				this.i++;
				continue;
			}
			if (c === ')') {
				this.endWord();
				this.endCommand();
				if (this.depth === 0 && nested) return this.i;
				if (this.depth > 0) this.depth--;
				this.i++;
				continue;
			}
			this.ensureWord().text += c;
			this.i++;
		}
		this.endWord();
		this.endCommand();
		return this.limit;
	}

	private ensureWord(): OpenWord {
		if (!this.word) this.word = {text: '', start: this.i, quoted: false};
		return this.word;
	}

	private endWord(): void {
		const w = this.word;
		if (!w) return;
		this.word = null;
		const word: ShellWord = {text: w.text, start: w.start, end: this.i, quoted: w.quoted};
		if (this.redirectTarget) {
			this.redirectTarget = false;
			if (this.inputRedirect) this.cmd().inputFiles.push(word.text);
			this.inputRedirect = false;
			this.touch(word);
			return;
		}
		if (this.hereString) {
			this.hereString = false;
			this.touch(word);
			const raw = this.src.slice(w.start, this.i);
			this.cmd().stdin.push({text: word.text, start: w.start, literal: raw.startsWith("'")});
			return;
		}
		if (this.prefix && !w.quoted && RESERVED.has(w.text) && this.cmd().words.length === 0) return;
		const cmd = this.cmd();
		cmd.words.push(word);
		cmd.end = word.end;
		if (this.prefix) {
			const m = ASSIGNMENT.exec(this.src.slice(w.start, this.i));
			if (m) this.out.vars.push({kind: 'assign', name: m[1]!, pos: w.start});
			else this.prefix = false;
		}
	}

	private cmd(): SimpleCommand {
		if (!this.command) {
			this.command = {words: [], stdin: [], inputFiles: [], start: this.word?.start ?? this.i, end: this.i};
			if (this.pipeFrom) this.command.pipedFrom = this.pipeFrom;
			this.pipeFrom = null;
			this.prefix = true;
		}
		return this.command;
	}

	private touch(word: ShellWord): void {
		const cmd = this.cmd();
		cmd.end = Math.max(cmd.end, word.end);
	}

	private endCommand(): void {
		const cmd = this.command;
		this.command = null;
		this.prefix = true;
		this.redirectTarget = false;
		this.inputRedirect = false;
		this.hereString = false;
		if (!cmd) return;
		if (cmd.words.length === 0 && cmd.stdin.length === 0) return;
		if (cmd.words.length > 0) cmd.start = Math.min(cmd.start, cmd.words[0]!.start);
		this.out.commands.push(cmd);
		for (const name of assignedByBuiltin(cmd.words)) this.out.vars.push({kind: 'assign', name, pos: cmd.end});
	}

	private redirect(): void {
		const s = this.src;
		const c = s[this.i]!;
		if (s[this.i + 1] === '(') {
			// Process substitution <(cmd) / >(cmd): nested commands, the word is a path.
			const w = this.ensureWord();
			const end = new Lexer(s, this.i + 2, this.limit, this.out).run(true);
			w.text += '/dev/fd/63';
			this.i = Math.min(this.limit, end + 1);
			return;
		}
		// `2>file`: the digits are a file descriptor, not an argument.
		if (this.word && /^\d+$/.test(this.word.text) && !this.word.quoted) this.word = null;
		else this.endWord();
		this.cmd();
		if (c === '<' && s.startsWith('<<<', this.i)) {
			this.i += 3;
			this.cmd().end = this.i;
			this.hereString = true;
			return;
		}
		if (c === '<' && s[this.i + 1] === '<') {
			this.i += 2;
			if (s[this.i] === '-') this.i++;
			while (s[this.i] === ' ' || s[this.i] === '\t') this.i++;
			let delimiter = '';
			let literal = false;
			while (this.i < this.limit && !/[\s;&|<>()]/.test(s[this.i]!)) {
				const ch = s[this.i]!;
				if (ch === "'" || ch === '"') {
					literal = true;
					const close = s.indexOf(ch, this.i + 1);
					const end = close === -1 ? this.limit : close;
					delimiter += s.slice(this.i + 1, end);
					this.i = end + 1;
				} else if (ch === '\\') {
					literal = true;
					delimiter += s[this.i + 1] ?? '';
					this.i += 2;
				} else {
					delimiter += ch;
					this.i++;
				}
			}
			this.heredocs.push({delimiter, literal, command: this.cmd()});
			this.cmd().end = this.i;
			return;
		}
		this.i++;
		const n = s[this.i];
		if (n === '>' || n === '|' || (c === '<' && n === '>')) this.i++;
		this.inputRedirect = c === '<' && n !== '>' && n !== '&';
		if (s[this.i] === '&') {
			this.i++;
			const m = /^(\d+|-)/.exec(s.slice(this.i, this.i + 10));
			if (m) {
				this.i += m[0].length;
				this.cmd().end = this.i;
				return;
			}
		}
		this.cmd().end = this.i;
		this.redirectTarget = true;
	}

	private readHeredocs(): void {
		const s = this.src;
		while (this.heredocs.length > 0) {
			const doc = this.heredocs.shift()!;
			const bodyStart = this.i;
			let pos = this.i;
			let bodyEnd = this.limit;
			let next = this.limit;
			while (pos < this.limit) {
				const nl = s.indexOf('\n', pos);
				const lineEnd = nl === -1 || nl > this.limit ? this.limit : nl;
				if (s.slice(pos, lineEnd).trim() === doc.delimiter) {
					bodyEnd = pos;
					next = Math.min(this.limit, lineEnd + 1);
					break;
				}
				pos = lineEnd + 1;
			}
			const text = s.slice(bodyStart, Math.max(bodyStart, bodyEnd));
			doc.command.stdin.push({text, start: bodyStart, literal: doc.literal});
			if (!doc.literal) this.scanExpansions(bodyStart, bodyStart + text.length);
			this.i = next;
		}
	}

	/** Variables and command substitutions inside an unquoted heredoc body. */
	private scanExpansions(from: number, to: number): void {
		const scratch: OpenWord = {text: '', start: from, quoted: true};
		let i = from;
		while (i < to) {
			const c = this.src[i]!;
			if (c === '\\') i += 2;
			else if (c === '$') i = new Lexer(this.src, 0, to, this.out).dollarAt(i, scratch);
			else if (c === '`') i = new Lexer(this.src, 0, to, this.out).backtick(i, scratch);
			else i++;
		}
	}

	dollarAt(i: number, w: OpenWord): number {
		return this.dollar(i, w);
	}

	private doubleQuoted(from: number, w: OpenWord): number {
		const s = this.src;
		let i = from;
		while (i < this.limit) {
			const c = s[i]!;
			if (c === '"') return i + 1;
			if (c === '\\') {
				const n = s[i + 1];
				if (n === '$' || n === '`' || n === '"' || n === '\\') w.text += n;
				else if (n !== '\n') w.text += c + (n ?? '');
				i += 2;
				continue;
			}
			if (c === '$') {
				i = this.dollar(i, w);
				continue;
			}
			if (c === '`') {
				i = this.backtick(i, w);
				continue;
			}
			w.text += c;
			i++;
		}
		return this.limit;
	}

	/** `$...` at i; appends the expansion as written to the word; returns the index after it. */
	private dollar(i: number, w: OpenWord): number {
		const s = this.src;
		const n = s[i + 1];
		if (n === '(' && s[i + 2] === '(') {
			const end = matchDoubleParen(s, i + 3, this.limit);
			this.scanArithmetic(i + 3, end);
			const stop = Math.min(this.limit, end + 2);
			w.text += s.slice(i, stop);
			return stop;
		}
		if (n === '(') {
			const end = new Lexer(s, i + 2, this.limit, this.out).run(true);
			const stop = Math.min(this.limit, end + 1);
			w.text += s.slice(i, stop);
			return stop;
		}
		if (n === '{') {
			const end = matchBrace(s, i + 2, this.limit);
			const inner = s.slice(i + 2, end);
			const m = /^([#!]?)([A-Za-z_][A-Za-z0-9_]*|\d+|[@*#?$!-])/.exec(inner);
			if (m && m[1] !== '!' && /^[A-Za-z_]/.test(m[2]!)) {
				const rest = inner.slice(m[0].length).replace(/^\[[^\]]*\]/, '');
				if (m[1] === '#' || !DEFAULTING.test(rest)) this.out.vars.push({kind: 'use', name: m[2]!, pos: i});
				else if (/^:?=/.test(rest)) this.out.vars.push({kind: 'assign', name: m[2]!, pos: i});
			}
			const stop = Math.min(this.limit, end + 1);
			w.text += s.slice(i, stop);
			return stop;
		}
		const m = NAME.exec(s.slice(i + 1, Math.min(this.limit, i + 256)));
		if (m) {
			this.out.vars.push({kind: 'use', name: m[0], pos: i});
			w.text += '$' + m[0];
			return i + 1 + m[0].length;
		}
		if (n !== undefined && /[0-9@*#?$!-]/.test(n)) {
			w.text += '$' + n;
			return i + 2;
		}
		// `$'...'` ANSI-C quoting: literal text.
		if (n === "'") {
			const close = s.indexOf("'", i + 2);
			const end = close === -1 || close >= this.limit ? this.limit : close;
			w.text += s.slice(i + 2, end);
			w.quoted = true;
			return end + 1;
		}
		w.text += '$';
		return i + 1;
	}

	private backtick(i: number, w: OpenWord): number {
		const s = this.src;
		let j = i + 1;
		while (j < this.limit && s[j] !== '`') j += s[j] === '\\' ? 2 : 1;
		const end = Math.min(j, this.limit);
		new Lexer(s, i + 1, end, this.out).run(false);
		w.text += s.slice(i, Math.min(this.limit, end + 1));
		return Math.min(this.limit, end + 1);
	}

	private scanArithmetic(from: number, to: number): void {
		const re = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;
		const text = this.src.slice(from, to);
		for (let m = re.exec(text); m; m = re.exec(text)) this.out.vars.push({kind: 'use', name: m[1]!, pos: from + m.index});
	}
}

function matchBrace(s: string, from: number, limit: number): number {
	let depth = 1;
	for (let i = from; i < limit; i++) {
		const c = s[i];
		if (c === '\\') i++;
		else if (c === '{') depth++;
		else if (c === '}' && --depth === 0) return i;
	}
	return limit;
}

function matchDoubleParen(s: string, from: number, limit: number): number {
	let depth = 0;
	for (let i = from; i < limit; i++) {
		const c = s[i];
		if (c === '(') depth++;
		else if (c === ')') {
			if (depth === 0 && s[i + 1] === ')') return i;
			if (depth > 0) depth--;
		}
	}
	return limit;
}

const DECLARERS = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);

/** Names a builtin assigns: `export X`, `read -r A B`, `for X in`, `printf -v X`, `mapfile X`. */
function assignedByBuiltin(words: ShellWord[]): string[] {
	let k = 0;
	while (k < words.length && ASSIGNMENT.test(words[k]!.text)) k++;
	const name = words[k]?.text;
	const args = words.slice(k + 1).map(w => w.text);
	if (name === undefined) return [];
	if (DECLARERS.has(name)) return args.filter(a => !a.startsWith('-')).map(a => NAME.exec(a)?.[0]).filter((x): x is string => !!x);
	if (name === 'for' || name === 'select') return args[0] && NAME.test(args[0]) ? [args[0]] : [];
	if (name === 'read') {
		const names: string[] = [];
		for (let j = 0; j < args.length; j++) {
			const a = args[j]!;
			if (a === '-a') {
				if (args[j + 1]) names.push(args[j + 1]!);
				j++;
			} else if (/^-[pdntu]$/.test(a)) j++;
			else if (!a.startsWith('-') && NAME.test(a)) names.push(a);
		}
		return names.length > 0 ? names : ['REPLY'];
	}
	if (name === 'mapfile' || name === 'readarray') {
		const last = args.filter(a => !a.startsWith('-')).at(-1);
		return [last && NAME.test(last) ? last : 'MAPFILE'];
	}
	if (name === 'printf') {
		const v = args.indexOf('-v');
		return v >= 0 && args[v + 1] ? [args[v + 1]!] : [];
	}
	if (name === 'getopts') return args[1] ? [args[1]] : [];
	if (name === 'let') return args.map(a => NAME.exec(a)?.[0]).filter((x): x is string => !!x);
	return [];
}

/** The line (0-based) of an offset. */
export function lineOf(source: string, pos: number): number {
	let line = 0;
	for (let i = 0; i < pos && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
	return line;
}
