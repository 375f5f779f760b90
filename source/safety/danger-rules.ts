// Which shell commands are dangerous, judged by command word and options as
// the shell would see them (quotes removed), never by substrings of the text.
import {parseShell, type ShellWord, type SimpleCommand} from './shell-lex.js';
import {analyzeSql} from './sql-scan.js';

export interface RawFinding {
	reason: string;
	/** Offset of the command in the analysed source. */
	start: number;
	end: number;
	/** Set when the dangerous text is not the simple command itself (a SQL statement, a redis line). */
	command?: string;
}

/** Commands that run the rest of their arguments as a command; value-taking options listed. */
const WRAPPERS: Record<string, {withValue: Set<string>; positional?: number}> = {
	sudo: {withValue: new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T'])},
	doas: {withValue: new Set(['-u', '-C'])},
	env: {withValue: new Set(['-u', '-C', '-S', '--unset', '--chdir'])},
	nohup: {withValue: new Set()},
	time: {withValue: new Set(['-f', '-o'])},
	exec: {withValue: new Set(['-a'])},
	command: {withValue: new Set()},
	builtin: {withValue: new Set()},
	nice: {withValue: new Set(['-n'])},
	ionice: {withValue: new Set(['-c', '-n', '-p'])},
	stdbuf: {withValue: new Set(['-i', '-o', '-e'])},
	timeout: {withValue: new Set(['-s', '-k', '--signal', '--kill-after']), positional: 1},
	xargs: {withValue: new Set(['-I', '-n', '-P', '-L', '-d', '-E', '-s', '-a', '--max-args', '--max-procs', '--delimiter', '--arg-file'])},
	setsid: {withValue: new Set()},
	watch: {withValue: new Set(['-n', '-d', '--interval'])},
	flock: {withValue: new Set(['-w', '-E', '--timeout']), positional: 1},
	chronic: {withValue: new Set()},
	unbuffer: {withValue: new Set()},
	caffeinate: {withValue: new Set()},
};

const SQL_CLIENTS = new Set(['psql', 'mysql', 'mariadb', 'sqlite3', 'clickhouse-client', 'cockroach', 'sqlcmd', 'duckdb', 'pgcli', 'mycli']);
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'ash']);
const OUTPUT_ONLY = new Set(['echo', 'printf', ':', 'true', 'false']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

export function shellFindings(source: string): RawFinding[] {
	const findings: RawFinding[] = [];
	for (const cmd of parseShell(source).commands) {
		for (const f of commandFindings(cmd.words, cmd)) findings.push({...f, start: cmd.start, end: cmd.end});
	}
	return findings;
}

/** Words of one simple command, with command text of `cmd` for position. */
function commandFindings(all: ShellWord[], cmd: SimpleCommand): Array<{reason: string; command?: string}> {
	let words = all.map(w => w.text);
	let k = 0;
	while (k < words.length && ASSIGNMENT.test(words[k]!)) k++;
	words = words.slice(k);
	words = unwrap(words);
	const out: Array<{reason: string; command?: string}> = [];
	const stdin = cmd.stdin;
	if (words.length === 0) return out;
	const name = basename(words[0]!);
	const args = words.slice(1);
	const add = (reason: string, command?: string) => out.push(command === undefined ? {reason} : {reason, command});
	switch (name) {
		case 'rm': {
			let recursive = false;
			let force = false;
			for (const a of args) {
				if (a === '--') break;
				if (a === '--recursive') recursive = true;
				else if (a === '--force') force = true;
				else if (/^-[A-Za-z]+$/.test(a)) {
					if (/[rR]/.test(a)) recursive = true;
					if (a.includes('f')) force = true;
				}
			}
			if (recursive && force) add('rm -rf');
			break;
		}
		case 'kill': {
			// kill -0 only checks that a process exists; kill -l lists signals.
			if (args.some(a => a === '-0' || a === '-l' || a === '-L' || a === '-s0')) break;
			add('kill');
			break;
		}
		case 'pkill':
		case 'killall':
			add(name);
			break;
		case 'kubectl':
		case 'oc': {
			const sub = subcommand(args, new Set(['-n', '--namespace', '--context', '--kubeconfig', '-s', '--server', '--cluster', '--user', '--as', '--token', '-l', '--selector']));
			if (sub?.word === 'delete') add(`${name} delete`);
			if (sub?.word === 'exec') {
				const dash = args.indexOf('--');
				if (dash >= 0) out.push(...nested(args.slice(dash + 1), cmd));
			}
			break;
		}
		case 'helm': {
			const sub = subcommand(args, new Set(['-n', '--namespace', '--kube-context', '--kubeconfig']));
			if (sub?.word === 'uninstall' || sub?.word === 'delete' || sub?.word === 'del' || sub?.word === 'un') add('helm uninstall');
			break;
		}
		case 'git': {
			const sub = subcommand(args, new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace']));
			if (!sub) break;
			const rest = args.slice(sub.index + 1);
			if (sub.word === 'reset' && rest.includes('--hard')) add('git reset --hard');
			if (sub.word === 'clean' && rest.some(a => a === '--force' || /^-[a-zA-Z]*f/.test(a))) add('git clean -f');
			if (sub.word === 'push' && rest.some(a => a === '--force' || a === '-f' || a.startsWith('--force-with-lease') || /^\+/.test(a))) add('git push --force');
			break;
		}
		case 'dd':
			add('dd');
			break;
		case 'shred':
		case 'wipefs':
			add(name);
			break;
		case 'truncate':
			add('truncate (empties files)');
			break;
		case 'redis-cli':
		case 'valkey-cli':
		case 'keydb-cli': {
			for (const a of args) {
				const up = a.toUpperCase();
				if (up === 'FLUSHALL' || up === 'FLUSHDB') add(up);
				if (up === 'SHUTDOWN') add('redis SHUTDOWN');
			}
			for (const input of stdin) for (const f of redisFindings(input.text)) add(f.reason, f.command);
			break;
		}
		case 'find': {
			if (args.includes('-delete')) add('find -delete');
			for (let j = 0; j < args.length; j++) {
				if (args[j] !== '-exec' && args[j] !== '-execdir' && args[j] !== '-ok') continue;
				let end = j + 1;
				while (end < args.length && args[end] !== ';' && args[end] !== '+') end++;
				out.push(...nested(args.slice(j + 1, end), cmd));
				j = end;
			}
			break;
		}
		case 'eval':
			out.push(...reparse(args.join(' ')));
			break;
		case 'su': {
			const c = args.indexOf('-c');
			if (c >= 0 && args[c + 1] !== undefined) out.push(...reparse(args[c + 1]!));
			break;
		}
		case 'ssh': {
			const remote = sshRemote(args);
			if (remote) out.push(...reparse(remote));
			break;
		}
		default: {
			if (/^mkfs(\.|$)/.test(name)) {
				add('mkfs');
				break;
			}
			if (SHELLS.has(name)) {
				const c = args.findIndex(a => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a));
				if (c >= 0 && args[c + 1] !== undefined) out.push(...reparse(args[c + 1]!));
				else if (!args.some(a => !a.startsWith('-'))) for (const input of stdin) out.push(...reparse(input.text));
				break;
			}
			if (SQL_CLIENTS.has(name)) {
				const texts = args.map(a => a.replace(/^--?(command|execute|query|c|e)=/, ''));
				for (const input of stdin) texts.push(input.text);
				for (const text of texts) for (const f of analyzeSql(text)) add(f.reason, f.command);
				break;
			}
			// SQL pasted straight into a shell block.
			if (/^(DROP|TRUNCATE|DELETE|UPDATE|ALTER)$/i.test(name)) {
				for (const f of analyzeSql(words.join(' '))) add(f.reason);
			}
		}
	}
	return out;
}

function nested(words: string[], cmd: SimpleCommand): Array<{reason: string; command?: string}> {
	const fake: ShellWord[] = words.map(text => ({text, start: cmd.start, end: cmd.end, quoted: false}));
	return commandFindings(fake, {...cmd, stdin: []});
}

function reparse(source: string): Array<{reason: string; command?: string}> {
	return shellFindings(source).map(f => ({reason: f.reason}));
}

function unwrap(words: string[]): string[] {
	let rest = words;
	for (let guard = 0; guard < 8 && rest.length > 0; guard++) {
		const name = basename(rest[0]!);
		const spec = WRAPPERS[name];
		if (!spec) break;
		let j = 1;
		let positional = spec.positional ?? 0;
		while (j < rest.length) {
			const a = rest[j]!;
			if (a === '--') {
				j++;
				break;
			}
			if (name === 'env' && ASSIGNMENT.test(a)) {
				j++;
				continue;
			}
			if (a.startsWith('-') && a.length > 1) {
				j += spec.withValue.has(a) ? 2 : 1;
				continue;
			}
			if (positional > 0) {
				positional--;
				j++;
				continue;
			}
			break;
		}
		rest = rest.slice(j);
	}
	return rest;
}

function subcommand(args: string[], withValue: Set<string>): {word: string; index: number} | null {
	for (let j = 0; j < args.length; j++) {
		const a = args[j]!;
		if (a.startsWith('-')) {
			if (withValue.has(a)) j++;
			continue;
		}
		return {word: a, index: j};
	}
	return null;
}

const SSH_WITH_VALUE = new Set(['-i', '-p', '-o', '-l', '-F', '-J', '-L', '-R', '-D', '-b', '-c', '-E', '-e', '-m', '-O', '-Q', '-S', '-W', '-w', '-B']);

function sshRemote(args: string[]): string | null {
	let j = 0;
	while (j < args.length && args[j]!.startsWith('-')) j += SSH_WITH_VALUE.has(args[j]!) ? 2 : 1;
	const rest = args.slice(j + 1);
	return rest.length > 0 ? rest.join(' ') : null;
}

function basename(word: string): string {
	const slash = word.lastIndexOf('/');
	return slash >= 0 ? word.slice(slash + 1) : word;
}

export function isOutputOnly(word: string | undefined): boolean {
	return word !== undefined && OUTPUT_ONLY.has(basename(word));
}

/** redis blocks: one command a line; `#` lines are comments. */
export function redisFindings(source: string): Array<{reason: string; command: string; start: number}> {
	const out: Array<{reason: string; command: string; start: number}> = [];
	let offset = 0;
	for (const line of source.split('\n')) {
		const start = offset;
		offset += line.length + 1;
		const trimmed = line.trim();
		if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) continue;
		const words = trimmed.split(/\s+/);
		let k = 0;
		if (/redis-cli$|valkey-cli$/.test(words[0]!)) {
			k = 1;
			while (k < words.length && words[k]!.startsWith('-')) k += /^-[hpanu]$/.test(words[k]!) ? 2 : 1;
		}
		const verb = words[k]?.replace(/^["']|["']$/g, '').toUpperCase();
		if (verb === 'FLUSHALL' || verb === 'FLUSHDB') out.push({reason: verb, command: trimmed, start});
		else if (verb === 'SHUTDOWN') out.push({reason: 'redis SHUTDOWN', command: trimmed, start});
	}
	return out;
}
