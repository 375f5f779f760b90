// Which shell commands are dangerous, judged by command word and options as
// the shell would see them (quotes removed), never by substrings of the text.
// Text fed to a client (psql, redis-cli, a shell) through a heredoc, a pipe
// or a file is analysed as what that client runs; input that cannot be seen
// (a script piped from curl into bash, a file that is not there yet) is asked
// about, because it is not provably harmless.
import {basename, LIST_RUNNERS, subcommand, unwrap, withoutAssignments} from './command-words.js';
import {inputsOf, readInput, type Input} from './input-sources.js';
import {luaDanger, redisArgsDanger, redisCliCommand, redisFindings} from './redis-rules.js';
import {parseShell, type SimpleCommand} from './shell-lex.js';
import {analyzeSql} from './sql-scan.js';
import {homedir} from 'node:os';
import {resolve} from 'node:path';

export {redisFindings};

export interface RawFinding {
	reason: string;
	/** Offset of the command in the analysed source. */
	start: number;
	end: number;
	/** Set when the dangerous text is not the simple command itself (a SQL statement, a redis line). */
	command?: string;
}

interface Context {
	/** Directory the command runs in: files it reads are read from here. */
	cwd: string;
	/** Nesting of code inside code (`bash -c`, files, `ssh`): bounded. */
	depth: number;
	/** Set for commands that run once per item of a list (find -exec, xargs, parallel). */
	bulk?: string;
}

type Finding = {reason: string; command?: string};

const MAX_DEPTH = 12;
const SQL_CLIENTS = new Set(['psql', 'mysql', 'mariadb', 'sqlite3', 'clickhouse-client', 'cockroach', 'sqlcmd', 'duckdb', 'pgcli', 'mycli']);
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'ash', 'fish', 'busybox-sh']);
/** Interpreters whose code read from stdin the guard cannot analyse at all. */
const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'php', 'lua', 'Rscript']);
const OUTPUT_ONLY = new Set(['echo', 'printf', ':', 'true', 'false']);
const UNKNOWN = '— check it by eye';

export function shellFindings(source: string, cwd: string = process.cwd(), depth = 0): RawFinding[] {
	if (depth > MAX_DEPTH) throw new Error('code nested too deeply to analyse');
	const findings: RawFinding[] = [];
	let dir = cwd;
	for (const cmd of parseShell(source).commands) {
		const words = cmd.words.map(w => w.text);
		for (const f of commandFindings(words, cmd, {cwd: dir, depth})) findings.push({...f, start: cmd.start, end: cmd.end});
		dir = afterCd(words, dir);
	}
	return findings;
}

/** `cd DIR` with a literal directory moves where later commands read their files. */
function afterCd(words: string[], cwd: string): string {
	const inner = withoutAssignments(words);
	if (inner[0] !== 'cd') return cwd;
	const target = inner.slice(1).find(a => !a.startsWith('-'));
	if (target === undefined) return homedir();
	if (/[$`*?]/.test(target)) return cwd;
	return resolve(cwd, target === '~' || target.startsWith('~/') ? homedir() + target.slice(1) : target);
}

function commandFindings(all: string[], cmd: SimpleCommand, ctx: Context): Finding[] {
	const {words, wrappers} = unwrap(withoutAssignments(all));
	const out: Finding[] = [];
	const add = (reason: string, command?: string) => out.push(command === undefined ? {reason} : {reason, command});
	const viaList = wrappers.find(w => LIST_RUNNERS.has(w));
	const bulk = ctx.bulk ?? (viaList ? `${viaList}` : undefined);
	// Under xargs/parallel the pipe feeds the list, not the command's stdin.
	const inputs = (): Input[] => (viaList ? [] : inputsOf(cmd, ctx.cwd));
	if (words.length === 0) {
		// `… | parallel` with no command runs each input line as a command.
		if (wrappers.includes('parallel')) out.push(...scriptInputs('parallel', inputsOf(cmd, ctx.cwd), ctx));
		return out;
	}
	const name = basename(words[0]!);
	const args = words.slice(1);
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
			else if (bulk) add(`rm of every file ${bulk} lists`);
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
		case 'dd':
		case 'shred':
		case 'wipefs':
		case 'dropdb':
			add(name);
			break;
		case 'truncate':
			add('truncate (empties files)');
			break;
		case 'kubectl':
		case 'oc': {
			const sub = subcommand(args, new Set(['-n', '--namespace', '--context', '--kubeconfig', '-s', '--server', '--cluster', '--user', '--as', '--token', '-l', '--selector']));
			if (sub?.word === 'delete') {
				const rest = args.slice(sub.index + 1);
				if (rest.some(a => a === '--all' || a === '-A' || a === '--all-namespaces')) add(`${name} delete --all`);
				else if (rest.some(a => a === '-l' || a.startsWith('--selector') || /^-l./.test(a))) add(`${name} delete -l (every match)`);
				else add(`${name} delete`);
			}
			if (sub?.word === 'exec') {
				const dash = args.indexOf('--');
				if (dash >= 0) out.push(...nested(args.slice(dash + 1), ctx));
			}
			break;
		}
		case 'helm': {
			const sub = subcommand(args, new Set(['-n', '--namespace', '--kube-context', '--kubeconfig']));
			if (sub?.word === 'uninstall' || sub?.word === 'delete' || sub?.word === 'del' || sub?.word === 'un') add('helm uninstall');
			break;
		}
		case 'git':
			gitFindings(args, add);
			break;
		case 'terraform':
		case 'tofu':
		case 'terragrunt': {
			// Global options (`-chdir=infra`) are one word each.
			const sub = subcommand(args, new Set());
			const rest = sub ? args.slice(sub.index + 1) : [];
			if (sub?.word === 'destroy') add(`${name} destroy`);
			if ((sub?.word === 'apply' || sub?.word === 'run-all') && rest.some(a => a === '-destroy' || a === '--destroy' || a === 'destroy')) add(`${name} apply -destroy`);
			if (sub?.word === 'state' && rest.find(a => !a.startsWith('-')) === 'rm') add(`${name} state rm`);
			if (sub?.word === 'workspace' && rest.find(a => !a.startsWith('-')) === 'delete') add(`${name} workspace delete`);
			break;
		}
		case 'docker':
		case 'podman': {
			const sub = subcommand(args, new Set(['-H', '--host', '-c', '--context', '--config', '-l', '--log-level']));
			if (!sub) break;
			const rest = args.slice(sub.index + 1);
			const verb = rest.find(a => !a.startsWith('-'));
			if (sub.word === 'system' && verb === 'prune') add(`${name} system prune`);
			if (sub.word === 'volume' && (verb === 'prune' || verb === 'rm')) add(`${name} volume ${verb}`);
			if (sub.word === 'compose' && verb === 'down' && rest.some(a => a === '-v' || a === '--volumes')) add(`${name} compose down -v`);
			break;
		}
		case 'docker-compose':
			if (args.includes('down') && args.some(a => a === '-v' || a === '--volumes')) add('docker-compose down -v');
			break;
		case 'aws': {
			const s3 = args.indexOf('s3');
			if (s3 < 0) break;
			const verb = args.slice(s3 + 1).find(a => !a.startsWith('-'));
			if (verb === 'rm' && args.includes('--recursive')) add('aws s3 rm --recursive');
			if (verb === 'rb' && args.includes('--force')) add('aws s3 rb --force');
			if (verb === 'sync' && args.includes('--delete')) add('aws s3 sync --delete');
			break;
		}
		case 'gsutil':
		case 'gcloud':
			if (args.includes('rm') && args.some(a => /^-[a-zA-Z]*[rR]/.test(a) || a === '--recursive')) add(`${name} rm -r`);
			break;
		case 'rsync':
			if (args.some(a => a.startsWith('--delete') || a === '--remove-source-files')) add('rsync --delete');
			break;
		case 'pg_restore':
			if (args.some(a => a === '--clean' || shortFlag(a, 'c', 'dfFIjLnNPStTUhpW'))) add('pg_restore --clean');
			break;
		case 'mysqladmin':
			if (args.some(a => a.toLowerCase() === 'drop')) add('mysqladmin drop');
			break;
		case 'redis-cli':
		case 'valkey-cli':
		case 'keydb-cli':
			out.push(...redisCliFindings(args, inputs(), ctx, viaList));
			break;
		case 'find': {
			if (args.includes('-delete')) add('find -delete');
			for (let j = 0; j < args.length; j++) {
				if (args[j] !== '-exec' && args[j] !== '-execdir' && args[j] !== '-ok' && args[j] !== '-okdir') continue;
				let end = j + 1;
				while (end < args.length && args[end] !== ';' && args[end] !== '+') end++;
				out.push(...nested(args.slice(j + 1, end), {...ctx, bulk: 'find'}));
				j = end;
			}
			break;
		}
		case 'eval':
			out.push(...reparse(args.join(' '), ctx));
			break;
		case 'su': {
			const c = args.indexOf('-c');
			if (c >= 0 && args[c + 1] !== undefined) out.push(...reparse(args[c + 1]!, ctx));
			break;
		}
		case 'ssh': {
			const remote = sshRemote(args);
			if (remote) out.push(...reparse(remote, ctx));
			break;
		}
		case 'source':
		case '.':
			out.push(...scriptFile(args[0], name, ctx));
			break;
		default: {
			if (/^mkfs(\.|$)/.test(name)) {
				add('mkfs');
				break;
			}
			if (SHELLS.has(name)) {
				out.push(...shellRun(name, args, inputs(), ctx));
				break;
			}
			if (INTERPRETERS.has(name) || /^python3\.\d+$/.test(name)) {
				const script = args.some(a => /^-[a-zA-Z]*[cemp]$/.test(a) || (!a.startsWith('-') && a !== '-'));
				if (!script && inputs().length > 0) add(`a script piped into ${name} cannot be analysed ${UNKNOWN}`);
				break;
			}
			if (SQL_CLIENTS.has(name)) {
				out.push(...sqlClientFindings(name, args, inputs(), ctx));
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

function gitFindings(args: string[], add: (reason: string) => void): void {
	const sub = subcommand(args, new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace']));
	if (!sub) return;
	const rest = args.slice(sub.index + 1);
	if (sub.word === 'reset' && rest.includes('--hard')) add('git reset --hard');
	if (sub.word === 'clean' && rest.some(a => a === '--force' || /^-[a-zA-Z]*f/.test(a))) add('git clean -f');
	if (sub.word === 'push') {
		if (rest.some(a => a === '--force' || a === '-f' || a.startsWith('--force-with-lease') || /^\+/.test(a))) add('git push --force');
		if (rest.some(a => a === '--delete' || a === '-d' || a === '--prune' || a === '--mirror') || rest.some(a => /^:./.test(a))) add('git push --delete');
	}
	if (sub.word === 'branch' && rest.some(a => a === '-D' || (a === '--delete' && rest.includes('--force')))) add('git branch -D');
}

/** `-c` among bundled short options (`-Cc`, `-c`), stopping at an option that takes the rest as its value. */
function shortFlag(arg: string, flag: string, withValue: string): boolean {
	if (!/^-[A-Za-z]/.test(arg) || arg.startsWith('--')) return false;
	for (const ch of arg.slice(1)) {
		if (ch === flag) return true;
		if (withValue.includes(ch)) return false;
	}
	return false;
}

function redisCliFindings(args: string[], inputs: Input[], ctx: Context, viaList: string | undefined): Finding[] {
	const out: Finding[] = [];
	const words = redisCliCommand(args);
	const reason = redisArgsDanger(words);
	if (reason) out.push({reason});
	const verb = (words[0] ?? '').toUpperCase();
	if (viaList && (verb === 'DEL' || verb === 'UNLINK')) out.push({reason: `${verb} of every key ${viaList} lists`});
	const evalAt = args.indexOf('--eval');
	if (evalAt >= 0 && args[evalAt + 1] !== undefined) {
		const file = readInput(args[evalAt + 1]!, ctx.cwd);
		if (file.kind === 'file') {
			const why = luaDanger(file.text);
			if (why) out.push({reason: why});
		} else out.push({reason: `the Lua script ${file.name} cannot be analysed: ${file.why} ${UNKNOWN}`});
	}
	for (const input of inputs) {
		if (input.kind === 'text') for (const f of redisFindings(input.text)) out.push({reason: f.reason, command: f.command});
		else if (input.kind === 'file') for (const f of redisFindings(input.text)) out.push({reason: f.reason, command: `${f.command}  (in ${input.name})`});
		else if (input.kind === 'unreadable') out.push({reason: `redis commands from ${input.name} cannot be analysed: ${input.why} ${UNKNOWN}`});
	}
	return out;
}

/** psql `-f FILE`, `-fFILE`, `--file=FILE`, `--file FILE`. */
function sqlFiles(name: string, args: string[]): string[] {
	if (name !== 'psql' && name !== 'pgcli' && name !== 'cockroach') return [];
	const files: string[] = [];
	for (let j = 0; j < args.length; j++) {
		const a = args[j]!;
		if ((a === '-f' || a === '--file') && args[j + 1] !== undefined) files.push(args[++j]!);
		else if (a.startsWith('--file=')) files.push(a.slice(7));
		else if (/^-f./.test(a)) files.push(a.slice(2));
	}
	return files;
}

function sqlClientFindings(name: string, args: string[], inputs: Input[], ctx: Context): Finding[] {
	const out: Finding[] = [];
	const files = sqlFiles(name, args);
	const texts = args.filter(a => !files.includes(a) && !files.includes(a.replace(/^(--file=|-f)/, ''))).map(a => a.replace(/^--?(command|execute|query|c|e)=/, ''));
	for (const text of texts) for (const f of analyzeSql(text)) out.push({reason: f.reason, command: f.command});
	const all: Input[] = [...files.filter(f => f !== '-').map(f => readInput(f, ctx.cwd)), ...inputs];
	for (const input of all) {
		if (input.kind === 'text') for (const f of analyzeSql(input.text)) out.push({reason: f.reason, command: f.command});
		else if (input.kind === 'file') for (const f of analyzeSql(input.text)) out.push({reason: f.reason, command: `${f.command}  (in ${input.name})`});
		else if (input.kind === 'unreadable') out.push({reason: `SQL from ${input.name} cannot be analysed: ${input.why} ${UNKNOWN}`});
	}
	return out;
}

/** Options of shells that take a value (`bash -o pipefail script.sh`). */
const SHELL_WITH_VALUE = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']);

function shellRun(name: string, args: string[], inputs: Input[], ctx: Context): Finding[] {
	const c = args.findIndex(a => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a));
	if (c >= 0) return args[c + 1] !== undefined ? reparse(args[c + 1]!, ctx) : [];
	let script: string | undefined;
	let fromStdin = false;
	for (let j = 0; j < args.length; j++) {
		const a = args[j]!;
		if (a === '-s' || a === '-') {
			fromStdin = true;
			break;
		}
		if (a === '--') {
			script = args[j + 1];
			break;
		}
		if (SHELL_WITH_VALUE.has(a)) {
			j++;
			continue;
		}
		if (!a.startsWith('-') && !a.startsWith('+')) {
			script = a;
			break;
		}
	}
	if (script !== undefined && !fromStdin) return scriptFile(script, name, ctx);
	return scriptInputs(name, inputs, ctx);
}

/** Code a shell (or `parallel`) reads from its stdin. */
function scriptInputs(name: string, inputs: Input[], ctx: Context): Finding[] {
	const out: Finding[] = [];
	for (const input of inputs) {
		if (input.kind === 'text') out.push(...reparse(input.text, ctx));
		else if (input.kind === 'file') out.push(...reparse(input.text, ctx).map(f => ({reason: `${f.reason} (in ${input.name})`})));
		else if (input.kind === 'unreadable') out.push({reason: `the script ${input.name} fed to ${name} cannot be analysed: ${input.why} ${UNKNOWN}`});
		else out.push({reason: `a script piped into ${name} from ${input.what} cannot be analysed ${UNKNOWN}`});
	}
	return out;
}

/** A script run or sourced by path: analysed when it can be read now; a process substitution is asked about. */
function scriptFile(path: string | undefined, name: string, ctx: Context): Finding[] {
	if (path === undefined) return [];
	if (path.startsWith('/dev/fd/') || path === '/dev/stdin') return [{reason: `a script ${name} reads from a process substitution or stdin cannot be analysed ${UNKNOWN}`}];
	const file = readInput(path, ctx.cwd);
	// A script that is not there yet is not analysed (documented): asking for every `./deploy.sh` would teach `--yes`.
	if (file.kind !== 'file') return [];
	return reparse(file.text, ctx).map(f => ({reason: `${f.reason} (in ${path})`}));
}

function nested(words: string[], ctx: Context): Finding[] {
	const fake: SimpleCommand = {words: words.map(text => ({text, start: 0, end: 0, quoted: false})), stdin: [], inputFiles: [], start: 0, end: 0};
	return commandFindings(words, fake, ctx);
}

function reparse(source: string, ctx: Context): Finding[] {
	return shellFindings(source, ctx.cwd, ctx.depth + 1).map(f => ({reason: f.reason}));
}

const SSH_WITH_VALUE = new Set(['-i', '-p', '-o', '-l', '-F', '-J', '-L', '-R', '-D', '-b', '-c', '-E', '-e', '-m', '-O', '-Q', '-S', '-W', '-w', '-B']);

function sshRemote(args: string[]): string | null {
	let j = 0;
	while (j < args.length && args[j]!.startsWith('-')) j += SSH_WITH_VALUE.has(args[j]!) ? 2 : 1;
	const rest = args.slice(j + 1);
	return rest.length > 0 ? rest.join(' ') : null;
}

export function isOutputOnly(word: string | undefined): boolean {
	return word !== undefined && OUTPUT_ONLY.has(basename(word));
}
