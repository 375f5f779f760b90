// How shell state carries between blocks like in one terminal. Each run is
// a fresh bash that starts from the carried variables and cwd; a wrapper
// dumps the variables (names, attributes, values) on a private descriptor
// at the start and on exit, and the difference is what the block changed.
// Arrays, functions, aliases and shell options are not carried.

/** Descriptor the wrapper writes its dumps to (moved off 3 so block code may use 3). */
const CHANNEL_FD = 197;

// ${!A@} lists the names starting with A without forking (compgen would fork).
const PREFIXES = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_'].map(c => '${!' + c + '@}').join(' ');

/** Bash's own variables that change on their own or describe the shell, never carried. */
const VOLATILE = new Set([
	'PWD', 'OLDPWD', 'SHLVL', '_', 'RANDOM', 'SRANDOM', 'SECONDS', 'LINENO', 'EPOCHREALTIME', 'EPOCHSECONDS',
	'HISTCMD', 'COLUMNS', 'LINES', 'OPTIND', 'OPTERR', 'OPTARG', 'PPID', 'UID', 'EUID', 'IFS', 'PS1', 'PS2', 'PS4',
	'HOSTNAME', 'HOSTTYPE', 'MACHTYPE', 'OSTYPE', 'SHELLOPTS', 'BASHOPTS', 'MAILCHECK', 'COMP_WORDBREAKS', 'REPLY',
	'HISTFILE', 'HISTFILESIZE', 'HISTSIZE', 'TERM', 'SHELL',
]);

export function isCarryable(name: string): boolean {
	return !VOLATILE.has(name) && !name.startsWith('BASH') && !name.startsWith('__dc_') && !name.startsWith('__DC_');
}

/**
 * What runs before the blocks (eval'd from $__DC_SETUP): the dump channel
 * (fd 3, or on a PTY the named pipe in $__DC_CHAN, see dump-fifo.ts),
 * COLUMNS/LINES kept as shell variables but not exported on a PTY (exported,
 * they would override the terminal's size in tput and curses after a resize),
 * the blocks moved out of the environment, the carried prelude, the start
 * dump and the traps. With errexit, `set -eE -o pipefail` and an ERR trap
 * that remembers the failing command and its line (for a command in a
 * sourced file: the line of the block that sourced it); the EXIT trap prints
 * "stopped at checklist line N" and puts both into the end dump as the
 * pseudo-variables __dc_fline / __dc_fcmd (never carried: __dc_ names).
 */
function setupScript(): string {
	return `exec 2>&1
if [ -n "$__DC_CHAN" ]; then exec ${CHANNEL_FD}>"$__DC_CHAN"; export -n COLUMNS LINES; else exec ${CHANNEL_FD}>&3 3>&-; fi
unset __DC_CHAN
__dc_dump() {
	local __dc_n __dc_a IFS=$' \\t\\n'
	set +eu
	printf '%s\\0%s\\0%s\\0%s\\0' "$2" "$1" "$__dc_block" "$PWD" >&${CHANNEL_FD}
	if [ -n "$__dc_fline" ]; then printf '__dc_fline\\0\\0%s\\0__dc_fcmd\\0\\0%s\\0' "$__dc_fline" "$__dc_fcmd" >&${CHANNEL_FD}; fi
	for __dc_n in ${PREFIXES}; do
		case $__dc_n in __dc_*|__DC_*) continue ;; esac
		__dc_a=\${!__dc_n@a}
		case $__dc_a in *[aA]*) continue ;; esac
		printf '%s\\0%s\\0%s\\0' "$__dc_n" "$__dc_a" "\${!__dc_n}" >&${CHANNEL_FD}
	done
	printf '\\0' >&${CHANNEL_FD}
}
__dc_end() {
	trap - ERR
	case $- in *e*) ;; *) __dc_fline= ;; esac
	set +eE
	if [ "$1" -eq 0 ] || [ "$1" != "$__dc_fst" ]; then __dc_fline=; fi
	case $__dc_fps in *' '*) __dc_fcmd="$__dc_fcmd (a pipeline; exit statuses $__dc_fps)" ;; esac
	if [ -n "$__dc_fline" ]; then printf '\\ndeploycockpit: stopped at checklist line %s (exit %s): %s\\n' "$__dc_fline" "$1" "$__dc_fcmd"; fi
	__dc_dump "$1" end
}
__dc_nb=$__DC_NB
__dc_i=0
while [ "$__dc_i" -lt "$__dc_nb" ]; do
	__dc_v=__DC_B$__dc_i
	eval "__dc_b$__dc_i=\\"\\$$__dc_v\\""
	unset "$__dc_v"
	__dc_i=$((__dc_i + 1))
done
unset __DC_NB __dc_v
__dc_block=-1
__dc_fline=
__dc_fcmd=
__dc_fst=
__dc_fps=
eval "$__DC_PRE"
unset __DC_PRE
__dc_dump 0 start
trap '__dc_end "$?"' EXIT
if [ -n "$__DC_ERREXIT" ]; then
	unset __DC_ERREXIT
	# Inline, no function call: calling one from this trap trips a bash 5.2 bug (pop_var_context) in sourced files.
	trap '__dc_fst=$? __dc_fps="\${PIPESTATUS[*]}" __dc_fline=$LINENO __dc_fcmd=$BASH_COMMAND __dc_i=\${#BASH_SOURCE[@]}; while [ "$__dc_i" -gt 0 ]; do __dc_i=$((__dc_i - 1)); case \${BASH_SOURCE[$__dc_i]} in ""|environment|"$0") ;; *) __dc_fcmd="$__dc_fcmd (in \${BASH_SOURCE[$__dc_i]} line $__dc_fline)"; __dc_fline=\${BASH_LINENO[$__dc_i]}; break ;; esac; done' ERR
	set -eE -o pipefail
fi
__dc_block=0
`;
}

/**
 * The bash program that runs the blocks (given in $__DC_B0.. and $__DC_NB):
 * stops at the first block that fails and exits with its status. It is one
 * line on purpose: a block is eval'd on line 1, so bash's $LINENO (and its
 * "NAME: line N:" errors) count from the top of the block's text, which
 * blockEnv pads with blank lines to the block's line in the checklist.
 */
export function wrapperScript(): string {
	return 'eval "$__DC_SETUP"; unset __DC_SETUP; while [ "$__dc_block" -lt "$__dc_nb" ]; do __dc_v=__dc_b$__dc_block; eval "${!__dc_v}"; __dc_s=$?; if [ "$__dc_s" -ne 0 ]; then exit "$__dc_s"; fi; __dc_block=$((__dc_block + 1)); done; exit 0';
}

/**
 * The environment entries that hand the blocks to the wrapper. `lines[i]` is
 * the checklist line of script i's first line: the script is padded with
 * blank lines so bash numbers its lines like the checklist does.
 */
export function blockEnv(scripts: string[], prelude = '', errexit = false, lines: number[] = []): Record<string, string> {
	const env: Record<string, string> = {__DC_SETUP: setupScript(), __DC_NB: String(scripts.length), __DC_PRE: prelude, ...(errexit ? {__DC_ERREXIT: '1'} : {})};
	scripts.forEach((script, i) => {
		const line = lines[i] ?? 1;
		env[`__DC_B${i}`] = '\n'.repeat(Math.max(0, line - 1)) + script;
	});
	return env;
}

/** The command that stopped a run under errexit, from the end dump (first line, at most 200 characters). */
export function failureOf(end: Dump | undefined): {line: number; command: string} | undefined {
	const line = Number(end?.vars.get('__dc_fline')?.value);
	if (!end || !Number.isInteger(line) || line <= 0) return undefined;
	const full = end.vars.get('__dc_fcmd')?.value ?? '';
	const first = full.split('\n')[0]!;
	const command = first.length > 200 ? first.slice(0, 199) + '…' : first + (first !== full ? ' …' : '');
	return {line, command};
}

export interface Dump {
	tag: string;
	status: number;
	/** Index of the block that was running (-1 before the first). */
	block: number;
	cwd: string;
	vars: Map<string, {attrs: string; value: string}>;
}

/** Parses the NUL-separated dumps; an incomplete trailing dump is ignored. */
export function parseDumps(buffer: Buffer): Dump[] {
	const fields = buffer.toString('utf8').split('\0');
	const dumps: Dump[] = [];
	let i = 0;
	while (i + 4 <= fields.length) {
		const start = i;
		const [tag, status, block, cwd] = fields.slice(i, i + 4) as [string, string, string, string];
		i += 4;
		const vars = new Map<string, {attrs: string; value: string}>();
		let complete = false;
		while (i < fields.length) {
			const name = fields[i]!;
			if (name === '') {
				// The terminator; the very last split element is '' only when complete.
				complete = i < fields.length - 1;
				i += 1;
				break;
			}
			if (i + 3 > fields.length - 1) break;
			vars.set(name, {attrs: fields[i + 1]!, value: fields[i + 2]!});
			i += 3;
		}
		if (!complete) {
			i = start;
			break;
		}
		dumps.push({tag, status: Number(status), block: Number(block), cwd, vars});
	}
	return dumps;
}

/** What a run changed in the carried shell state. */
export interface ShellChange {
	/** The cwd at the end when the block changed it. */
	cwd?: string;
	set: Record<string, string>;
	exported: string[];
	unset: string[];
}

export function diffDumps(start: Dump, end: Dump, carriedBefore: Iterable<string>): ShellChange {
	const change: ShellChange = {set: {}, exported: [], unset: []};
	if (end.cwd !== start.cwd) change.cwd = end.cwd;
	const carried = new Set(carriedBefore);
	for (const [name, {attrs, value}] of end.vars) {
		if (!isCarryable(name) || attrs.includes('r')) continue;
		const before = start.vars.get(name);
		const exported = attrs.includes('x');
		if (!before || before.value !== value || before.attrs.includes('x') !== exported || carried.has(name)) {
			change.set[name] = value;
			if (exported) change.exported.push(name);
		}
	}
	for (const name of new Set([...carried, ...start.vars.keys()])) {
		if (isCarryable(name) && start.vars.has(name) && !end.vars.has(name)) change.unset.push(name);
	}
	return change;
}

export interface CarriedShell {
	cwd: string;
	vars: Record<string, string>;
	exported?: string[];
}

export function applyChange(shell: CarriedShell, change: ShellChange): CarriedShell {
	const vars = {...shell.vars};
	const exported = new Set(shell.exported ?? Object.keys(shell.vars));
	for (const name of change.unset) {
		delete vars[name];
		exported.delete(name);
	}
	for (const [name, value] of Object.entries(change.set)) {
		vars[name] = value;
		if (change.exported.includes(name)) exported.add(name);
		else exported.delete(name);
	}
	return {cwd: change.cwd ?? shell.cwd, vars, exported: [...exported].filter(n => n in vars).sort()};
}

/**
 * Prefix for the next block: carried variables arrive through the
 * environment (exported); the ones that were only assigned are un-exported
 * again so child processes see what they would in a terminal.
 */
export function unexportPrelude(shell: CarriedShell): string {
	if (!shell.exported) return '';
	const exported = new Set(shell.exported);
	const names = Object.keys(shell.vars).filter(n => !exported.has(n) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
	return names.length ? `export -n ${names.join(' ')}\n` : '';
}
