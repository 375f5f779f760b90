// Starts a throw-away Prometheus on a free 127.0.0.1 port with its own config,
// rule file and storage dir, plus a tiny exporter served with node:http for it
// to scrape. Everything started here is killed by stop() (and on exit).
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {createServer as createHttpServer, type Server} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {freePort} from './ports.js';

export function findPrometheus(): string | null {
	for (const candidate of ['/usr/bin/prometheus', '/usr/local/bin/prometheus']) if (existsSync(candidate)) return candidate;
	const which = spawnSync('sh', ['-c', 'command -v prometheus'], {encoding: 'utf8'});
	const found = which.stdout.trim();
	return which.status === 0 && found ? found : null;
}

/** Run, skip (outside CI, with a message) or fail (in CI). */
export function prometheusAvailability(): {available: boolean; reason: string} {
	if (findPrometheus()) return {available: true, reason: ''};
	const reason = 'the `prometheus` binary is not installed (apt-get install prometheus)';
	if (process.env.CI) return {available: true, reason}; // run anyway so startPrometheus() fails the tests in CI
	console.warn(`skipping Prometheus integration tests: ${reason}`);
	return {available: false, reason};
}


const live = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of live) child.kill('SIGKILL');
});

export interface Exporter {
	url: string;
	port: number;
	/** Sets a gauge line's value: `set('test_errors', 7)` or with labels `set('x{code="500"}', 1)`. */
	set(series: string, value: number): void;
	/** Extra raw text appended to the body (junk lines for parser tests). */
	extra: string;
	scrapes: number;
	close(): Promise<void>;
}

/** A /metrics endpoint the test controls. */
export async function startExporter(initial: Record<string, number>, types: Record<string, string> = {}): Promise<Exporter> {
	const values = new Map(Object.entries(initial));
	const exporter: Exporter = {
		url: '',
		port: 0,
		extra: '',
		scrapes: 0,
		set: (series, value) => void values.set(series, value),
		close: () => new Promise<void>(resolve => {
			server.closeAllConnections();
			server.close(() => resolve());
		}),
	};
	const server: Server = createHttpServer((req, res) => {
		if (req.url?.startsWith('/metrics')) {
			exporter.scrapes++;
			let body = '';
			for (const [name, type] of Object.entries(types)) body += `# TYPE ${name} ${type}\n`;
			for (const [series, value] of values) body += `${series} ${Number.isNaN(value) ? 'NaN' : value}\n`;
			res.writeHead(200, {'content-type': 'text/plain; version=0.0.4'});
			res.end(body + exporter.extra);
			return;
		}
		res.writeHead(404).end();
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	exporter.port = typeof address === 'object' && address ? address.port : 0;
	exporter.url = `http://127.0.0.1:${exporter.port}/metrics`;
	return exporter;
}

export interface PromServer {
	url: string;
	port: number;
	dir: string;
	running(): boolean;
	/** SIGKILL: the outage case (storage is kept). */
	kill(): Promise<void>;
	/** Starts again on the same port with the same storage. */
	restart(): Promise<void>;
	stop(): Promise<void>;
	log(): string;
}

export interface PromOptions {
	/** host:port targets scraped under job `app`. */
	targets: string[];
	/** Targets scraped under job `gone` (used for "down" targets). */
	deadTargets?: string[];
	/** Contents of the rule file (YAML `groups:`). */
	rules?: string;
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
	const deadline = Date.now() + 30_000;
	let last = '';
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}):\n${log().slice(-3000)}`);
		try {
			const res = await fetch(`${url}/-/ready`, {signal: AbortSignal.timeout(1000)});
			if (res.ok) return;
			last = `HTTP ${res.status}`;
		} catch (error) {
			last = String((error as {cause?: unknown}).cause ?? error);
		}
		await new Promise(r => setTimeout(r, 100));
	}
	throw new Error(`prometheus not ready within 30 s (${last}):\n${log().slice(-3000)}`);
}

export async function startPrometheus(options: PromOptions): Promise<PromServer> {
	const bin = findPrometheus();
	if (!bin) throw new Error('the `prometheus` binary is not installed (apt-get install prometheus)');
	const dir = mkdtempSync(join(tmpdir(), 'deploycockpit-prom-'));
	const rulesFile = join(dir, 'rules.yml');
	writeFileSync(rulesFile, options.rules ?? 'groups: []\n');
	const jobs = [`  - job_name: app\n    static_configs:\n      - targets: [${options.targets.map(t => JSON.stringify(t)).join(', ')}]\n`];
	if (options.deadTargets?.length) jobs.push(`  - job_name: gone\n    scrape_timeout: 500ms\n    static_configs:\n      - targets: [${options.deadTargets.map(t => JSON.stringify(t)).join(', ')}]\n`);
	writeFileSync(
		join(dir, 'prometheus.yml'),
		`global:\n  scrape_interval: 1s\n  scrape_timeout: 800ms\n  evaluation_interval: 1s\nrule_files:\n  - ${JSON.stringify(rulesFile)}\nscrape_configs:\n${jobs.join('')}`,
	);
	let port = 0;
	let child: ChildProcess | null = null;
	let output = '';

	const launch = async (): Promise<void> => {
		output = '';
		const proc = spawn(bin, [
			`--config.file=${join(dir, 'prometheus.yml')}`,
			`--web.listen-address=127.0.0.1:${port}`,
			`--storage.tsdb.path=${join(dir, 'data')}`,
			'--storage.tsdb.retention.time=1h',
			'--log.level=warn',
		], {cwd: dir, stdio: ['ignore', 'pipe', 'pipe']});
		live.add(proc);
		proc.stdout?.on('data', d => (output = (output + String(d)).slice(-20_000)));
		proc.stderr?.on('data', d => (output = (output + String(d)).slice(-20_000)));
		child = proc;
		try {
			await waitReady(`http://127.0.0.1:${port}`, proc, () => output);
		} catch (error) {
			await killChild(proc);
			throw error;
		}
	};

	const killChild = async (proc: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
		if (proc.exitCode === null && proc.signalCode === null) {
			const exited = new Promise(resolve => proc.once('exit', resolve));
			proc.kill(signal);
			const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
			await exited;
			clearTimeout(timer);
		}
		live.delete(proc);
	};

	for (let attempt = 0; ; attempt++) {
		port = await freePort();
		try {
			await launch();
			break;
		} catch (error) {
			if (attempt < 2 && /address already in use/i.test(output)) continue;
			rmSync(dir, {recursive: true, force: true});
			throw error;
		}
	}

	return {
		url: `http://127.0.0.1:${port}`,
		port,
		dir,
		running: () => child !== null && child.exitCode === null && child.signalCode === null,
		async kill() {
			if (child) await killChild(child, 'SIGKILL');
		},
		async restart() {
			if (child) await killChild(child, 'SIGKILL');
			await launch();
		},
		async stop() {
			if (child) await killChild(child, 'SIGTERM');
			child = null;
			rmSync(dir, {recursive: true, force: true});
		},
		log: () => output,
	};
}

/** Polls `check` until it returns a truthy value; bounded. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 100): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const value = await check();
			if (value) return value as Exclude<T, false | 0 | '' | null | undefined>;
		} catch (error) {
			last = error;
		}
		await new Promise(r => setTimeout(r, everyMs));
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A node:http server that accepts requests and never answers them. */
export async function startBlackHole(): Promise<{url: string; requests: string[]; close(): Promise<void>}> {
	const state = {url: '', requests: [] as string[], close: async () => {}};
	const server = createHttpServer(req => {
		state.requests.push(req.url ?? '');
		// never respond
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	state.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
	state.close = () => new Promise<void>(resolve => {
		server.closeAllConnections();
		server.close(() => resolve());
	});
	return state;
}

export {freePort};
