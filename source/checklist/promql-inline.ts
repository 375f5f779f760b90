// PromQL written inline in a step (`sum(rate(x[5m])) / sum(rate(y[5m])) < 0.02`)
// and the comparison that makes a query a gate (it passes when the answer is
// not empty). Bare metric names stay text, as before.

const functions = /\b(?:rate|irate|increase|delta|idelta|deriv|histogram_quantile|sum|avg|min|max|count|topk|bottomk|quantile|stddev|absent|absent_over_time|avg_over_time|max_over_time|min_over_time|sum_over_time|count_over_time|quantile_over_time|last_over_time|predict_linear|label_replace|clamp_min|clamp_max|abs|ceil|floor|round|time|vector|scalar)\s*\(/;
const selector = /(?:^|[\s(,])[a-zA-Z_:][\w:]*\{[^}]*\}/;
const range = /[a-zA-Z_:][\w:]*(?:\{[^}]*\})?\[\d+[smhdwy](?:\d+[smhdwy])*(?::\d*[smhdwy]?)?\]/;

/** The query without label matchers and strings, where `=`, `!=` and `<` mean nothing. */
function bare(query: string): string {
	return query.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
}

/** A comparison (`<`, `>`, `==`, …) outside label matchers, without `bool` (which always answers). */
export function promqlComparison(query: string): boolean {
	const b = bare(query);
	if (!/(?:==|!=|>=|<=|[<>])/.test(b)) return false;
	return !/(?:==|!=|>=|<=|[<>])\s*bool\b/.test(b);
}

/** Inline code that is a PromQL expression: a function call, a selector with labels or a range; or a metric compared with a number. */
export function isInlinePromql(code: string): boolean {
	const text = code.trim();
	if (text.length < 4 || /^(?:https?:|\/|\.\/|\$ )/.test(text) || text.includes('\n')) return false;
	// Not shell: no pipes to programs, no flags.
	if (/\s--?[a-z][\w-]*(?:\s|=|$)|\s\|\s*[a-z]/.test(text)) return false;
	if (/[;&]/.test(bare(text))) return false;
	const b = bare(text);
	if (functions.test(b) || selector.test(text) || range.test(text)) return true;
	// `up == 0`, `http_errors_ratio > 0.02`: a metric-looking name compared with a number.
	return /^[a-zA-Z_:][\w:]*[_:][\w:]*\s*(?:==|!=|>=|<=|[<>])\s*-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/.test(text) || /^up\s*(?:==|!=)\s*[01]$/.test(text);
}
