// The cockpit's own stdin parser. Ink's parser treats a chunk as one input;
// over SSH chunks coalesce ("jjj") and escape sequences split (ESC, then
// "[A" 40 ms later), so we keep a buffer and decide a lone ESC only after
// ESC_TIMEOUT_MS without more bytes.
import type {Key} from './keys.js';

export const ESC_TIMEOUT_MS = 75;
export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';
export const ENABLE_PASTE = '\x1b[?2004h';
export const DISABLE_PASTE = '\x1b[?2004l';

const CSI_TILDE: Record<string, string> = {
	'1': 'home', '2': 'insert', '3': 'delete', '4': 'end', '5': 'pageup', '6': 'pagedown', '7': 'home', '8': 'end',
	'11': 'f1', '12': 'f2', '13': 'f3', '14': 'f4', '15': 'f5', '17': 'f6', '18': 'f7', '19': 'f8', '20': 'f9', '21': 'f10', '23': 'f11', '24': 'f12',
};
const CSI_LETTER: Record<string, string> = {A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', P: 'f1', Q: 'f2', R: 'f3', S: 'f4', E: 'clear'};
const SS3: Record<string, string> = {A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', P: 'f1', Q: 'f2', R: 'f3', S: 'f4', M: 'enter'};

type Parsed = {key: Omit<Key, 'batched' | 'paste'>; length: number} | 'incomplete';

function make(name: string, ch = '', mods: Partial<Pick<Key, 'ctrl' | 'meta' | 'shift'>> = {}): Omit<Key, 'batched' | 'paste'> {
	return {name, ch, ctrl: mods.ctrl ?? false, meta: mods.meta ?? false, shift: mods.shift ?? false};
}

function modifiers(param: string | undefined): Partial<Pick<Key, 'ctrl' | 'meta' | 'shift'>> {
	const n = Number(param ?? '1') - 1;
	if (!Number.isFinite(n) || n <= 0) return {};
	return {shift: (n & 1) !== 0, meta: (n & 2) !== 0, ctrl: (n & 4) !== 0};
}

/** One key at the start of `s` (which starts with a control character or text). */
function parseOne(s: string, final: boolean): Parsed {
	const c = s[0]!;
	if (c === '\x1b') {
		if (s.length === 1) return final ? {key: make('escape'), length: 1} : 'incomplete';
		const c1 = s[1]!;
		if (c1 === '[') {
			// CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, final 0x40–0x7E.
			let i = 2;
			while (i < s.length && s.charCodeAt(i) >= 0x20 && s.charCodeAt(i) <= 0x3f) i++;
			if (i >= s.length) return final ? {key: make('escape'), length: 1} : 'incomplete';
			const fin = s[i]!;
			const code = fin.charCodeAt(0);
			if (code < 0x40 || code > 0x7e) return {key: make('escape'), length: 1};
			const params = s.slice(2, i).split(';');
			const length = i + 1;
			if (fin === '~') {
				const name = CSI_TILDE[params[0] ?? ''];
				return {key: make(name ?? 'unknown', '', modifiers(params[1])), length};
			}
			if (fin === 'Z') return {key: make('tab', '', {shift: true}), length};
			const name = CSI_LETTER[fin];
			return {key: make(name ?? 'unknown', '', modifiers(params[1])), length};
		}
		if (c1 === 'O') {
			if (s.length === 2) return final ? {key: make('o', 'O', {meta: true, shift: true}), length: 2} : 'incomplete';
			const name = SS3[s[2]!];
			if (name) return {key: make(name), length: 3};
			return {key: make('escape'), length: 1};
		}
		if (c1 === '\x1b') {
			// ESC ESC [A: some terminals send Alt+arrow this way.
			const inner = parseOne(s.slice(1), final);
			if (inner === 'incomplete') return inner;
			if (inner.key.name === 'escape') return {key: make('escape'), length: 1};
			return {key: {...inner.key, meta: true}, length: inner.length + 1};
		}
		// Alt+key: ESC followed by one character.
		const inner = parseOne(s.slice(1), true);
		if (inner === 'incomplete') return inner;
		return {key: {...inner.key, meta: true}, length: inner.length + 1};
	}
	if (c === '\r' || c === '\n') return {key: make('enter', ''), length: c === '\r' && s[1] === '\n' ? 2 : 1};
	if (c === '\t') return {key: make('tab', ''), length: 1};
	if (c === '\x7f' || c === '\b') return {key: make('backspace'), length: 1};
	if (c === ' ') return {key: make('space', ' '), length: 1};
	if (c === '\x00') return {key: make('space', '', {ctrl: true}), length: 1};
	const code = c.charCodeAt(0);
	if (code < 0x20) return {key: make(String.fromCharCode(code + 96), '', {ctrl: true}), length: 1};
	// One code point (surrogate pairs stay together).
	const cp = s.codePointAt(0)!;
	const ch = String.fromCodePoint(cp);
	return {key: make(ch, ch, {shift: ch !== ch.toLowerCase()}), length: ch.length};
}

export interface KeyParserOptions {
	onKey(key: Key): void;
	escTimeoutMs?: number;
	/** Injected for tests. */
	setTimer?: (fn: () => void, ms: number) => unknown;
	clearTimer?: (handle: unknown) => void;
}

export class KeyParser {
	private buffer = '';
	private pasting: string | null = null;
	private timer: unknown = null;
	private readonly timeout: number;
	private readonly setTimer: (fn: () => void, ms: number) => unknown;
	private readonly clearTimer: (handle: unknown) => void;

	constructor(private readonly options: KeyParserOptions) {
		this.timeout = options.escTimeoutMs ?? ESC_TIMEOUT_MS;
		this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
		this.clearTimer = options.clearTimer ?? (h => clearTimeout(h as ReturnType<typeof setTimeout>));
	}

	feed(chunk: string | Buffer): void {
		const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
		if (this.timer !== null) {
			this.clearTimer(this.timer);
			this.timer = null;
		}
		this.buffer += text;
		this.drain(false);
	}

	/** Decides whatever is pending (a lone ESC becomes Esc). */
	flush(): void {
		if (this.timer !== null) {
			this.clearTimer(this.timer);
			this.timer = null;
		}
		this.drain(true);
	}

	dispose(): void {
		if (this.timer !== null) this.clearTimer(this.timer);
		this.timer = null;
	}

	private drain(final: boolean): void {
		const keys: Key[] = [];
		const pasteKey = (text: string): Key => ({...make('paste', text), batched: false, paste: true});
		while (this.buffer.length > 0) {
			if (this.pasting !== null) {
				const end = this.buffer.indexOf(PASTE_END);
				if (end < 0) {
					// Keep a possible partial end marker in the buffer.
					const keep = partialSuffix(this.buffer, PASTE_END);
					this.pasting += this.buffer.slice(0, this.buffer.length - keep);
					this.buffer = this.buffer.slice(this.buffer.length - keep);
					break;
				}
				this.pasting += this.buffer.slice(0, end);
				this.buffer = this.buffer.slice(end + PASTE_END.length);
				keys.push(pasteKey(this.pasting));
				this.pasting = null;
				continue;
			}
			if (this.buffer.startsWith(PASTE_START)) {
				this.pasting = '';
				this.buffer = this.buffer.slice(PASTE_START.length);
				continue;
			}
			if (!final && this.buffer.length < PASTE_START.length && PASTE_START.startsWith(this.buffer)) break;
			const parsed = parseOne(this.buffer, final);
			if (parsed === 'incomplete') break;
			keys.push({...parsed.key, batched: false, paste: false});
			this.buffer = this.buffer.slice(parsed.length);
		}
		if (this.buffer.length > 0 && this.pasting === null && !final) {
			this.timer = this.setTimer(() => {
				this.timer = null;
				this.drain(true);
			}, this.timeout);
		}
		const batched = keys.filter(k => !k.paste).length > 1;
		for (const key of keys) {
			if (batched && !key.paste) key.batched = true;
			this.options.onKey(key);
		}
	}
}

function partialSuffix(text: string, marker: string): number {
	for (let n = Math.min(marker.length - 1, text.length); n > 0; n--) {
		if (marker.startsWith(text.slice(text.length - n))) return n;
	}
	return 0;
}

/** Parses a whole string at once (tests, scripted input). */
export function parseKeys(input: string): Key[] {
	const keys: Key[] = [];
	const parser = new KeyParser({onKey: k => keys.push(k)});
	parser.feed(input);
	parser.flush();
	return keys;
}
