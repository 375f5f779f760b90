// Contract used by the engine, session, audit log and report. The safety
// work owns this file and refines the rules; the signatures stay.

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL/i;

/** Values of environment variables whose names say they are secrets. */
export function secretValues(env: Record<string, string | undefined>): string[] {
	const values: string[] = [];
	for (const [name, value] of Object.entries(env)) {
		if (value && value.length >= 4 && SECRET_NAME.test(name)) values.push(value);
	}
	// Longest first so a secret that contains another is masked whole.
	return values.sort((a, b) => b.length - a.length);
}

export type Masker = (text: string) => string;

/** Masks secret env values, URL passwords and bearer tokens in text. */
export function createMasker(env: Record<string, string | undefined> = {}): Masker {
	const values = secretValues(env);
	return (text: string) => {
		let out = text;
		for (const value of values) out = out.split(value).join('****');
		out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)@/gi, '$1****@');
		out = out.replace(/(Authorization:\s*Bearer\s+)[^\s'"]+/gi, '$1****');
		return out;
	};
}
