/**
 * One key press as the cockpit sees it.
 *
 * SAFETY: an action that starts something irreversible (Enter running a
 * step, `y` confirming a dangerous command or a rollback, `y` quitting) must
 * refuse keys with `batched` or `paste` set: such keys arrived together with
 * other input (a paste without bracketed-paste support, or typed-ahead text
 * over a slow link) and were not necessarily meant as that command.
 * Navigation keys may accept them ("jjj" in one chunk moves three times).
 */
export interface Key {
	/**
	 * 'up' 'down' 'left' 'right' 'pageup' 'pagedown' 'home' 'end' 'tab'
	 * 'enter' 'escape' 'backspace' 'delete' 'insert' 'space' 'f1'..'f12',
	 * 'paste' (ch holds the pasted text), or the printable character itself
	 * ('j', 'G', '?'). Ctrl-letter: name is the lower-case letter, ctrl set.
	 */
	name: string;
	/** The text the key types ('' for non-printing keys). */
	ch: string;
	ctrl: boolean;
	meta: boolean;
	shift: boolean;
	/** Arrived in one chunk together with other keys. */
	batched: boolean;
	/** Came from a bracketed paste. */
	paste: boolean;
}

/** `ctrl+c`, `shift+tab`, `alt+x`, `G`, `enter`: the names used by keymaps. */
export function keyId(key: Key): string {
	let id = key.name;
	if (key.shift && key.name.length > 1) id = `shift+${id}`;
	if (key.meta) id = `alt+${id}`;
	if (key.ctrl) id = `ctrl+${id}`;
	return id;
}

export function isTextKey(key: Key): boolean {
	return !key.ctrl && !key.meta && (key.name === 'paste' || key.ch.length > 0) && key.name !== 'enter' && key.name !== 'tab';
}

/** True when the key may confirm something irreversible. */
export function isDeliberate(key: Key): boolean {
	return !key.batched && !key.paste;
}
