// Finds out fast whether a text (or a chunk of output bytes) holds any of a
// set of literal triggers: the masker's rule triggers, the secret values.
// Each trigger is looked for by its rarest character first, with one
// `indexOf` of a single character or byte (memchr speed: ~15 ms for ten
// scans of 100 MB); the whole trigger is compared only from where that
// character occurs. A plain `includes` of each trigger was the masker's cost
// on clean output (600 ms per 100 MB): a multi-character needle is searched
// much slower than one character, and worst on text that repeats its first
// character ('xox' in a line of x).

export interface Trigger {
	text: string;
	/** Matches in any ASCII case (`bearer`, `Bearer`, `BEARER`). */
	caseless?: boolean;
}

/** English letters from the most to the least frequent; other characters rank by kind. */
const LETTERS = 'etaoinshrdlcumwfgypbvkjxqz';

/** Lower is rarer in ordinary output: punctuation, then capitals and digits, then letters by frequency; blanks last. */
function commonness(char: string): number {
	if (char === ' ' || char === '\t' || char === '\n' || char === '\r') return 100;
	if (char >= 'A' && char <= 'Z') return 20;
	if (char >= '0' && char <= '9') return 30;
	const letter = LETTERS.indexOf(char.toLowerCase());
	if (letter >= 0) return 40 + (LETTERS.length - letter);
	// Punctuation that ordinary text is full of.
	if ('.,-/'.includes(char)) return 10;
	return 0;
}

interface Compiled {
	text: string;
	/** The anchor character(s) (two for a caseless letter) and the anchor's offset in the trigger. */
	anchors: string[];
	anchorBytes: number[];
	offset: number;
	/** The same offset in the trigger's UTF-8 bytes. */
	byteOffset: number;
	bytes: Buffer;
	/** Caseless triggers are confirmed with this regex (global, searched from the anchor's offset). */
	re?: RegExp;
}

function escapeRegex(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(trigger: Trigger): Compiled {
	const {text} = trigger;
	let offset = 0;
	for (let i = 1; i < text.length; i++) if (commonness(text[i]!) < commonness(text[offset]!)) offset = i;
	const char = text[offset]!;
	// Caseless triggers are ASCII (rule triggers): both cases of the anchor are looked for.
	const anchors = trigger.caseless && char.toLowerCase() !== char.toUpperCase() ? [char.toLowerCase(), char.toUpperCase()] : [char];
	const bytes = Buffer.from(text, 'utf8');
	// The byte anchor of a non-ASCII character is its first UTF-8 byte, at its byte offset.
	const byteOffset = Buffer.byteLength(text.slice(0, offset), 'utf8');
	return {
		text,
		anchors,
		anchorBytes: anchors.map(a => Buffer.from(a, 'utf8')[0]!),
		offset,
		byteOffset,
		bytes,
		...(trigger.caseless ? {re: new RegExp(escapeRegex(text), 'gi')} : {}),
	};
}

export class TriggerScan {
	private readonly compiled: Compiled[];

	constructor(triggers: Trigger[]) {
		const unique = new Map<string, Trigger>();
		for (const t of triggers) if (t.text) unique.set(`${t.caseless ? 'i' : 's'}:${t.text}`, t);
		this.compiled = [...unique.values()].map(compile);
	}

	get size(): number {
		return this.compiled.length;
	}

	/** Does `text` hold any of the triggers? */
	anyIn(text: string): boolean {
		for (const c of this.compiled) if (hasInText(text, c)) return true;
		return false;
	}

	/** Does `bytes` (UTF-8) hold any of the triggers? */
	anyInBytes(bytes: Buffer): boolean {
		for (const c of this.compiled) if (hasInBytes(bytes, c)) return true;
		return false;
	}
}

/** One trigger in a text: its anchor first, then the whole trigger from there. */
export function hasTrigger(text: string, trigger: Trigger): boolean {
	return hasInText(text, cached(trigger));
}

const cache = new Map<string, Compiled>();
function cached(trigger: Trigger): Compiled {
	const key = `${trigger.caseless ? 'i' : 's'}:${trigger.text}`;
	let c = cache.get(key);
	if (!c) cache.set(key, (c = compile(trigger)));
	return c;
}

function firstAnchor(text: string, c: Compiled): number {
	let first = -1;
	for (const a of c.anchors) {
		const at = text.indexOf(a);
		if (at >= 0 && (first < 0 || at < first)) first = at;
	}
	return first;
}

function hasInText(text: string, c: Compiled): boolean {
	const at = firstAnchor(text, c);
	if (at < 0) return false;
	if (c.text.length === 1) return true;
	const from = Math.max(0, at - c.offset);
	if (!c.re) return text.includes(c.text, from);
	c.re.lastIndex = from;
	return c.re.test(text);
}

function hasInBytes(bytes: Buffer, c: Compiled): boolean {
	let at = -1;
	for (const b of c.anchorBytes) {
		const found = bytes.indexOf(b);
		if (found >= 0 && (at < 0 || found < at)) at = found;
	}
	if (at < 0) return false;
	if (c.bytes.length === 1) return true;
	const from = Math.max(0, at - c.byteOffset);
	if (!c.re) return bytes.indexOf(c.bytes, from) >= 0;
	// Caseless triggers are ASCII: latin1 keeps every byte one character, so the regex sees the bytes.
	c.re.lastIndex = 0;
	return c.re.test(bytes.toString('latin1', from));
}
