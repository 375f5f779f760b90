// Thresholds as people write them: `0.05`, `'5%'`, `'> 200ms'`, `'< 1GiB'`,
// `'2x'` / `'2x baseline'` (relative to the session baseline), `'< 0.5x'`.

export interface Threshold {
	op: '>' | '<';
	value: number;
	/** `value` is a factor of the baseline. */
	relative: boolean;
	text: string;
}

const SCALE: Record<string, number> = {
	'%': 0.01,
	ms: 1e-3,
	s: 1,
	b: 1,
	kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
	kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
	k: 1e3,
};

export function parseThreshold(spec: number | string | undefined | null): Threshold | null {
	if (spec === undefined || spec === null || spec === '') return null;
	if (typeof spec === 'number') return Number.isFinite(spec) ? {op: '>', value: spec, relative: false, text: String(spec)} : null;
	const text = spec.trim();
	const m = /^(>=?|<=?)?\s*([+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(x|×)?\s*(%|ms|s|b|kb|mb|gb|tb|kib|mib|gib|tib|k)?\s*(?:x\s*)?(baseline|base)?$/i.exec(text);
	if (!m) return null;
	const [, op = '>', num = '', times, suffix, baseWord] = m;
	const relative = times !== undefined || baseWord !== undefined;
	if (relative && suffix) return null;
	const scale = suffix ? SCALE[suffix.toLowerCase()] ?? 1 : 1;
	return {op: op.startsWith('<') ? '<' : '>', value: Number(num) * scale, relative, text};
}

/** The absolute limit, or null when it is relative and there is no usable baseline. */
export function limitOf(t: Threshold, baseline: number | null | undefined): number | null {
	if (!t.relative) return t.value;
	// A relative threshold over a zero or missing baseline has no meaning (2 × 0 = 0
	// would make every non-zero value critical); it stays inactive.
	if (baseline === null || baseline === undefined || !Number.isFinite(baseline) || baseline === 0) return null;
	return t.value * baseline;
}

export function crosses(value: number, t: Threshold, baseline: number | null | undefined): boolean {
	const limit = limitOf(t, baseline);
	if (limit === null || Number.isNaN(value)) return false;
	return t.op === '>' ? value > limit : value < limit;
}
