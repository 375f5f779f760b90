// The plain-text version of a terminal run's log, for `o`: escape sequences
// dropped, `\r\n` made `\n`, a line redrawn with `\r` (a progress bar) kept
// at its last state. Written on demand next to the log (0600), streamed line
// by line so a 100 MB log costs no more memory than a line.
import {createReadStream, createWriteStream} from 'node:fs';

const ESCAPES = /\u001b\[[0-9;?<=>]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u001b[()][0-9A-Za-z]|\u001b[=>78]/g;

/** One line of terminal output as plain text. */
export function plainLine(line: string): string {
	const text = line.replace(/\r+$/, '').replace(ESCAPES, '');
	const at = text.lastIndexOf('\r');
	return (at >= 0 ? text.slice(at + 1) : text).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

export async function writePlainLog(logPath: string, target = logPath.replace(/\.log$/, '') + '.txt'): Promise<string> {
	const out = createWriteStream(target, {mode: 0o600});
	// Lines end at \n only: a lone \r is a redraw within the line (readline would split there).
	let rest = '';
	for await (const chunk of createReadStream(logPath, {encoding: 'utf8'})) {
		const lines = (rest + (chunk as string)).split('\n');
		rest = lines.pop()!;
		if (lines.length > 0 && !out.write(lines.map(plainLine).join('\n') + '\n')) await new Promise<void>(resolve => out.once('drain', () => resolve()));
	}
	if (rest) out.write(plainLine(rest) + '\n');
	await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
	return target;
}
