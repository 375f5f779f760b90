// How the guard reads one simple command's words: assignments before it,
// wrappers that run the rest of their arguments as a command (`sudo`, `env`,
// `xargs`, `busybox`, ...), subcommands after global options, and the
// normalised form custom `dangerous:` patterns are matched against.

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
	parallel: {withValue: new Set(['-j', '--jobs', '-S', '--sshlogin', '--joblog', '--results', '-a', '--arg-file', '--delay', '--timeout', '-n', '-N', '--max-args', '--colsep', '-I', '--tmpdir', '--retries', '--halt'])},
	setsid: {withValue: new Set()},
	watch: {withValue: new Set(['-n', '-d', '--interval'])},
	flock: {withValue: new Set(['-w', '-E', '--timeout']), positional: 1},
	chronic: {withValue: new Set()},
	unbuffer: {withValue: new Set()},
	caffeinate: {withValue: new Set()},
	busybox: {withValue: new Set()},
	toybox: {withValue: new Set()},
	chroot: {withValue: new Set(['--userspec', '--groups']), positional: 1},
	runuser: {withValue: new Set(['-u', '-g', '-G', '--user', '--group'])},
};

/** Wrappers whose command runs once for each item of a list read elsewhere (stdin, `:::` arguments). */
export const LIST_RUNNERS = new Set(['xargs', 'parallel']);

export const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

export function basename(word: string): string {
	const slash = word.lastIndexOf('/');
	return slash >= 0 ? word.slice(slash + 1) : word;
}

/** The words after leading `NAME=value` assignments. */
export function withoutAssignments(words: string[]): string[] {
	let k = 0;
	while (k < words.length && ASSIGNMENT.test(words[k]!)) k++;
	return words.slice(k);
}

/** The command a chain of wrappers runs, and which wrappers were looked through. */
export function unwrap(words: string[]): {words: string[]; wrappers: string[]} {
	let rest = words;
	const wrappers: string[] = [];
	for (let guard = 0; guard < 8 && rest.length > 0; guard++) {
		const name = basename(rest[0]!);
		const spec = WRAPPERS[name];
		if (!spec) break;
		wrappers.push(name);
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
		// `parallel CMD ::: a b`: what follows ::: is the list, not the command.
		if (name === 'parallel') {
			const sep = rest.findIndex(w => w === ':::' || w === '::::' || w === ':::+' || w === '::::+');
			if (sep >= 0) rest = rest.slice(0, sep);
		}
	}
	return {words: rest, wrappers};
}

/** The first word that is not an option, skipping the values of the listed options. */
export function subcommand(args: string[], withValue: Set<string>): {word: string; index: number} | null {
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

/**
 * The command as custom patterns see it: wrappers and assignments dropped,
 * the command name, then its other words, then its options moved aside, so
 * `terraform\s+destroy` matches `sudo terraform -chdir=infra destroy`.
 */
export function normalisedCommand(words: string[]): string {
	const {words: inner} = unwrap(withoutAssignments(words));
	if (inner.length === 0) return '';
	const [name, ...args] = inner;
	const positional = args.filter(a => !a.startsWith('-') || a === '-');
	const options = args.filter(a => a.startsWith('-') && a !== '-');
	return [basename(name!), ...positional, ...options].join(' ');
}
