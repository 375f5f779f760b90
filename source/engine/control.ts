// A run's control channel: the runner listens on a unix socket (mode 0600)
// and takes the bytes to type into the run's terminal and its new size.
// The cockpit and `run` connect to it; after a cockpit restart the path is
// read again from the run's pid file, so reattaching is connecting again.
// Messages are JSON lines: {"t":"in","d":<base64>}, {"t":"resize","cols","rows"},
// {"t":"size"} (answered with {"cols","rows"}).
import {chmodSync, mkdirSync, unlinkSync} from 'node:fs';
import {createConnection, createServer, type Server, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export interface ControlTarget {
	input(data: Buffer): void;
	resize(cols: number, rows: number): void;
	size(): {cols: number; rows: number};
}

/** Unix socket paths are limited (~104-108 bytes): a long runs dir gets a private directory in the temp dir. */
export function controlSocketPath(runsDir: string, runId: string): string {
	const beside = join(runsDir, `${runId}.sock`);
	if (Buffer.byteLength(beside) <= 100) return beside;
	const dir = join(tmpdir(), `deploycockpit-${process.getuid?.() ?? 'u'}`);
	mkdirSync(dir, {recursive: true, mode: 0o700});
	return join(dir, `${runId.slice(-40)}.sock`);
}

const MAX_LINE = 1024 * 1024;

function onLines(socket: Socket, handle: (message: Record<string, unknown>) => void): void {
	let pending = '';
	socket.setEncoding('utf8');
	socket.on('data', (chunk: string) => {
		pending += chunk;
		if (pending.length > MAX_LINE && !pending.includes('\n')) {
			socket.destroy();
			return;
		}
		let nl: number;
		while ((nl = pending.indexOf('\n')) >= 0) {
			const line = pending.slice(0, nl);
			pending = pending.slice(nl + 1);
			try {
				handle(JSON.parse(line) as Record<string, unknown>);
			} catch {
				// a torn or foreign line is ignored
			}
		}
	});
	socket.on('error', () => undefined);
}

/** Listens on `path` (0600); resolves undefined when it cannot (the run goes on without input). */
export function listenControl(path: string, target: ControlTarget): Promise<Server | undefined> {
	try {
		unlinkSync(path);
	} catch {
		// not there
	}
	const server = createServer(socket => {
		onLines(socket, message => {
			if (message.t === 'in' && typeof message.d === 'string') target.input(Buffer.from(message.d, 'base64'));
			else if (message.t === 'resize') {
				const cols = Number(message.cols);
				const rows = Number(message.rows);
				if (Number.isInteger(cols) && Number.isInteger(rows) && cols > 0 && rows > 0 && cols < 10000 && rows < 10000) target.resize(cols, rows);
			} else if (message.t === 'size') socket.write(JSON.stringify(target.size()) + '\n');
		});
	});
	return new Promise(resolve => {
		server.once('error', () => resolve(undefined));
		const old = process.umask(0o177);
		server.listen(path, () => {
			process.umask(old);
			try {
				chmodSync(path, 0o600);
			} catch {
				// the umask made it 0600 already
			}
			server.unref();
			resolve(server);
		});
		process.umask(old);
	});
}

export function closeControl(server: Server | undefined, path: string): void {
	server?.close();
	try {
		unlinkSync(path);
	} catch {
		// gone already
	}
}

/** The cockpit's side: one connection, opened on first use and again after it broke. */
export class ControlClient {
	private socket: Socket | undefined;
	private connecting: Promise<Socket | undefined> | undefined;
	private readonly waiters: Array<(size: {cols: number; rows: number} | undefined) => void> = [];

	constructor(readonly path: string) {}

	input(data: string | Buffer): Promise<boolean> {
		const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
		return this.send({t: 'in', d: bytes.toString('base64')});
	}

	resize(cols: number, rows: number): Promise<boolean> {
		return this.send({t: 'resize', cols, rows});
	}

	async size(timeoutMs = 1000): Promise<{cols: number; rows: number} | undefined> {
		const answer = new Promise<{cols: number; rows: number} | undefined>(resolve => {
			this.waiters.push(resolve);
			setTimeout(() => resolve(undefined), timeoutMs).unref();
		});
		if (!(await this.send({t: 'size'}))) return undefined;
		return answer;
	}

	close(): void {
		this.socket?.destroy();
		this.socket = undefined;
	}

	private async send(message: object): Promise<boolean> {
		const socket = await this.open();
		if (!socket) return false;
		return new Promise(resolve => socket.write(JSON.stringify(message) + '\n', error => resolve(!error)));
	}

	private open(): Promise<Socket | undefined> {
		if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
		this.connecting ??= new Promise<Socket | undefined>(resolve => {
			const socket = createConnection(this.path);
			socket.once('connect', () => {
				this.socket = socket;
				socket.unref();
				onLines(socket, message => this.waiters.shift()?.({cols: Number(message.cols), rows: Number(message.rows)}));
				resolve(socket);
			});
			socket.once('error', () => resolve(undefined));
			socket.once('close', () => {
				if (this.socket === socket) this.socket = undefined;
			});
		}).finally(() => {
			this.connecting = undefined;
		});
		return this.connecting;
	}
}
