// Secrets never reach the screen or the disk: everything that is shown,
// logged, persisted or reported goes through a masker first. Masking too much
// is acceptable; masking too little is not. Speed matters as much (a step may
// print 100 MB): secret values are found with `includes` before anything is
// replaced, and each rule runs only when its trigger is in the text. One
// combined regex of all rules was measured slower: V8 scans a regex with a
// literal start very fast, an alternation of twenty-odd rules position by
// position (bench: 395 ms for 10 MB of plain lines, against ~20 ms).
import {
	compileNamePatterns,
	compileUserPatterns,
	MASK,
	PEM_BEGIN,
	PEM_BLOCK,
	PEM_END,
	RULES,
	type SecretRuleSpec,
} from './secret-rules.js';
import {ByteLines} from './byte-lines.js';
import {hasTrigger, type Trigger} from './trigger-scan.js';

export {MASK, type SecretRuleSpec} from './secret-rules.js';

/**
 * Variable names whose values are secrets. `PWD`/`OLDPWD` (the shell's
 * directory) are not, `MYSQL_PWD` and `*_PWD` are.
 */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|WEBHOOK|PRIVATE|_(?:PASS|PWD|DSN|AUTH|COOKIE|SESSION)$|^(?:DSN|AUTH|COOKIE)$/i;
/** Values that are not secrets even under a secret-looking name (`FEATURE_KEY_ENABLED=true`). */
const NOT_SECRET = /^(true|false|yes|no|on|off|null|none|0|1)$/i;

/** Names and patterns added by the checklist's frontmatter and the user config (`secrets:`). */
let userNames: RegExp[] = [];
let userPatterns: RegExp[] = [];
let userSpec: Required<SecretRuleSpec> = {names: [], patterns: []};

/**
 * Adds secret names (`*_CERT`, `VAULT_ROLE_ID`; `*` is a wildcard, case
 * ignored) and value patterns (regex sources) for the rest of the process.
 * Returns problems (a pattern that is not a valid regex) to show as warnings.
 */
export function addSecretRules(spec: SecretRuleSpec | undefined): string[] {
	if (!spec || typeof spec !== 'object') return [];
	const names = (Array.isArray(spec.names) ? spec.names : []).filter((n): n is string => typeof n === 'string' && n !== '' && !userSpec.names.includes(n));
	const patterns = (Array.isArray(spec.patterns) ? spec.patterns : []).filter((p): p is string => typeof p === 'string' && p !== '' && !userSpec.patterns.includes(p));
	const problems: string[] = [];
	userSpec = {names: [...userSpec.names, ...names], patterns: [...userSpec.patterns, ...patterns]};
	userNames = compileNamePatterns(userSpec.names);
	const compiled = compileUserPatterns(userSpec.patterns);
	userPatterns = compiled.patterns;
	problems.push(...compiled.problems);
	userRegex = userPatterns.length === 0 ? null : new RegExp(userPatterns.map(p => p.source).join('|'), 'gi');
	return problems;
}

/** The rules added so far (the runner process gets them in its spec). */
export function secretRules(): Required<SecretRuleSpec> {
	return {names: [...userSpec.names], patterns: [...userSpec.patterns]};
}

/** Forgets added rules (tests). */
export function resetSecretRules(): void {
	userSpec = {names: [], patterns: []};
	userNames = [];
	userPatterns = [];
	userRegex = null;
}

export function isSecretName(name: string): boolean {
	return SECRET_NAME.test(name) || userNames.some(re => re.test(name));
}

/** Values of environment variables whose names say they are secrets. */
export function secretValues(env: Record<string, string | undefined>): string[] {
	const values = new Set<string>();
	const add = (v: string) => {
		if (v.length >= 4 && !NOT_SECRET.test(v)) values.add(v);
	};
	for (const [name, value] of Object.entries(env)) {
		if (!value || !isSecretName(name)) continue;
		add(value);
		add(value.trim());
		// The same secret as it appears in URLs and in JSON strings.
		const encoded = encodeURIComponent(value);
		if (encoded !== value) add(encoded);
		const json = JSON.stringify(value).slice(1, -1);
		if (json !== value) add(json);
		// Line-buffered streams see a multi-line secret (a PEM key) one line at a time.
		if (value.includes('\n')) for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) add(line.trim());
	}
	// Longest first so a secret that contains another is masked whole.
	return [...values].sort((a, b) => b.length - a.length);
}

export type Masker = (text: string) => string;

/** The user's patterns as one regex (every match masked whole). */
let userRegex: RegExp | null = null;

/** The rule regexes that can match a text: built-in ones whose trigger it holds, and the user's. */
function rulesFor(text: string): RegExp[] {
	const out: RegExp[] = [];
	// Several rules share a trigger: each distinct one is looked for once.
	const seen = new Map<Trigger, boolean>();
	const has = (t: Trigger) => {
		let found = seen.get(t);
		if (found === undefined) seen.set(t, (found = hasTrigger(text, t)));
		return found;
	};
	for (const rule of RULES) {
		if (rule.triggers !== null && !rule.triggers.some(has)) continue;
		if (rule.requires && !rule.requires.test(text)) continue;
		out.push(rule.re);
	}
	if (userRegex) out.push(userRegex);
	return out;
}

/**
 * Everything whose presence in a text makes masking do something: the rules'
 * triggers, a PEM key's `PRIVATE KEY`, the secret values. Undefined when some
 * rule has no trigger (the user's patterns): then every text is masked.
 */
function maskTriggers(values: string[]): Trigger[] | undefined {
	if (userRegex || RULES.some(r => r.triggers === null)) return undefined;
	return [...RULES.flatMap(r => r.triggers!), {text: 'PRIVATE KEY'}, ...values.map(text => ({text}))];
}

function escapeRegex(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One regex for a list of literal values, longest first (so the longest overlapping one wins). */
function valuesRegex(values: string[]): RegExp | null {
	return values.length === 0 ? null : new RegExp(values.map(escapeRegex).join('|'), 'g');
}

/** Masks secret env values, token shapes, URL passwords, authorization headers, credential flags and `password=` values. */
export function createMasker(env: Record<string, string | undefined> = {}, extraSecrets: string[] = []): Masker {
	return carryingMasker(env, extraSecrets).mask;
}

/** What a masker carries from one text to the next (see maskEdges and maskPem). */
interface Carry {
	rest: string | null;
	inPem: boolean;
}

/** A masker and what it carries between texts (the stream masker's fast path must see that). */
function carryingMasker(env: Record<string, string | undefined>, extraSecrets: string[]): {mask: Masker; carry: Carry; values: string[]} {
	const values = [...new Set([...secretValues(env), ...extraSecrets.filter(v => v.length >= 4)])].sort((a, b) => b.length - a.length);
	const literal = valuesRegex(values);
	const carry: Carry = {rest: null, inPem: false};
	const mask = (text: string) => {
		if (!text) return text;
		// `includes` first: the regex of all values is only run on a text that holds one.
		let out = literal && values.some(v => text.includes(v)) ? text.replace(literal, MASK) : text;
		out = maskEdges(out, values, carry);
		out = maskPem(out, carry);
		for (const re of rulesFor(out)) out = out.replace(re, replaceRule);
		return out;
	};
	return {mask, carry, values};
}

/** Keeps the part of a match that names the secret (`password=`, `https://hooks.slack.com/services/`) and masks the value. */
function replaceRule(whole: string, ...rest: unknown[]): string {
	const groups = rest.at(-1);
	// The user's patterns have no groups: the whole match is the secret.
	if (typeof groups !== 'object' || groups === null) return MASK;
	const {h: head = '', v: value} = groups as {h?: string; v?: string};
	if (value === undefined) return MASK;
	// `TOKEN=$API_TOKEN` names a variable, it does not reveal one.
	if (value.startsWith('$') || value.startsWith('<') || value === MASK) return whole;
	return head + MASK + whole.slice(head.length + value.length);
}

/**
 * A PEM private key block: masked whole when it is in one text; a stream that
 * hands it over line by line masks every line from BEGIN to END.
 */
function maskPem(text: string, carry: {inPem: boolean}): string {
	let out = text;
	if (carry.inPem) {
		const end = PEM_END.exec(out);
		if (!end) return out.replace(/[^\r\n]+/g, MASK);
		carry.inPem = false;
		out = out.slice(0, end.index).replace(/[^\r\n]+/g, MASK) + out.slice(end.index);
	}
	if (!out.includes('PRIVATE KEY')) return out;
	out = out.replace(PEM_BLOCK, (_whole, begin: string, _kind: string, end: string) => `${begin}${MASK}${end}`);
	const open = PEM_BEGIN.exec(out);
	if (open && !PEM_END.test(out.slice(open.index))) {
		carry.inPem = true;
		const after = open.index + open[0].length;
		out = out.slice(0, after) + out.slice(after).replace(/[^\r\n]+/g, MASK);
	}
	return out;
}

/** Shortest beginning of a secret that is masked when a text ends inside it. */
const EDGE_MIN = 4;

/**
 * A stream flushed in the middle of a secret (a partial line let through
 * after a pause) hands the masker the secret in two pieces: one text ends
 * with its beginning, the next starts with the rest. The beginning is masked
 * and remembered, so the rest is masked when it arrives. A masker is
 * therefore best used for one stream (the engine makes one per run).
 */
function maskEdges(text: string, values: string[], carry: {rest: string | null}): string {
	let out = text;
	const rest = carry.rest;
	carry.rest = null;
	if (rest && out.startsWith(rest)) out = MASK + out.slice(rest.length);
	for (const value of values) {
		if (value.length <= EDGE_MIN) continue;
		for (let k = value.length - 1; k >= EDGE_MIN; k--) {
			if (out.endsWith(value.slice(0, k))) {
				out = out.slice(0, out.length - k) + MASK;
				carry.rest = value.slice(k);
				return out;
			}
		}
	}
	return out;
}

/** Deep-masks every string in a JSON-able value (session state, audit entries). */
export function maskDeep<T>(value: T, mask: Masker): T {
	if (typeof value === 'string') return mask(value) as T;
	if (Array.isArray(value)) return value.map(v => maskDeep(v, mask)) as T;
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
			// A secret-named carried variable (`export DB_PASSWORD=...`) is kept as a mask, not its value.
			out[k] = typeof v === 'string' && isSecretName(k) && v !== '' && !v.startsWith('$') ? MASK : maskDeep(v, mask);
		}
		return out as T;
	}
	return value;
}

export interface StreamMasker {
	/** Feed a chunk; returns the masked text that is safe to emit now (may be ''). */
	write(chunk: string): string;
	/**
	 * Feed raw output (UTF-8); `emit` gets what is safe to pass on now, in
	 * order: bytes where nothing needed masking (no decoding, no copy; valid
	 * only during the call), masked text where something did.
	 */
	writeBytes(chunk: Buffer, emit: (out: string | Buffer) => void): void;
	/**
	 * Emit what a quiet stream has been holding (a prompt, progress dots),
	 * except a tail that could be the start of a secret value.
	 */
	flushIdle(): string;
	/** End of stream: everything, masked. */
	end(): string;
}

/** The overlap kept back when a long line must be cut: longer than any pattern's usual match. */
const PATTERN_OVERLAP = 1024;

/**
 * Line-buffered masking for output streams: a secret split across two
 * chunks is still masked because text is only emitted up to a line end.
 * Lines longer than maxPending are cut at whitespace; a line without
 * whitespace is cut where no secret value and no rule match straddles the cut
 * (an overlap of the longest secret, at least 1 KiB, is kept back to see it).
 */
export function createStreamMasker(env: Record<string, string | undefined> = {}, options: StreamMaskerOptions = {}): StreamMasker {
	const {mask, carry, values: secrets} = carryingMasker(env, options.extraSecrets ?? []);
	const literal = valuesRegex(secrets);
	const longest = secrets.reduce((n, s) => Math.max(n, s.length), 0);
	const maxPending = options.maxPending ?? 64 * 1024;
	const overlap = Math.max(longest, PATTERN_OVERLAP);
	let pending = '';
	const triggers = maskTriggers(secrets);
	const bytes = new ByteLines(triggers && [...triggers, ...(options.rewrites ?? []).map(text => ({text}))], secrets, Math.max(PATTERN_OVERLAP, ...secrets.map(v => Buffer.byteLength(v))));

	/** Moves a cut back to the start of any secret or rule match that straddles it. */
	const outsideMatches = (text: string, cut: number): number => {
		let at = cut;
		// A literal and a rule match may overlap: repeat until no match straddles the cut.
		for (let moved = true, round = 0; moved && round < 8; round++) {
			moved = false;
			for (const re of [literal, ...rulesFor(text)]) {
				if (!re) continue;
				re.lastIndex = 0;
				for (let m = re.exec(text); m; m = re.exec(text)) {
					if (m[0].length === 0) re.lastIndex++;
					if (m.index >= at) break;
					if (m.index + m[0].length >= at) {
						at = m.index;
						moved = true;
					}
				}
			}
		}
		return at;
	};

	/** Where text can be cut without splitting a secret, a URL or a header value. */
	const safeCut = (text: string, keepTail: number): number => {
		let cut = text.length - keepTail;
		if (cut <= 0) return 0;
		// Back up to whitespace so a URL or token is never split.
		const ws = Math.max(text.lastIndexOf(' ', cut - 1), text.lastIndexOf('\t', cut - 1));
		cut = ws >= 0 ? ws + 1 : 0;
		// A secret value that contains spaces must not straddle the cut either.
		return cut > 0 ? outsideMatches(text, cut) : 0;
	};

	/** Length of the longest end of `text` that is the start (not the whole) of a secret value. */
	const secretPrefixTail = (text: string): number => {
		for (let k = Math.min(longest - 1, text.length); k > 0; k--) {
			const tail = text.slice(text.length - k);
			if (secrets.some(secret => secret.length > k && secret.startsWith(tail))) return k;
		}
		return 0;
	};

	const stream: StreamMasker = {
		write(chunk: string): string {
			const text = pending + bytes.takeText() + chunk;
			// \r ends a line too: progress bars redraw with it.
			const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
			let out = cut > 0 ? mask(text.slice(0, cut)) : '';
			pending = text.slice(cut);
			if (pending.length >= maxPending) {
				let c = safeCut(pending, overlap);
				// No whitespace: cut anyway (memory stays bounded), but never inside a match.
				if (c <= 0) c = outsideMatches(pending, pending.length - overlap);
				// One match longer than the whole buffer: masked whole rather than held forever.
				if (c <= 0 && pending.length >= maxPending * 4) c = pending.length;
				if (c > 0) {
					out += mask(pending.slice(0, c));
					pending = pending.slice(c);
				}
			}
			return out;
		},
		writeBytes(chunk: Buffer, emit: (out: string | Buffer) => void): void {
			// Text held (a long line, a cut), a secret cut in two or a PEM block open: the text way.
			if (pending || carry.rest !== null || carry.inPem || !bytes.fast) {
				const out = stream.write(bytes.decode(chunk));
				if (out) emit(out);
				return;
			}
			const held = bytes.lines(chunk, mask, emit);
			// A line longer than maxPending: held as text from here, cut like any long line.
			if (held >= maxPending) {
				const out = stream.write('');
				if (out) emit(out);
			}
		},
		flushIdle(): string {
			pending += bytes.takeText();
			if (!pending) return '';
			// Hold back only a tail that could be the beginning of a secret value, so a
			// prompt's typed echo shows at once (holding `longest - 1` characters kept it back until Enter).
			let c = pending.length - secretPrefixTail(pending);
			// A token that pattern masks read whole (user:pass@host, key=value) waits for its end.
			const ws = Math.max(pending.lastIndexOf(' ', c - 1), pending.lastIndexOf('\t', c - 1));
			if (/[:=@]/.test(pending.slice(ws + 1, c))) c = ws + 1;
			if (c <= 0) return '';
			const head = pending.slice(0, c);
			pending = pending.slice(c);
			return mask(head);
		},
		end(): string {
			const rest = pending + bytes.takeText() + bytes.endText();
			pending = '';
			return rest ? mask(rest) : '';
		},
	};
	return stream;
}

export interface StreamMaskerOptions {
	maxPending?: number;
	extraSecrets?: string[];
	/**
	 * Texts the caller rewrites in what it is given (the runner's `environment:
	 * line N:`): output holding one is handed over as text, never as bytes.
	 */
	rewrites?: string[];
}
