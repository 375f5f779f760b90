// Which values read as on/off, and what the opposite of each is, keeping the
// file's own spelling: TRUE ↔ FALSE, 1 ↔ 0, on ↔ off, yes ↔ no, enabled ↔ disabled.

const PAIRS: Array<[string, string]> = [
	['true', 'false'],
	['1', '0'],
	['on', 'off'],
	['yes', 'no'],
	['enabled', 'disabled'],
	['enable', 'disable'],
];

function matchCase(word: string, like: string): string {
	if (like === like.toUpperCase() && like !== like.toLowerCase()) return word.toUpperCase();
	if (like[0] && like[0] === like[0].toUpperCase() && like[0] !== like[0].toLowerCase()) return word[0]!.toUpperCase() + word.slice(1);
	return word;
}

export function flagEnabled(value: string | null): boolean | null {
	if (value === null) return null;
	const lower = value.trim().toLowerCase();
	for (const [on, off] of PAIRS) {
		if (lower === on) return true;
		if (lower === off) return false;
	}
	return null;
}

/** The opposite value, or null when the value is not a boolean. */
export function toggledValue(value: string | null): string | null {
	if (value === null) return null;
	const trimmed = value.trim();
	const lower = trimmed.toLowerCase();
	for (const [on, off] of PAIRS) {
		if (lower === on) return matchCase(off, trimmed);
		if (lower === off) return matchCase(on, trimmed);
	}
	return null;
}
