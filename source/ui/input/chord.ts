// The bytes a terminal sends for a key id, for the one key that must be seen
// in raw input: the chord that leaves typing mode (Ctrl-] by default, as in
// telnet and `docker attach`). Ctrl+letter and the Ctrl symbols map to their
// control byte, a printable key to itself; anything else falls back to Ctrl-].
export const DEFAULT_LEAVE = 'ctrl+]';

export function chordBytes(id: string | undefined): string {
	if (!id) return '\x1d';
	const ctrl = /^ctrl\+(.)$/i.exec(id);
	if (ctrl) {
		const code = ctrl[1]!.toUpperCase().charCodeAt(0);
		if (code >= 0x40 && code <= 0x5f) return String.fromCharCode(code & 0x1f);
		return '\x1d';
	}
	if ([...id].length === 1 && id.charCodeAt(0) >= 0x20) return id;
	return '\x1d';
}
