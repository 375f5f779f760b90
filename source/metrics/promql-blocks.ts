// A `promql` block usually holds several queries, one per line, each perhaps
// preceded by a `# comment` naming it. A query may span lines; it ends where
// its brackets balance.

export interface BlockQuery {
	title?: string;
	query: string;
	/** 1-based line within the block where the query starts. */
	line: number;
}

function bracketDepth(text: string): number {
	let depth = 0;
	let quote: string | null = null;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quote) {
			if (ch === '\\') i++;
			else if (ch === quote) quote = null;
			continue;
		}
		if (ch === '"' || ch === "'" || ch === '`') quote = ch;
		else if (ch === '(' || ch === '[' || ch === '{') depth++;
		else if (ch === ')' || ch === ']' || ch === '}') depth--;
		else if (ch === '#') break; // a trailing comment
	}
	return depth;
}

/** `# Error rate (should be zero)` → `Error rate`. */
function commentTitle(text: string): string {
	const t = text.replace(/^#+\s*/, '').trim();
	const cut = t.replace(/\s*\([^)]*\)\s*$/, '').replace(/[:.]\s*$/, '').trim();
	return cut || t;
}

export function splitPromql(code: string): BlockQuery[] {
	const out: BlockQuery[] = [];
	let title: string | undefined;
	let current: string[] = [];
	let start = 0;
	let depth = 0;
	const lines = code.split(/\r?\n/);
	lines.forEach((raw, index) => {
		const line = raw.trim();
		if (current.length === 0) {
			if (line === '') {
				title = undefined;
				return;
			}
			if (line.startsWith('#')) {
				title = commentTitle(line);
				return;
			}
			start = index + 1;
		}
		current.push(line);
		depth += bracketDepth(line);
		if (depth <= 0) {
			out.push({title, query: current.join(' ').replace(/\s+#[^"'`]*$/, '').trim(), line: start});
			current = [];
			depth = 0;
			title = undefined;
		}
	});
	if (current.length > 0) out.push({title, query: current.join(' ').trim(), line: start});
	return out.filter(q => q.query !== '');
}

/** A unit guessed from the query's metric names, for tiles nobody configured. */
export function guessUnit(query: string): 'seconds' | 'bytes' | 'reqps' | 'percent' | 'plain' {
	const q = query.toLowerCase();
	if (/histogram_quantile\s*\(/.test(q) || /_seconds(_sum|_bucket)?\b/.test(q)) return 'seconds';
	if (/_bytes(_total)?\b/.test(q)) return 'bytes';
	if (/\b(rate|irate)\s*\(/.test(q)) {
		// rate(errors) / rate(all) is a fraction, not a rate.
		if (/\)\s*\/\s*(sum|rate|irate|\()/.test(q)) return 'percent';
		return 'reqps';
	}
	return 'plain';
}
