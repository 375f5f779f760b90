// Process identity that survives pid reuse: a pid alone may name a different
// process after a reboot, so runs record the kernel's start time of the
// process (/proc/<pid>/stat field 22) and the boot id next to it.
import {readdirSync, readFileSync} from 'node:fs';

export interface ProcessIdentity {
	pid: number;
	/** Clock ticks since boot, as text; undefined where /proc is missing. */
	startTime?: string;
	bootId?: string;
}

let cachedBootId: string | undefined | null = null;

export function bootId(): string | undefined {
	if (cachedBootId === null) {
		try {
			cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
		} catch {
			cachedBootId = undefined;
		}
	}
	return cachedBootId;
}

function statFields(pid: number): string[] | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name may contain spaces and parentheses: fields start after the last ')'.
		return text.slice(text.lastIndexOf(')') + 2).split(' ');
	} catch {
		return undefined;
	}
}

/** Field 22 of /proc/<pid>/stat (index 19 after the name). */
export function processStartTime(pid: number): string | undefined {
	return statFields(pid)?.[19];
}

export function identify(pid: number): ProcessIdentity {
	return {pid, startTime: processStartTime(pid), bootId: bootId()};
}

function signalZero(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Is the process that was recorded still the one running under that pid? */
export function isSameProcessAlive(id: ProcessIdentity): boolean {
	if (!Number.isInteger(id.pid) || id.pid <= 0) return false;
	const currentBoot = bootId();
	if (id.bootId && currentBoot && id.bootId !== currentBoot) return false;
	const fields = statFields(id.pid);
	if (fields) {
		// A zombie has finished; its parent just has not reaped it yet.
		if (fields[0] === 'Z') return false;
		return id.startTime === undefined || fields[19] === id.startTime;
	}
	if (currentBoot) return false; // /proc exists and the pid is not in it
	return signalZero(id.pid);
}

/** Does any process of the group still exist (zombies excluded where /proc tells)? */
export function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
	// kill(0) also succeeds for zombies; if every member is a zombie the group is done.
	const members = groupMembers(pgid);
	return members === undefined || members.some(m => m.state !== 'Z');
}

/** Members of a process group from /proc; undefined where /proc is missing. */
export function groupMembers(pgid: number): Array<{pid: number; state: string}> | undefined {
	let entries: string[];
	try {
		entries = readdirSync('/proc');
	} catch {
		return undefined;
	}
	const members: Array<{pid: number; state: string}> = [];
	for (const entry of entries) {
		if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
		const fields = statFields(Number(entry));
		if (fields && Number(fields[2]) === pgid) members.push({pid: Number(entry), state: fields[0] ?? ''});
	}
	return members;
}


const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Waits until the group is gone or the time is up; true when gone. */
export async function waitGroupGone(pgid: number, ms: number, pollMs = 50): Promise<boolean> {
	const until = Date.now() + ms;
	for (;;) {
		if (!groupAlive(pgid)) return true;
		if (Date.now() >= until) return false;
		await sleep(pollMs);
	}
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pgid, signal);
	} catch {
		// gone already
	}
}

/**
 * SIGINT, then SIGTERM, then SIGKILL to the whole group, each after a grace
 * period, until no process of the group is left (background jobs included).
 * Returns the last signal sent.
 */
export async function stopGroup(pgid: number, graceMs: number): Promise<NodeJS.Signals | null> {
	if (!groupAlive(pgid)) return null;
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		signalGroup(pgid, signal);
		if (await waitGroupGone(pgid, graceMs)) return signal;
	}
	signalGroup(pgid, 'SIGKILL');
	await waitGroupGone(pgid, 5000);
	return 'SIGKILL';
}
