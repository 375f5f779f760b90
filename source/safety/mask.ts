// Secrets never reach the screen or the disk: everything that is shown,
// logged, persisted or reported goes through a masker first. Masking too much
// is acceptable; masking too little is not.

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL/i;
/** Values that are not secrets even under a secret-looking name (`FEATURE_KEY_ENABLED=true`). */
const NOT_SECRET = /^(true|false|yes|no|on|off|null|none|0|1)$/i;
export const MASK = '****';

export function isSecretName(name: string): boolean {
	return SECRET_NAME.test(name);
}

/** Values of environment variables whose names say they are secrets. */
export function secretValues(env: Record<string, string | undefined>): string[] {
	const values = new Set<string>();
	const add = (v: string) => {
		if (v.length >= 4 && !NOT_SECRET.test(v)) values.add(v);
	};
	for (const [name, value] of Object.entries(env)) {
		if (!value || !SECRET_NAME.test(name)) continue;
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

const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s@'"]+)@/gi;
const AUTH_HEADER = /(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token|digest|bot)?\s*)([^\s'",;]+)/gi;
const BEARER = /(\bbearer\s+)([A-Za-z0-9._~+/=-]{8,})/gi;
const KEY_HEADER = /(\b(?:x-api-key|api-key|x-auth-token|private-token|x-vault-token|cookie)["']?\s*:\s*["']?)([^\s'",;]+)/gi;
/** `password=...` in connection strings, `"token": "..."` in JSON, `--password=...` flags. */
const KEY_VALUE = /((?<!\$\{)\b[\w-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)\b["']?\s*(?:=|:(?!\/\/))\s*["']?)([^\s'",;&)}\]]+)/gi;

/** Masks secret env values, URL passwords, authorization headers and `password=` style values. */
export function createMasker(env: Record<string, string | undefined> = {}, extraSecrets: string[] = []): Masker {
	const values = [...new Set([...secretValues(env), ...extraSecrets.filter(v => v.length >= 4)])].sort((a, b) => b.length - a.length);
	const carry: {rest: string | null} = {rest: null};
	return (text: string) => {
		if (!text) return text;
		let out = text;
		for (const value of values) if (out.includes(value)) out = out.split(value).join(MASK);
		out = maskEdges(out, values, carry);
		out = out.replace(URL_PASSWORD, `$1${MASK}@`);
		out = out.replace(AUTH_HEADER, keepHead);
		out = out.replace(BEARER, keepHead);
		out = out.replace(KEY_HEADER, keepHead);
		out = out.replace(KEY_VALUE, keepHead);
		return out;
	};
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

function keepHead(_whole: string, head: string, value: string): string {
	// `TOKEN=$API_TOKEN` names a variable, it does not reveal one.
	if (value.startsWith('$') || value.startsWith('<') || value === MASK) return head + value;
	return head + MASK;
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
	 * Emit what a quiet stream has been holding (a prompt, progress dots),
	 * except a tail that could be the start of a secret value.
	 */
	flushIdle(): string;
	/** End of stream: everything, masked. */
	end(): string;
}

/**
 * Line-buffered masking for output streams: a secret split across two
 * chunks is still masked because text is only emitted up to a line end.
 * Lines longer than maxPending are cut at whitespace.
 */
export function createStreamMasker(env: Record<string, string | undefined> = {}, options: {maxPending?: number; extraSecrets?: string[]} = {}): StreamMasker {
	const mask = createMasker(env, options.extraSecrets);
	const secrets = secretValues(env);
	const longest = secrets.reduce((n, s) => Math.max(n, s.length), 0);
	const maxPending = options.maxPending ?? 64 * 1024;
	let pending = '';

	/** Where text can be cut without splitting a secret, a URL or a header value. */
	const safeCut = (text: string, keepTail: number): number => {
		let cut = text.length - keepTail;
		if (cut <= 0) return 0;
		// Back up to whitespace so a URL or token is never split.
		const ws = Math.max(text.lastIndexOf(' ', cut - 1), text.lastIndexOf('\t', cut - 1));
		cut = ws >= 0 ? ws + 1 : 0;
		// A secret value that contains spaces must not straddle the cut either.
		for (const s of secrets) {
			let at = text.indexOf(s);
			while (at >= 0) {
				if (at < cut && at + s.length > cut) cut = at;
				at = text.indexOf(s, at + 1);
			}
		}
		return cut;
	};

	/** Length of the longest end of `text` that is the start (not the whole) of a secret value. */
	const secretPrefixTail = (text: string): number => {
		for (let k = Math.min(longest - 1, text.length); k > 0; k--) {
			const tail = text.slice(text.length - k);
			if (secrets.some(secret => secret.length > k && secret.startsWith(tail))) return k;
		}
		return 0;
	};

	return {
		write(chunk: string): string {
			const text = pending + chunk;
			// \r ends a line too: progress bars redraw with it.
			const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
			let out = cut > 0 ? mask(text.slice(0, cut)) : '';
			pending = text.slice(cut);
			if (pending.length >= maxPending) {
				const c = safeCut(pending, Math.max(longest, 512));
				const emit = c > 0 ? c : pending.length - Math.max(longest, 512);
				out += mask(pending.slice(0, emit));
				pending = pending.slice(emit);
			}
			return out;
		},
		flushIdle(): string {
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
			const rest = pending;
			pending = '';
			return rest ? mask(rest) : '';
		},
	};
}
