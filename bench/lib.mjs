// Shared measuring helpers for the bench files.
import {spawnSync} from 'node:child_process';

export function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Wall time (ms) and peak RSS (KiB) of a whole process, via GNU time when present. */
export function timeProcess(cmd, args, options = {}) {
	const start = process.hrtime.bigint();
	const result = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {encoding: 'utf8', ...options});
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	if (result.error) {
		const s2 = process.hrtime.bigint();
		const r2 = spawnSync(cmd, args, {encoding: 'utf8', ...options});
		return {ms: Number(process.hrtime.bigint() - s2) / 1e6, rssKiB: null, status: r2.status, stdout: r2.stdout, stderr: r2.stderr};
	}
	const lines = (result.stderr ?? '').trim().split('\n');
	const rssKiB = Number(lines.at(-1));
	return {ms, rssKiB: Number.isFinite(rssKiB) ? rssKiB : null, status: result.status, stdout: result.stdout, stderr: lines.slice(0, -1).join('\n')};
}

export function medianOf(runs, fn) {
	const samples = [];
	for (let i = 0; i < runs; i++) samples.push(fn());
	return samples;
}
