// The screen serializer against a real headless xterm: what a terminal
// shows is what the pane draws (colours, progress redraws, cursor moves).
import {describe, expect, it} from 'vitest';
import {RunScreen} from '../../source/engine/run-screen.js';
import {plainOf, type ScreenLines} from '../../source/engine/screen-runs.js';
import {withCursor} from '../../source/ui/panes/terminal-view.js';

async function screenOf(text: string, cols = 40, rows = 10): Promise<ScreenLines> {
	const screen = new RunScreen('run', cols, rows);
	await new Promise<void>(resolve => screen.write(text, resolve));
	const lines = screen.lines();
	screen.dispose();
	return lines;
}

describe('screen lines from a headless terminal', () => {
	it('keeps colours, bold, underline and inverse as runs', async () => {
		const {lines} = await screenOf('\x1b[31mred\x1b[0m \x1b[1;4mbold-under\x1b[0m \x1b[7minv\x1b[0m \x1b[38;5;208mo\x1b[38;2;1;2;3mrgb\x1b[0m\r\n');
		expect(lines).toHaveLength(1);
		expect(lines[0]).toEqual([
			{text: 'red', fg: 'red'},
			{text: ' '},
			{text: 'bold-under', bold: true, underline: true},
			{text: ' '},
			{text: 'inv', inverse: true},
			{text: ' '},
			{text: 'o', fg: 'ansi256(208)'},
			{text: 'rgb', fg: '#010203'},
		]);
	});

	it('a \\r progress bar ends as one line', async () => {
		const {lines} = await screenOf('progress 1/3\rprogress 2/3\rprogress 3/3\r\ndone\r\n');
		expect(lines.map(plainOf)).toEqual(['progress 3/3', 'done']);
	});

	it('cursor-addressed output lands where it was put; the cursor is reported', async () => {
		const {lines, cursor} = await screenOf('top\x1b[5;10Hhere\x1b[2;3Hx');
		expect(lines.map(plainOf)).toEqual(['top', '  x', '', '', '         here']);
		expect(cursor).toEqual({line: 1, col: 3});
	});

	it('bare newlines (pipe output) start new lines at column 0; blank rows below the text are cut', async () => {
		const {lines} = await screenOf('one\ntwo\n', 20, 8);
		expect(lines.map(plainOf)).toEqual(['one', 'two']);
	});

	it('wide characters count two columns and appear once', async () => {
		const {lines} = await screenOf('日本 ok\r\n');
		expect(plainOf(lines[0]!)).toBe('日本 ok');
	});

	it('draws the cursor as an inverted cell, padding past the end of the text', () => {
		expect(withCursor([{text: 'abc', fg: 'red'}], 1)).toEqual([{text: 'a', fg: 'red'}, {text: 'b', fg: 'red', inverse: true}, {text: 'c', fg: 'red'}]);
		expect(withCursor([{text: 'ab'}], 4)).toEqual([{text: 'ab'}, {text: '  '}, {text: ' ', inverse: true}]);
	});
});

describe('plain text of a terminal log (o)', () => {
	it('drops escapes, keeps the last state of a redrawn line, turns \\r\\n into \\n', async () => {
		const {mkdtempSync, readFileSync, writeFileSync, statSync} = await import('node:fs');
		const {join} = await import('node:path');
		const {tmpdir} = await import('node:os');
		const {writePlainLog} = await import('../../source/engine/plain-log.js');
		const dir = mkdtempSync(join(tmpdir(), 'dc-plain-'));
		const log = join(dir, 'r.log');
		writeFileSync(log, '\x1b[31mred\x1b[0m line\r\nprogress 1/3\rprogress 3/3\r\n\x1b]0;title\x07done\r\n');
		const txt = await writePlainLog(log);
		expect(readFileSync(txt, 'utf8')).toBe('red line\nprogress 3/3\ndone\n');
		expect(statSync(txt).mode & 0o777).toBe(0o600);
	});
});
