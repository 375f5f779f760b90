// The bash of a run, started by the runner either on a pseudo-terminal
// (node-pty: `[ -t 0 ]` is true, programs prompt, colour and redraw as on a
// terminal, input can be typed through the control socket) or, where
// node-pty cannot load or no terminal was asked for, on pipes as before
// (stdin /dev/null). Either way it is the leader of its own process group,
// whose id is its pid (node-pty calls setsid; the pipe child is detached).
import {spawn} from 'node:child_process';
import {closeSync, constants, openSync} from 'node:fs';
import {constants as osConstants} from 'node:os';
import {Socket} from 'node:net';
import type {Readable} from 'node:stream';
import {openDumpFifo} from './dump-fifo.js';
import {loadPty} from './pty-load.js';

export interface ShellExit {
	code: number | null;
	signal: NodeJS.Signals | null;
	error?: Error;
}

export interface ShellProcess {
	readonly pid: number | undefined;
	/** True on a PTY. */
	readonly terminal: boolean;
	/** Why there is no terminal, when one was asked for. */
	readonly fallback?: string;
	/** Bytes from the wrapper's private dump channel. */
	onDumps(listener: (chunk: Buffer) => void): void;
	/** Output as it arrives; a Buffer chunk is only valid during the call (the pipe's read buffer is reused). */
	onOutput(listener: (chunk: Buffer | string) => void): void;
	readonly exited: Promise<ShellExit>;
	/** The output side is closed (every process holding it ended). */
	readonly outputClosed: Promise<void>;
	input(data: Buffer): void;
	resize(cols: number, rows: number): void;
	size(): {cols: number; rows: number};
	dispose(): void;
}

export interface ShellOptions {
	args: string[];
	cwd: string;
	env: Record<string, string>;
	/** Ask for a PTY of this size. */
	terminal?: {cols: number; rows: number};
}

function signalName(number: number | undefined): NodeJS.Signals | null {
	if (!number) return null;
	for (const [name, value] of Object.entries(osConstants.signals)) if (value === number) return name as NodeJS.Signals;
	return null;
}

export function startShell(options: ShellOptions): ShellProcess {
	if (options.terminal) {
		const loaded = loadPty();
		const fifo = loaded.module ? openDumpFifo() : undefined;
		if (loaded.module && fifo) return ptyShell(loaded.module, fifo, options, options.terminal);
		fifo?.dispose();
		return pipeShell(options, loaded.error ?? 'no named pipe for the dump channel');
	}
	return pipeShell(options);
}

function ptyShell(pty: NonNullable<ReturnType<typeof loadPty>['module']>, fifo: NonNullable<ReturnType<typeof openDumpFifo>>, options: ShellOptions, size: {cols: number; rows: number}): ShellProcess {
	let cols = size.cols;
	let rows = size.rows;
	const env = {...options.env, TERM: 'xterm-256color', COLUMNS: String(cols), LINES: String(rows), __DC_CHAN: fifo.path};
	let term: ReturnType<typeof pty.spawn> | undefined;
	let error: Error | undefined;
	try {
		// Bytes, not text: output goes to the masker's byte path (encoding null; node-pty then hands over Buffers).
		term = pty.spawn('bash', options.args, {name: 'xterm-256color', cols, rows, cwd: options.cwd, env, encoding: null});
	} catch (caught) {
		error = caught instanceof Error ? caught : new Error(String(caught));
	}
	if (term) keepUntilDrained(term, fifo.stream);
	let closeOutput!: () => void;
	const outputClosed = new Promise<void>(resolve => (closeOutput = resolve));
	const exited = new Promise<ShellExit>(resolve => {
		if (!term) {
			closeOutput();
			return resolve({code: null, signal: null, error});
		}
		term.onExit(({exitCode, signal}) => {
			// node-pty reports the exit once the terminal's output side is drained (EIO on the master).
			closeOutput();
			const name = signalName(signal);
			resolve({code: name ? null : exitCode, signal: name});
		});
	});
	return {
		pid: term?.pid,
		terminal: true,
		onDumps: listener => fifo.stream.on('data', listener),
		onOutput: listener => term?.onData(data => listener(data as unknown as Buffer)),
		exited,
		outputClosed,
		input: data => term?.write(data.toString('utf8')),
		resize: (c, r) => {
			cols = c;
			rows = r;
			try {
				term?.resize(c, r);
			} catch {
				// the terminal is gone
			}
		},
		size: () => ({cols, rows}),
		dispose: () => fifo.dispose(),
	};
}

/** How long the PTY's output must have been quiet, once bash has exited, before its end is read. */
const DRAIN_QUIET_MS = 40;
/** How often the drain checks whether bash is gone, and for how long after a dump (the end dump comes just before bash exits). */
const DRAIN_POLL_MS = 20;
const DRAIN_WATCH_MS = 2000;
const DRAIN_CAP_MS = 1000;

/**
 * The end of a flood was lost: when the last descriptor of a PTY's slave side closes (bash exits),
 * Linux drops what the master has not read yet, and node-pty also destroys its read side 200 ms after
 * the child exits when it has not reached EIO. A runner on a loaded machine lost the last ~10 KB of a
 * 1.8 MB repaint in 2–4 of 10 runs (a step's final lines, a screen's last state). So the runner holds
 * the slave open itself (bash's exit no longer closes it; background jobs still get SIGHUP from the
 * session leader's exit) and closes the read side itself once bash is gone and the output has been
 * quiet for DRAIN_QUIET_MS: watched from each dump on the private channel (the wrapper's end dump is
 * written just before bash exits) and from node-pty's own destroy, which is held back until then.
 */
function keepUntilDrained(term: {pid: number; onData(listener: (data: string) => void): unknown}, dumps: {on(event: 'data', listener: () => void): unknown}): void {
	const inner = term as unknown as {_socket?: {destroy: (error?: Error) => unknown; destroyed?: boolean}; _pty?: string};
	const socket = inner._socket;
	if (!socket || typeof socket.destroy !== 'function' || typeof inner._pty !== 'string') return;
	let slave: number | undefined;
	try {
		slave = openSync(inner._pty, constants.O_RDWR | constants.O_NOCTTY);
	} catch {
		return;
	}
	const destroy = socket.destroy.bind(socket);
	const release = () => {
		if (slave === undefined) return;
		closeSync(slave);
		slave = undefined;
	};
	let lastData = Date.now();
	term.onData(() => {
		lastData = Date.now();
	});
	const bashGone = () => {
		try {
			process.kill(term.pid, 0);
			return false;
		} catch (error) {
			return (error as NodeJS.ErrnoException).code === 'ESRCH';
		}
	};
	let watching: NodeJS.Timeout | undefined;
	let until = 0;
	let goneAt: number | undefined;
	// A background job that outlives bash and keeps printing does not hold the run's end for longer than this.
	const quiet = () => Date.now() - lastData >= DRAIN_QUIET_MS || (goneAt !== undefined && Date.now() - goneAt > DRAIN_CAP_MS);
	const check = () => {
		watching = undefined;
		if (socket.destroyed) return release();
		if (goneAt === undefined && bashGone()) goneAt = Date.now();
		if (goneAt === undefined || !quiet()) {
			if (Date.now() < until) watching = setTimeout(check, DRAIN_POLL_MS);
			return;
		}
		// Reads that were due while this timer waited run in the poll phase, before setImmediate.
		setImmediate(() => {
			if (socket.destroyed) return release();
			if (!quiet()) {
				watching = setTimeout(check, DRAIN_POLL_MS);
				return;
			}
			destroy();
			release();
		});
	};
	const watch = (ms: number) => {
		until = Math.max(until, Date.now() + ms);
		watching ??= setTimeout(check, DRAIN_POLL_MS);
	};
	dumps.on('data', () => watch(DRAIN_WATCH_MS));
	socket.destroy = (error?: Error) => {
		if (error) {
			release();
			return destroy(error);
		}
		// node-pty's timer after bash exited: from here on, only the quiet is awaited.
		watch(Number.MAX_SAFE_INTEGER);
		return socket;
	};
}

function pipeShell(options: ShellOptions, fallback?: string): ShellProcess {
	const child = spawn('bash', options.args, {cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'ignore', 'pipe']});
	let error: Error | undefined;
	child.on('error', caught => {
		error = caught;
	});
	const channel = child.stdio[3] as Readable | null;
	channel?.on('error', () => undefined);
	const listeners: Array<(chunk: Buffer) => void> = [];
	const output = child.stdout ? readReused(child.stdout, chunk => listeners.forEach(l => l(chunk))) : undefined;
	const outputClosed = new Promise<void>(resolve => {
		if (!output) return resolve();
		output.once('close', () => resolve());
	});
	const exited = new Promise<ShellExit>(resolve => {
		child.on('exit', (code, signal) => resolve({code, signal}));
		child.on('error', () => resolve({code: null, signal: null, error}));
	});
	return {
		pid: child.pid,
		terminal: false,
		...(fallback ? {fallback} : {}),
		onDumps: listener => channel?.on('data', listener),
		onOutput: listener => void listeners.push(listener),
		exited,
		outputClosed,
		input: () => undefined,
		resize: () => undefined,
		size: () => options.terminal ?? {cols: 80, rows: 24},
		dispose: () => undefined,
	};
}

/** Bytes per read of the output pipe. */
const READ_BYTES = 64 * 1024;
/**
 * A flood arrives in the writer's units (4 KiB from stdio), each woken for
 * and read alone: 25,000 rounds of poll, read and write for 100 MB. After a
 * read of at least a unit that did not fill half the buffer the runner
 * sleeps a fifth of a millisecond, so the next read takes what the writer
 * wrote meanwhile (and the CPU goes to the writer). A trickle of lines never
 * waits.
 */
const FLOOD_READ = 4096;
const FLOOD_PAUSE_MS = 0.2;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Reads the output pipe into one reused buffer (net.Socket's `onread`)
 * instead of a new Buffer per read. A flood then makes no garbage: with a
 * fresh buffer per read, 100 MB of output piled up ~60 MB of buffers outside
 * the JS heap before V8's external-memory GC let them go (the runner's peak
 * RSS). Node keeps a child's pipe in `_handle` (undocumented, there since
 * Node 12); without it the stream's own data events are used.
 */
function readReused(stream: Readable, onChunk: (chunk: Buffer) => void): Readable {
	const handle = (stream as Readable & {_handle?: object})._handle;
	if (!handle) {
		stream.on('data', (chunk: Buffer) => onChunk(chunk));
		return stream;
	}
	// The child's own stream object stays unread (Node may still resume it when the child exits).
	stream.on('error', () => undefined);
	const socket = new Socket({
		handle,
		readable: true,
		writable: false,
		onread: {
			buffer: Buffer.allocUnsafe(READ_BYTES),
			callback: (bytes: number, buffer: Uint8Array) => {
				onChunk(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
				if (bytes >= FLOOD_READ && bytes < READ_BYTES / 2) Atomics.wait(pause, 0, 0, FLOOD_PAUSE_MS);
				return true;
			},
		},
	} as ConstructorParameters<typeof Socket>[0]);
	socket.on('error', () => undefined);
	socket.resume();
	return socket;
}
