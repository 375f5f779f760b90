// What the masker recognises in text, besides the values of secret-named
// variables: credential-bearing syntax (a URL password, an Authorization
// header, `password=`, `curl -u user:pw`, `mysql -ppw`, SQL `PASSWORD '...'`),
// well-known token shapes and webhook URLs whose path is the secret. Each rule
// is a regex source with a named head `(?<h>...)`, kept, and a value
// `(?<v>...)`, masked; they are combined into one regex (see mask.ts).

export const MASK = '****';

/** `secrets:` in the frontmatter and the user config. */
export interface SecretRuleSpec {
	/** Variable names whose values are secrets; `*` is a wildcard (`*_CERT`), case ignored. */
	names?: string[];
	/** Regex sources; every match is masked. */
	patterns?: string[];
}

const MYSQL_CLIENTS = 'mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mysqlpump|mysqlsh|mariadb|mariadb-dump';

const SOURCES: string[] = [
	// postgres://user:pw@host, redis://:pw@host
	String.raw`(?<h>\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)(?<v>[^\s@'"]+)(?=@)`,
	String.raw`(?<h>\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token|digest|bot)?\s*)(?<v>[^\s'",;]+)`,
	String.raw`(?<h>\bbearer\s+)(?<v>[A-Za-z0-9._~+/=-]{8,})`,
	String.raw`(?<h>\b(?:x-api-key|api-key|x-auth-token|private-token|x-vault-token|set-cookie|cookie)["']?\s*:\s*["']?)(?<v>[^\s'",;]+)`,
	// password=..., "token": "...", --password=..., SENTRY_DSN=..., REDISCLI_AUTH=...
	String.raw`(?<h>(?<!\$\{)\b[\w-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|routing[_-]?key|integration[_-]?key|credentials?|webhook(?:[_-]?url)?|dsn|auth|_session|_cookie|_pass)\b["']?\s*(?:=|:(?!\/\/))\s*["']?)(?<v>[^\s'",;&)}\]]+)`,
	// ALTER USER app PASSWORD 'pw', CREATE USER x IDENTIFIED BY 'pw'
	String.raw`(?<h>\b(?:password|identified\s+by)\s+')(?<v>(?:[^'\\\n]|''|\\.)+)(?=')`,
	String.raw`(?<h>\b(?:password|identified\s+by)\s+\\?")(?<v>(?:[^"\\\n]|\\[^"])+)(?=\\?")`,
	// curl -u user:pw, curl --user=user:pw, wget --http-user ... (the part after the colon)
	String.raw`(?<h>\b(?:curl|wget|http|https|httpie)\b[^\n]*?\s(?:-u|--user|--proxy-user|-U|--auth|-a)[ \t]*=?[ \t]*['"]?[^\s:'"]+:)(?<v>[^\s'"@]+)`,
	// redis-cli -a pw, redis-cli --pass pw
	String.raw`(?<h>\b(?:redis|valkey|keydb)-cli\b[^\n]*?\s(?:-a|--pass)[ \t]+['"]?)(?<v>[^\s'"]+)`,
	// mysql -ppw, mysql -p'pw', mysqldump -p pw
	String.raw`(?<h>\b(?:${MYSQL_CLIENTS})\b[^\n]*?\s-p[ \t]*['"]?)(?<v>[^\s'"-][^\s'"]*)`,
	String.raw`(?<h>\bsshpass\s+-p[ \t]*['"]?)(?<v>[^\s'"]+)`,
	// --password pw, --pass pw (the value as the next word)
	String.raw`(?<h>--pass(?:word)?[ \t]+['"]?)(?<v>[^\s'"-][^\s'"]*)`,
	// Token shapes: GitHub, AWS access key ids, Slack, JWTs.
	String.raw`(?<h>)(?<v>\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}))`,
	String.raw`(?<h>)(?<v>\b(?:AKIA|ASIA)[A-Z0-9]{16}\b)`,
	String.raw`(?<h>)(?<v>\bxox[abposre]-[A-Za-z0-9-]{10,})`,
	String.raw`(?<h>)(?<v>\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)`,
	// Webhook URLs: the path is the secret.
	String.raw`(?<h>\bhooks\.slack\.com\/(?:services|workflows|triggers)\/)(?<v>[^\s'"<>]+)`,
	String.raw`(?<h>\bdiscord(?:app)?\.com\/api\/webhooks\/)(?<v>[^\s'"<>]+)`,
	String.raw`(?<h>\.webhook\.office\.com\/)(?<v>[^\s'"<>]+)`,
	String.raw`(?<h>\boutlook\.office(?:365)?\.com\/webhook\/)(?<v>[^\s'"<>]+)`,
	String.raw`(?<h>\bevents\.pagerduty\.com\/integration\/)(?<v>[^\s'"<>/]+)`,
	String.raw`(?<h>\.logic\.azure\.com[^\s'"<>]*?[?&]sig=)(?<v>[^\s'"<>&]+)`,
];

/** The rules, their groups numbered (`h0`/`v0`, `h1`/`v1`, ...) so they can share one regex. */
export const RULES: Array<{source: string}> = SOURCES.map((source, i) => ({source: source.replace('(?<h>', `(?<h${i}>`).replace('(?<v>', `(?<v${i}>`)}));

/** A PEM private key block, whole (also with `\n` written as `\\n` in JSON). */
export const PEM_BLOCK = /(-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----)[\s\S]*?(-----END \2PRIVATE KEY-----)/g;
export const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
export const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/;

/** `*_CERT`, `VAULT_ROLE_ID` → anchored, case-insensitive regexes. */
export function compileNamePatterns(names: string[]): RegExp[] {
	return names.map(n => new RegExp(`^${n.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i'));
}

/** User value patterns; one that is not a valid regex is matched literally and reported. */
export function compileUserPatterns(patterns: string[]): {patterns: RegExp[]; problems: string[]} {
	const out: RegExp[] = [];
	const problems: string[] = [];
	for (const p of patterns) {
		try {
			// Groups of the user's pattern must not shift the numbered groups of the rules.
			out.push(new RegExp(p.replace(/(?<!\\)\((?!\?)/g, '(?:').replace(/\(\?<([A-Za-z_]\w*)>/g, '(?:'), 'i'));
		} catch {
			problems.push(`secret pattern ${JSON.stringify(p)} is not a valid regex; matched as text`);
			out.push(new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'));
		}
	}
	return {patterns: out, problems};
}
