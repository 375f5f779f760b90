// The wrapper's private dump channel when bash runs on a PTY. node-pty gives
// the child only the terminal (no extra descriptors), so the dumps (variables
// with their values: secrets) go through a named pipe in a private 0700
// directory instead of fd 3. A pipe holds no data on disk; the runner opens
// it read-write so the open never blocks and no writer's exit ends it early.
import {execFileSync} from 'node:child_process';
import {constants, mkdtempSync, openSync, rmSync} from 'node:fs';
import {Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export interface DumpFifo {
	path: string;
	stream: Socket;
	dispose(): void;
}

export function openDumpFifo(): DumpFifo | undefined {
	let dir: string | undefined;
	try {
		dir = mkdtempSync(join(tmpdir(), 'deploycockpit-chan-'));
		const path = join(dir, 'dumps');
		execFileSync('mkfifo', ['-m', '600', path], {stdio: 'ignore'});
		const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
		const stream = new Socket({fd, readable: true, writable: false});
		stream.on('error', () => undefined);
		const made = dir;
		return {
			path,
			stream,
			dispose() {
				stream.destroy();
				rmSync(made, {recursive: true, force: true});
			},
		};
	} catch {
		if (dir) rmSync(dir, {recursive: true, force: true});
		return undefined;
	}
}
