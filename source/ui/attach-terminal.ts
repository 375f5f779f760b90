// The `!` key with node-pty: while the cockpit is suspended, the real
// terminal is attached to a run its runner holds on a PTY of the terminal's
// size. Raw keys go to the run's control socket (so Ctrl-C is the program's),
// its output (the log follower's, masked) goes to the screen, a resize of
// the terminal resizes the PTY. It ends when the run ends, or when the leave
// chord (Ctrl-], configurable) detaches: the run goes on and shows in the
// pane, where `i` types into it again. A dropped link kills only the cockpit:
// the runner keeps the program and its PTY.
import type {AttachTarget} from '../workflows/run-flow.js';

export interface AttachIo {
	stdin: NodeJS.ReadStream;
	stdout: NodeJS.WriteStream;
	/** The bytes of the leave chord. */
	leave: string;
}

export function attachTerminal(target: AttachTarget, io: AttachIo): Promise<'ended' | 'detached'> {
	const {stdin, stdout, leave} = io;
	return new Promise(resolve => {
		let done = false;
		const write = (text: string) => {
			try {
				stdout.write(text);
			} catch {
				// the terminal is gone (hang-up): the run goes on
			}
		};
		const stopOutput = target.output(write);
		const onData = (chunk: string | Buffer) => {
			const text = chunk.toString();
			const at = text.indexOf(leave);
			if (at < 0) {
				void target.send(text);
				return;
			}
			if (at > 0) void target.send(text.slice(0, at));
			finish('detached');
		};
		const onResize = () => {
			if (stdout.columns && stdout.rows) void target.resize(stdout.columns, stdout.rows);
		};
		const finish = (how: 'ended' | 'detached') => {
			if (done) return;
			done = true;
			stopOutput();
			stdin.off('data', onData);
			stdin.pause();
			stdout.off('resize', onResize);
			if (how === 'detached') write('\r\n\x1b[0m[deploycockpit: detached — the program goes on; select its step and press i to type into it]\r\n');
			resolve(how);
		};
		if (stdin.isTTY) stdin.setRawMode(true);
		stdin.setEncoding('utf8');
		stdin.on('data', onData);
		stdin.resume();
		stdout.on('resize', onResize);
		void target.ended.then(() => finish('ended'));
	});
}
