// Seeded mutations for the fuzz test (a separate file so a failing seed can be replayed).
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const palette = ['```', '````', '~~~', '```bash\n', '```console\n$ ', '- [ ] ', '  - [x] ', '1. ', '\n', '\n\n', '# ', '### ', '|', '| a | b |\n|---|---|\n', '**', '**Duration**: ', '<!--', '-->', '---\n', '\r', '\r\n', '\t', '\0', '\uFEFF', '🚀', 'âœ…', '<pod>', '<<EOF', '> ', '`', '[x]', '[', ']', '(', 'Rollback', ' and ', '    ', '\\'];

export function mutate(text: string, rand: () => number): string {
	let s = text;
	const steps = 1 + Math.floor(rand() * 6);
	for (let k = 0; k < steps; k++) {
		const at = Math.floor(rand() * (s.length + 1));
		const op = Math.floor(rand() * 6);
		if (op === 0) s = s.slice(0, at) + palette[Math.floor(rand() * palette.length)] + s.slice(at);
		else if (op === 1) s = s.slice(0, at) + s.slice(at + Math.floor(rand() * 40));
		else if (op === 2) {
			const len = Math.floor(rand() * 200);
			s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
		} else if (op === 3) s = s.slice(0, at);
		else if (op === 4) {
			const lines = s.split('\n');
			const i = Math.floor(rand() * lines.length);
			const j = Math.floor(rand() * lines.length);
			[lines[i], lines[j]] = [lines[j]!, lines[i]!];
			s = lines.join('\n');
		} else s = s.slice(0, at) + String.fromCharCode(Math.floor(rand() * 0x3000)) + s.slice(at);
	}
	return s;
}
