// Tile intervals are written by people: '5s', '1m', '1m30s', '500ms', or a bare number of seconds.

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string | number | undefined | null): number | null {
	if (text === undefined || text === null) return null;
	if (typeof text === 'number') return Number.isFinite(text) && text > 0 ? text * 1000 : null;
	const trimmed = text.trim().toLowerCase();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
	const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
	let total = 0;
	let matched = 0;
	let m: RegExpExecArray | null;
	while ((m = re.exec(trimmed))) {
		total += Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000);
		matched = re.lastIndex;
	}
	if (matched !== trimmed.length || total <= 0) return null;
	return total;
}

/** Prometheus duration text for query_range's `step` (whole seconds, at least 1s). */
export function promDuration(ms: number): string {
	return `${Math.max(1, Math.round(ms / 1000))}s`;
}
