// What of a shell change may be written to disk: never a variable whose
// name says it is a secret, nor a value the masker would alter (a URL with
// a password), nor a value that was typed into the run's terminal (it may
// be a password read with `read -s`). Those stay in memory only; after a
// restart preflight asks.
import {createMasker, isSecretName} from '../safety/mask.js';
import type {ShellChange} from './shell-state.js';

export function persistableChange(change: ShellChange, env: Record<string, string | undefined>, typed: string[] = []): ShellChange & {withheld: string[]} {
	const mask = createMasker({...env, ...change.set});
	const typedSet = new Set(typed);
	const set: Record<string, string> = {};
	const withheld: string[] = [];
	for (const [name, value] of Object.entries(change.set)) {
		if (isSecretName(name) || mask(value) !== value || typedSet.has(value)) withheld.push(name);
		else set[name] = value;
	}
	return {
		...(change.cwd !== undefined && mask(change.cwd) === change.cwd ? {cwd: change.cwd} : {}),
		set,
		exported: change.exported.filter(n => n in set),
		unset: change.unset,
		withheld,
	};
}

/** The carried variables that may be written to state.json. */
export function persistableVars(vars: Record<string, string>, env: Record<string, string | undefined>, typed: string[] = []): Record<string, string> {
	const mask = createMasker({...env, ...vars});
	const typedSet = new Set(typed);
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(vars)) if (!isSecretName(name) && mask(value) === value && !typedSet.has(value)) out[name] = value;
	return out;
}
