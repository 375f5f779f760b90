// Commands that do not end by themselves (`watch`, `tail -f`, `kubectl logs -f`,
// `journalctl -f`, `while true` without a break). The cockpit says so before
// running them, and a rollback moves past such a step when it is cancelled.
// Backgrounded ones (`… &`) and ones under `timeout` do end, so they are not.

const followFlag = /\s(?:-[a-zA-Z]*f[a-zA-Z]*|--follow(?:=true)?)(?=\s)/;
const watchFlag = /\s(?:-w|--watch(?:-only)?(?:=true)?)(?=\s)/;

/** One simple command (a pipeline's first stage decides for `watch`; any stage for followers). */
function endlessCommand(stage: string): boolean {
	const words = stage.trim().split(/\s+/);
	let i = 0;
	while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=\S*$/.test(words[i]!) || words[i] === 'sudo' || words[i] === 'exec')) i++;
	const cmd = words[i] ?? '';
	const rest = ' ' + words.slice(i + 1).join(' ') + ' ';
	if (cmd === 'watch' || cmd === 'stern' || cmd === 'top' || cmd === 'htop') return true;
	if (cmd === 'tail') return /\s(?:-[a-zA-Z0-9]*[fF][a-zA-Z0-9]*|--follow(?:=\S+)?)(?=\s)/.test(rest);
	if (cmd === 'journalctl') return followFlag.test(rest);
	if (cmd === 'kubectl' || cmd === 'oc') {
		if (/^\s*logs\s/.test(rest)) return followFlag.test(rest);
		if (/^\s*(?:get|events)\s/.test(rest)) return watchFlag.test(rest);
		return false;
	}
	if (cmd === 'docker' || cmd === 'podman') {
		if (/^\s*(?:container\s+)?logs\s/.test(rest)) return followFlag.test(rest);
		if (/^\s*stats\s/.test(rest)) return !/--no-stream/.test(rest);
		return /^\s*events\s/.test(rest);
	}
	return false;
}

function withoutComment(line: string): string {
	return line.replace(/(^|\s)#.*$/, '').trimEnd();
}

/** true when the shell code holds a command that runs until cancelled. */
export function isEndless(code: string): boolean {
	const lines = code.split('\n').map(withoutComment);
	const text = lines.join('\n');
	// `while true` / `while :` / `until false` with no way out, not backgrounded.
	const loop = /\b(?:while\s+(?:true|:|\[\s*(?:true|1)\s*\]|\(\(\s*1\s*\)\))|until\s+false)\s*(?:;|\n)\s*do\b/.exec(text);
	if (loop) {
		const after = text.slice(loop.index);
		const done = /\bdone\b[ \t]*([^\n]*)/.exec(after);
		const body = done ? after.slice(0, done.index) : after;
		const backgrounded = done ? /^&(?!&)/.test(done[1]!.trim()) : false;
		if (!/\b(?:break|exit|return)\b/.test(body) && !backgrounded) return true;
	}
	for (const line of lines) {
		const trimmed = line.trim();
		if (trimmed === '' || /(?:^|[^&])&\s*$/.test(trimmed)) continue;
		if (/^timeout\s/.test(trimmed)) continue;
		for (const stage of trimmed.split(/\|\|?|&&|;/)) if (endlessCommand(stage)) return true;
	}
	return false;
}
