import {describe, expect, it} from 'vitest';
import {KeyParser, parseKeys, PASTE_END, PASTE_START} from '../../source/ui/input/parse-keys.js';
import {isDeliberate, keyId, type Key} from '../../source/ui/input/keys.js';

/** A parser with a hand-driven clock: tests decide when the ESC timeout fires. */
function manualParser() {
	const keys: Key[] = [];
	let pending: {fn: () => void; ms: number} | null = null;
	const parser = new KeyParser({
		onKey: k => keys.push(k),
		escTimeoutMs: 75,
		setTimer: (fn, ms) => (pending = {fn, ms}),
		clearTimer: () => (pending = null),
	});
	return {
		parser,
		keys,
		timerPending: () => pending !== null,
		timerMs: () => pending?.ms,
		fireTimer: () => {
			const p = pending;
			pending = null;
			p?.fn();
		},
	};
}

describe('key parser: coalesced input', () => {
	it('splits "jjj" in one chunk into three j keys marked batched', () => {
		const keys = parseKeys('jjj');
		expect(keys.map(k => k.name)).toEqual(['j', 'j', 'j']);
		expect(keys.every(k => k.batched)).toBe(true);
	});

	it('a single key alone is not batched and is deliberate', () => {
		const [key] = parseKeys('\r');
		expect(key?.name).toBe('enter');
		expect(key?.batched).toBe(false);
		expect(isDeliberate(key!)).toBe(true);
	});

	it('splits escape sequences mixed with letters in one chunk', () => {
		const keys = parseKeys('j\x1b[Bk\x1b[5~\x1b[6~G');
		expect(keys.map(k => k.name)).toEqual(['j', 'down', 'k', 'pageup', 'pagedown', 'G']);
		expect(keys.map(keyId)).toEqual(['j', 'down', 'k', 'pageup', 'pagedown', 'G']);
	});

	it('a typed-ahead "j\\r" marks the Enter batched so it cannot start a run', () => {
		const keys = parseKeys('j\r');
		expect(keys[1]?.name).toBe('enter');
		expect(isDeliberate(keys[1]!)).toBe(false);
	});

	it('recognises arrows, Home/End variants, Shift-Tab, F-keys and modifiers', () => {
		const cases: Array<[string, string]> = [
			['\x1b[A', 'up'],
			['\x1bOB', 'down'],
			['\x1b[H', 'home'],
			['\x1b[1~', 'home'],
			['\x1b[4~', 'end'],
			['\x1bOF', 'end'],
			['\x1b[Z', 'shift+tab'],
			['\x1bOP', 'f1'],
			['\x1b[15~', 'f5'],
			['\x1b[24~', 'f12'],
			['\x1b[1;5A', 'ctrl+up'],
			['\x1b[1;2B', 'shift+down'],
			['\x1b[3~', 'delete'],
			['\x03', 'ctrl+c'],
			['\t', 'tab'],
			['\x7f', 'backspace'],
			[' ', 'space'],
			['\x1bx', 'alt+x'],
			['é', 'é'],
		];
		for (const [input, id] of cases) {
			const keys = parseKeys(input);
			expect(keys.length, JSON.stringify(input)).toBe(1);
			expect(keyId(keys[0]!), JSON.stringify(input)).toBe(id);
		}
	});
});

describe('key parser: ESC split over a slow link', () => {
	it('waits before deciding that a lone ESC is Esc, and joins the rest of an arrow that arrives later', () => {
		const t = manualParser();
		t.parser.feed('\x1b');
		expect(t.keys).toHaveLength(0);
		expect(t.timerPending()).toBe(true);
		expect(t.timerMs()).toBeGreaterThanOrEqual(50);
		expect(t.timerMs()).toBeLessThanOrEqual(100);
		t.parser.feed('[');
		expect(t.keys).toHaveLength(0);
		t.parser.feed('A');
		expect(t.keys.map(keyId)).toEqual(['up']);
		expect(t.timerPending()).toBe(false);
	});

	it('a lone ESC becomes Esc once the timeout passes', () => {
		const t = manualParser();
		t.parser.feed('\x1b');
		t.fireTimer();
		expect(t.keys.map(keyId)).toEqual(['escape']);
	});

	it('a split PgDn sequence (ESC [ 6 / ~) is one key', () => {
		const t = manualParser();
		t.parser.feed('\x1b[6');
		expect(t.keys).toHaveLength(0);
		t.parser.feed('~');
		expect(t.keys.map(keyId)).toEqual(['pagedown']);
	});

	it('Esc followed later by a letter stays two keys when the timeout fired in between', () => {
		const t = manualParser();
		t.parser.feed('\x1b');
		t.fireTimer();
		t.parser.feed('j');
		expect(t.keys.map(keyId)).toEqual(['escape', 'j']);
	});

	it('works with real timers too', async () => {
		const keys: Key[] = [];
		const parser = new KeyParser({onKey: k => keys.push(k), escTimeoutMs: 60});
		parser.feed('\x1b');
		await new Promise(r => setTimeout(r, 20));
		parser.feed('[B');
		await new Promise(r => setTimeout(r, 120));
		expect(keys.map(keyId)).toEqual(['down']);
		parser.feed('\x1b');
		await new Promise(r => setTimeout(r, 150));
		expect(keys.map(keyId)).toEqual(['down', 'escape']);
	});
});

describe('key parser: bracketed paste', () => {
	it('delivers pasted text as one paste key, never as commands', () => {
		const keys = parseKeys(`${PASTE_START}q\rx y${PASTE_END}`);
		expect(keys).toHaveLength(1);
		expect(keys[0]).toMatchObject({name: 'paste', ch: 'q\rx y', paste: true});
		expect(isDeliberate(keys[0]!)).toBe(false);
	});

	it('a paste split across chunks (even inside the end marker) is still one paste', () => {
		const t = manualParser();
		t.parser.feed(PASTE_START + 'rm -rf ');
		t.parser.feed('/tmp/x\r\x1b[20');
		expect(t.keys).toHaveLength(0);
		t.parser.feed('1~j');
		expect(t.keys.map(k => k.name)).toEqual(['paste', 'j']);
		expect(t.keys[0]!.ch).toBe('rm -rf /tmp/x\r');
	});

	it('a paste start marker split at its ESC is recognised', () => {
		const t = manualParser();
		t.parser.feed('\x1b[2');
		t.parser.feed('00~hello' + PASTE_END);
		expect(t.keys.map(k => [k.name, k.ch])).toEqual([['paste', 'hello']]);
	});
});
