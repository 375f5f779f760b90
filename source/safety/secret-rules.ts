// What the masker recognises in text, besides the values of secret-named
// variables: credential-bearing syntax (a URL password, an Authorization
// header, `password=`, `curl -u user:pw`, `mysql -ppw`, SQL `PASSWORD '...'`),
// well-known token shapes and webhook URLs whose path is the secret. Each rule
// is a regex source with a named head `(?<h>...)`, kept, and a value
// `(?<v>...)`, masked.

import type {Trigger} from './trigger-scan.js';

export const MASK = '****';

/** `secrets:` in the frontmatter and the user config. */
export interface SecretRuleSpec {
	/** Variable names whose values are secrets; `*` is a wildcard (`*_CERT`), case ignored. */
	names?: string[];
	/** Regex sources; every match is masked. */
	patterns?: string[];
}

const MYSQL_CLIENTS = 'mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mysqlpump|mysqlsh|mariadb|mariadb-dump';

/**
 * Each rule runs only when one of its triggers (plain substrings, found by
 * their rarest character: trigger-scan.ts) is in the text: on ordinary output most rules are
 * skipped. A trigger must be in every text the rule can match, so triggers
 * are case-free characters (`://`, `=`, ` -`) or the exact spelling of names
 * that are case-sensitive themselves (token prefixes). Few distinct triggers
 * (each is one scan of the text); rules sharing one pay for it once.
 */
interface RuleSpec {
	source: string;
	/** Case-insensitive (default) or exact. */
	exact?: boolean;
	/** null: always run. */
	triggers: string[] | null;
	/** Triggers matched in any ASCII case (a word the rule's regex reads case-insensitively). */
	caseless?: string[];
	/**
	 * Words (any case) one of which every match holds: checked, with one
	 * regex, after a trigger was found. For a rule whose triggers are in most
	 * lines (`=`, `:`) and whose regex cannot skip ahead (it starts with `[\w-]*`).
	 */
	requires?: string[];
}

/** An option after whitespace (`curl -u`, `mysql -p`, `redis-cli -a`): every command-shaped rule needs one. */
const OPTION = [' -', '\t-'];

const SPECS: RuleSpec[] = [
	// postgres://user:pw@host, redis://:pw@host
	{source: String.raw`(?<h>\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)(?<v>[^\s@'"]+)(?=@)`, triggers: ['://']},
	{source: String.raw`(?<h>\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token|digest|bot)?\s*)(?<v>[^\s'",;]+)`, triggers: [':', '=']},
	{source: String.raw`(?<h>\bbearer\s+)(?<v>[A-Za-z0-9._~+/=-]{8,})`, triggers: [], caseless: ['bearer']},
	{source: String.raw`(?<h>\b(?:x-api-key|api-key|x-auth-token|private-token|x-vault-token|set-cookie|cookie)["']?\s*:\s*["']?)(?<v>[^\s'",;]+)`, triggers: [':']},
	// password=..., "token": "...", --password=..., SENTRY_DSN=..., REDISCLI_AUTH=...
	{
		source: String.raw`(?<h>(?<!\$\{)\b[\w-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|routing[_-]?key|integration[_-]?key|credentials?|webhook(?:[_-]?url)?|dsn|auth|_session|_cookie|_pass)\b["']?\s*(?:=|:(?!\/\/))\s*["']?)(?<v>[^\s'",;&)}\]]+)`,
		triggers: ['=', ':'],
		// (every name above holds one of these; log lines full of `=` and `:` mostly hold none)
		requires: ['pass', 'pwd', 'secret', 'token', 'key', 'credential', 'webhook', 'dsn', 'auth', '_session', '_cookie'],
	},
	// ALTER USER app PASSWORD 'pw', CREATE USER x IDENTIFIED BY 'pw'
	// (one rule each: a regex that starts with a word is scanned much faster than an alternation)
	{source: String.raw`(?<h>\bpassword\s+')(?<v>(?:[^'\\\n]|''|\\.)+)(?=')`, triggers: ["'"]},
	{source: String.raw`(?<h>\bidentified\s+by\s+')(?<v>(?:[^'\\\n]|''|\\.)+)(?=')`, triggers: ["'"]},
	{source: String.raw`(?<h>\bpassword\s+\\?")(?<v>(?:[^"\\\n]|\\[^"])+)(?=\\?")`, triggers: ['"']},
	{source: String.raw`(?<h>\bidentified\s+by\s+\\?")(?<v>(?:[^"\\\n]|\\[^"])+)(?=\\?")`, triggers: ['"']},
	// curl -u user:pw, curl --user=user:pw (the part after the colon)
	{source: String.raw`(?<h>\b(?:curl|wget|http|https)\b[^\n]*?\s(?:-u|--user|--proxy-user|-U|--auth|-a)[ \t]*=?[ \t]*['"]?[^\s:'"]+:)(?<v>[^\s'"@]+)`, exact: true, triggers: OPTION},
	// redis-cli -a pw, redis-cli --pass pw
	{source: String.raw`(?<h>\b(?:redis|valkey|keydb)-cli\b[^\n]*?\s(?:-a|--pass)[ \t]+['"]?)(?<v>[^\s'"]+)`, exact: true, triggers: OPTION},
	// mysql -ppw, mysql -p'pw', mysqldump -p pw
	{source: String.raw`(?<h>\b(?:${MYSQL_CLIENTS})\b[^\n]*?\s-p[ \t]*['"]?)(?<v>[^\s'"-][^\s'"]*)`, exact: true, triggers: OPTION},
	{source: String.raw`(?<h>\bsshpass\s+-p[ \t]*['"]?)(?<v>[^\s'"]+)`, exact: true, triggers: OPTION},
	// --password pw, --pass pw (the value as the next word)
	{source: String.raw`(?<h>--pass(?:word)?[ \t]+['"]?)(?<v>[^\s'"-][^\s'"]*)`, exact: true, triggers: ['--pass']},
	// Token shapes: GitHub, AWS access key ids, Slack, JWTs.
	{source: String.raw`(?<h>)(?<v>\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}))`, exact: true, triggers: ['_']},
	{source: String.raw`(?<h>)(?<v>\b(?:AKIA|ASIA)[A-Z0-9]{16}\b)`, exact: true, triggers: ['AKIA', 'ASIA']},
	// (the whole prefix with its dash: looked for by the dash, not by an x that a line of x is full of)
	{source: String.raw`(?<h>)(?<v>\bxox[abposre]-[A-Za-z0-9-]{10,})`, exact: true, triggers: [...'abposre'].map(c => `xox${c}-`)},
	{source: String.raw`(?<h>)(?<v>\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)`, exact: true, triggers: ['eyJ']},
	// Webhook URLs: the path is the secret.
	{source: String.raw`(?<h>\bhooks\.slack\.com\/(?:services|workflows|triggers)\/)(?<v>[^\s'"<>]+)`, triggers: ['.com/', '.COM/']},
	{source: String.raw`(?<h>\bdiscord(?:app)?\.com\/api\/webhooks\/)(?<v>[^\s'"<>]+)`, triggers: ['.com/', '.COM/']},
	{source: String.raw`(?<h>\.webhook\.office\.com\/)(?<v>[^\s'"<>]+)`, triggers: ['.com/', '.COM/']},
	{source: String.raw`(?<h>\boutlook\.office(?:365)?\.com\/webhook\/)(?<v>[^\s'"<>]+)`, triggers: ['.com/', '.COM/']},
	{source: String.raw`(?<h>\bevents\.pagerduty\.com\/integration\/)(?<v>[^\s'"<>/]+)`, triggers: ['.com/', '.COM/']},
	{source: String.raw`(?<h>\.logic\.azure\.com[^\s'"<>]*?[?&]sig=)(?<v>[^\s'"<>&]+)`, triggers: ['=']},
];

export interface SecretRule {
	re: RegExp;
	/** null: always run. */
	triggers: Trigger[] | null;
	/** One of these words (any case) must be in the text too (RuleSpec.requires). */
	requires?: RegExp;
}

export const RULES: SecretRule[] = SPECS.map(s => ({
	re: new RegExp(s.source, s.exact ? 'g' : 'gi'),
	triggers: s.triggers === null ? null : [...s.triggers.map(text => ({text})), ...(s.caseless ?? []).map(text => ({text, caseless: true}))],
	...(s.requires ? {requires: new RegExp(s.requires.join('|'), 'i')} : {}),
}));

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
