// Section metadata from bold-label lines (`**Duration**: 30 minutes`) and the
// time arithmetic the cockpit needs from them.

const unitMinutes: Array<[RegExp, number]> = [
	[/^d(?:ays?)?$/, 1440],
	[/^h(?:ours?|rs?)?$/, 60],
	[/^m(?:in(?:ute)?s?)?$/, 1],
	[/^s(?:ec(?:ond)?s?)?$/, 1 / 60],
];
const unitWord = 'days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s';
const amount = `(\\d+(?:[.,]\\d+)?)\\s*(${unitWord})(?![a-z])`;

function minutesOf(value: string, unit: string): number | undefined {
	const n = Number(value.replace(',', '.'));
	const u = unitMinutes.find(([re]) => re.test(unit.toLowerCase()));
	return u && Number.isFinite(n) ? n * u[1] : undefined;
}

/**
 * "30 minutes", "2 hours", "1h30m", "2h 30min", "45 min", "< 15 minutes",
 * "15–30 minutes" (the upper bound), "90" (minutes). undefined when there is no duration.
 */
export function parseDuration(text: string): number | undefined {
	const s = text.trim().replace(/^(?:[<>≤≥~≈]=?|about|approx\.?|approximately|up to|max\.?|under|within)\s*/i, '');
	const range = new RegExp(`^(\\d+(?:[.,]\\d+)?)\\s*(?:${unitWord})?\\s*(?:-|–|—|to)\\s*${amount}`, 'i').exec(s);
	if (range) {
		const m = minutesOf(range[2]!, range[3]!);
		return m === undefined ? undefined : Math.round(m);
	}
	const parts = new RegExp(`^(?:${amount}\\s*(?:and\\s*)?)+`, 'i').exec(s);
	if (parts) {
		let total = 0;
		for (const m of parts[0].matchAll(new RegExp(amount, 'gi'))) total += minutesOf(m[1]!, m[2]!) ?? 0;
		return Math.round(total);
	}
	if (/^\d+(?:\.\d+)?$/.test(s)) return Math.round(Number(s));
	return undefined;
}

/** Minutes between the first `HH:MM–HH:MM` range in the text (across midnight too). */
export function parseWindowRange(text: string): number | undefined {
	const m = /(\d{1,2})[:.h](\d{2})\s*(?:-|–|—|to|until)\s*(\d{1,2})[:.h](\d{2})/i.exec(text);
	if (!m) return undefined;
	const [h1, m1, h2, m2] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
	if (h1 > 24 || h2 > 24 || m1 > 59 || m2 > 59) return undefined;
	let minutes = h2 * 60 + m2 - (h1 * 60 + m1);
	if (minutes <= 0) minutes += 24 * 60;
	return minutes;
}

/** Frontmatter `window:` — a number of minutes or a duration string like '2h'. */
export function parseWindowSetting(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.round(value);
	if (typeof value === 'string') return parseWindowRange(value) ?? parseDuration(value);
	return undefined;
}

/** Label keys: lower-case words joined by '-': "Rollback Authority" → "rollback-authority". */
export function labelKey(label: string): string {
	return label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}
