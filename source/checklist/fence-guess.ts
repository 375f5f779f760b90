// Unlabeled fences: a block of `$ `-prompted lines is a console transcript
// (its commands run); a block whose every line reads as a shell command is a
// *guessed* shell block (runs only after the code was shown and confirmed);
// anything else stays display only. Pure: the machine's PATH is not read, so
// the same file gives the same model everywhere (ids, cache, sessions).
import {knownCommands} from './inline-command.js';

/** Shell words that start a line of a script but are not programs. */
const shellWords = new Set(`
if then else elif fi for while until do done case esac in function select return break continue
export unset local declare readonly alias source set trap wait exec eval shift true false test
timeout nohup time sudo env xargs which command type ulimit cd pushd popd umask read printf echo
free uptime top htop vmstat iostat sar dmesg hostname whoami id uname nproc
`.trim().split(/\s+/));

const stopWords = new Set('the a an is are was be to of and that this it should will must sure then when if you your we our please'.split(' '));

/** Every non-blank line is `$ cmd` (or continues one ending in `\`), and there is at least one. */
export function allPrompted(text: string): boolean {
	let commands = 0;
	let continuing = false;
	for (const line of text.split('\n')) {
		if (line.trim() === '') {
			continuing = false;
			continue;
		}
		if (!continuing) {
			if (!/^\s*\$(?: |$)/.test(line)) return false;
			commands++;
		}
		continuing = /\\$/.test(line);
	}
	return commands > 0;
}

/** Prose, not a command: several plain words and two or more English function words. */
function readsAsProse(line: string): boolean {
	const words = line.toLowerCase().split(/\s+/).filter(Boolean);
	if (words.length < 4) return false;
	if (/[|&;$<>=/\\`'"(){}[\]*]|\s--?[a-z]/i.test(line)) return false;
	return words.filter(w => stopWords.has(w.replace(/[.,:!?]+$/, ''))).length >= 2 || /[.!?]$/.test(line);
}

/** The first word of a command line, after `VAR=value` assignments. */
function firstWord(line: string): string {
	const words = line.trim().split(/\s+/);
	let i = 0;
	while (i < words.length - 1 && /^[A-Za-z_][A-Za-z0-9_]*=\S*$/.test(words[i]!)) i++;
	return words[i] ?? '';
}

function isCommandLine(line: string): boolean {
	const text = line.trim();
	if (readsAsProse(text)) return false;
	if (/^[A-Za-z_][A-Za-z0-9_]*=\S*$/.test(text)) return true; // VAR=value
	if (/^[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|\$\(.*\))\s*$/.test(text)) return true;
	if (/^(?:\}|\)|;;|\{|\(\()/.test(text)) return true;
	const word = firstWord(text);
	if (knownCommands.has(word) || shellWords.has(word)) return true;
	if (/^\.{0,2}\/[\w./-]+$/.test(word) && !/\.(?:md|txt|ya?ml|json|toml|ini|conf|log|csv|html)$/i.test(word)) return true;
	if (/^[\w.-]+\.(?:sh|py|rb|pl)$/.test(word)) return true;
	// An unknown program with flags, pipes or redirects reads as a command too.
	if (/^[a-z][\w.-]*$/.test(word) && /\s--?[a-zA-Z][\w-]*(?:=\S*)?(?:\s|$)|\s(?:\||&&|\|\||>>?|2>&1)\s/.test(text)) return true;
	return false;
}

/** An unlabeled fence that reads as shell commands: every non-comment line (continuations aside) a command. */
export function looksLikeShell(text: string): boolean {
	let commands = 0;
	let continuing = false;
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) {
			continuing = continuing && line !== '';
			continue;
		}
		if (!continuing) {
			if (!isCommandLine(line)) return false;
			commands++;
		}
		continuing = /(?:\\|\||&&|\|\|)$/.test(line);
	}
	return commands > 0;
}
