// Host tiles: the embedded default when a checklist configures nothing, read
// locally so the row is never empty. All reads are async and cheap.
import {readFile, statfs} from 'node:fs/promises';
import os from 'node:os';
import {ReadError, type Reading, type TileSource} from './types.js';

export type HostKey = 'cpu' | 'mem' | 'load' | 'disk';
export const HOST_KEYS: HostKey[] = ['cpu', 'mem', 'load', 'disk'];

interface CpuTimes {
	busy: number;
	total: number;
}

/** Aggregate CPU counters: /proc/stat's first line on Linux, os.cpus() elsewhere. */
export async function cpuTimes(): Promise<CpuTimes> {
	try {
		const text = await readFile('/proc/stat', 'utf8');
		const first = text.slice(0, text.indexOf('\n'));
		const fields = first.trim().split(/\s+/).slice(1).map(Number);
		// user nice system idle iowait irq softirq steal (guest is already in user)
		const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
		const idleAll = idle + iowait;
		const total = user + nice + system + idleAll + irq + softirq + steal;
		if (first.startsWith('cpu ') && total > 0) return {busy: total - idleAll, total};
	} catch {
		// not Linux: fall through
	}
	let busy = 0;
	let total = 0;
	for (const c of os.cpus()) {
		const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
		total += t;
		busy += t - c.times.idle;
	}
	return {busy, total};
}

/** Fraction of memory in use, from MemAvailable (what can be used without swapping). */
export async function memUsed(): Promise<number> {
	try {
		const text = await readFile('/proc/meminfo', 'utf8');
		const total = /^MemTotal:\s+(\d+)/m.exec(text)?.[1];
		const available = /^MemAvailable:\s+(\d+)/m.exec(text)?.[1];
		if (total && available) return 1 - Number(available) / Number(total);
	} catch {
		// fall through
	}
	return 1 - os.freemem() / os.totalmem();
}

export async function diskFree(path: string): Promise<number> {
	const s = await statfs(path);
	return s.bavail * s.bsize;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) return reject(new ReadError('timeout', 'cancelled'));
		const t = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = (): void => {
			clearTimeout(t);
			reject(new ReadError('timeout', 'cancelled'));
		};
		signal.addEventListener('abort', onAbort, {once: true});
	});
}

/** `diskPath`: the filesystem to watch (the checklist's directory by default). */
export function hostSource(key: HostKey, diskPath = process.cwd()): TileSource {
	switch (key) {
		case 'cpu': {
			let previous: CpuTimes | undefined;
			return {
				describe: 'host cpu',
				async read(signal): Promise<Reading> {
					if (!previous) {
						// The counters are totals since boot; a first delta needs two samples.
						previous = await cpuTimes();
						await sleep(250, signal);
					}
					const now = await cpuTimes();
					const total = now.total - previous.total;
					const busy = now.busy - previous.busy;
					previous = now;
					if (total <= 0) throw new ReadError('no-data', 'no data');
					return {value: Math.min(1, Math.max(0, busy / total)), at: Date.now()};
				},
			};
		}
		case 'mem':
			return {describe: 'host mem', read: async () => ({value: await memUsed(), at: Date.now()})};
		case 'load':
			return {describe: 'host load', read: async () => ({value: os.loadavg()[0] ?? 0, at: Date.now()})};
		case 'disk':
			return {
				describe: `host disk ${diskPath}`,
				async read(): Promise<Reading> {
					try {
						return {value: await diskFree(diskPath), at: Date.now()};
					} catch (error) {
						throw new ReadError('query', `cannot stat ${diskPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
					}
				},
			};
	}
}

export const HOST_TITLES: Record<HostKey, string> = {cpu: 'cpu', mem: 'mem', load: 'load 1m', disk: 'disk free'};
export const HOST_UNITS: Record<HostKey, 'percent' | 'plain' | 'bytes'> = {cpu: 'percent', mem: 'percent', load: 'plain', disk: 'bytes'};
