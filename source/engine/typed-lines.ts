// The lines typed into a run's terminal, in memory only. A value typed into
// a prompt may be a password (`read -s`): a carried variable holding exactly
// such a line is withheld from state.json like a secret-named one, and the
// cockpit masks these lines wherever it writes (state, audit, report).
const KEEP = 64;

export class TypedLines {
	private current = '';
	private readonly lines: string[] = [];
	private escape = false;

	feed(text: string): void {
		for (const ch of text) {
			if (this.escape) {
				// An escape sequence (arrows, bracketed paste marks) ends at a letter or ~.
				if (/[A-Za-z~]/.test(ch)) this.escape = false;
				continue;
			}
			if (ch === '\x1b') this.escape = true;
			else if (ch === '\r' || ch === '\n') this.end();
			else if (ch === '\x7f' || ch === '\b') this.current = this.current.slice(0, -1);
			else if (ch === '\x15') this.current = '';
			else if (ch >= ' ') this.current += ch;
		}
	}

	/** Lines typed so far (and the one being typed). */
	values(): string[] {
		return this.current ? [...this.lines, this.current] : [...this.lines];
	}

	private end(): void {
		if (this.current) this.lines.push(this.current);
		if (this.lines.length > KEEP) this.lines.shift();
		this.current = '';
	}
}
