// Freezes a server the hard way: SIGSTOP on the process and every descendant
// (PostgreSQL's postmaster and its backends), so the kernel still accepts and
// ACKs connections but nothing ever answers. thaw() sends SIGCONT; tests call
// it in cleanup so a failed assertion never leaves a stopped server behind.
import {readdirSync, readFileSync} from 'node:fs';

function childrenOf(pid: number): number[] {
	const out: number[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
			// pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid === pid) out.push(Number(name));
		} catch {
			// gone meanwhile
		}
	}
	return out;
}

export function processTree(pid: number): number[] {
	const all = [pid];
	for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]!));
	return all;
}

export interface Frozen {
	pids: number[];
	thaw(): void;
}

export function freeze(pid: number): Frozen {
	const pids = processTree(pid);
	for (const p of pids) {
		try {
			process.kill(p, 'SIGSTOP');
		} catch {
			// a backend that ended between the listing and now
		}
	}
	let thawed = false;
	return {
		pids,
		thaw() {
			if (thawed) return;
			thawed = true;
			for (const p of pids) {
				try {
					process.kill(p, 'SIGCONT');
				} catch {
					// already gone
				}
			}
		},
	};
}
