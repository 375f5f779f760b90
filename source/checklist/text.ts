// Small text helpers shared by the parser: normalising input, repairing
// mis-encoded UTF-8 and turning titles into id slugs.

/** Strips a BOM and turns CRLF/CR into LF; line numbers stay the same. */
export function normalizeNewlines(text: string): string {
	const noBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	return noBom.includes('\r') ? noBom.replace(/\r\n?/g, '\n') : noBom;
}

// Windows-1252 bytes 0x80–0x9F map to these code points; UTF-8 text read as
// cp1252 shows them (e.g. "âœ…" is the three bytes of "✅").
const cp1252: Record<number, number> = {
	0x20ac: 0x80, 0x201a: 0x82, 0x0192: 0x83, 0x201e: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
	0x02c6: 0x88, 0x2030: 0x89, 0x0160: 0x8a, 0x2039: 0x8b, 0x0152: 0x8c, 0x017d: 0x8e, 0x2018: 0x91,
	0x2019: 0x92, 0x201c: 0x93, 0x201d: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02dc: 0x98,
	0x2122: 0x99, 0x0161: 0x9a, 0x203a: 0x9b, 0x0153: 0x9c, 0x017e: 0x9e, 0x0178: 0x9f,
};
const byteChars = '\\u0080-\\u00ff' + Object.keys(cp1252).map(c => `\\u${Number(c).toString(16).padStart(4, '0')}`).join('');
// A UTF-8 lead byte (0xC2–0xF4 as cp1252) followed by continuation-looking characters.
const mojibakeRun = new RegExp(`[\\u00c2-\\u00f4][${byteChars}]+`, 'g');
const strictUtf8 = new TextDecoder('utf-8', {fatal: true});

/** Repairs runs of UTF-8 that were decoded as Windows-1252; leaves anything else untouched. */
export function repairMojibake(text: string): string {
	if (!/[\u00c2-\u00f4]/.test(text)) return text;
	return text.replace(mojibakeRun, run => {
		const bytes = new Uint8Array(run.length);
		for (let i = 0; i < run.length; i++) {
			const code = run.charCodeAt(i);
			const byte = code < 0x100 ? code : cp1252[code];
			if (byte === undefined) return run;
			bytes[i] = byte;
		}
		try {
			return strictUtf8.decode(bytes);
		} catch {
			return run;
		}
	});
}

/** Lower-case ASCII slug: "Stage 21_01a: Dialog" → "stage-21-01a-dialog". Never empty. */
export function slugify(text: string, fallback: string, maxLength = 48): string {
	let slug = text
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '');
	if (slug.length > maxLength) {
		const cut = slug.slice(0, maxLength);
		const dash = cut.lastIndexOf('-');
		slug = dash > maxLength / 2 ? cut.slice(0, dash) : cut.replace(/-+$/, '');
	}
	return slug || fallback;
}

/** Collapses whitespace and trims; used for titles and notes. */
export function squash(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}
