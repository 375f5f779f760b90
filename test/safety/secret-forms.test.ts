// Every secret form the masker knows, table-driven: the value must be gone
// from the masked text (and no 8-character piece of it left), and a harmless
// look-alike must come through unchanged.
import {afterEach, describe, expect, it} from 'vitest';
import {addSecretRules, createMasker, createStreamMasker, isSecretName, resetSecretRules} from '../../source/safety/mask.js';

afterEach(() => resetSecretRules());

function pieces(secret: string): string[] {
	const out: string[] = [];
	for (let i = 0; i + 8 <= secret.length; i++) out.push(secret.slice(i, i + 8));
	return out.length > 0 ? out : [secret];
}

function leaked(text: string, secret: string): string[] {
	return pieces(secret).filter(p => text.includes(p));
}

// [what, env, text printed, the secret in it]
const byName: Array<[string, Record<string, string>, string, string]> = [
	['*_PASS', {SMTP_PASS: 'smtp-Pz81-qq'}, 'login with smtp-Pz81-qq', 'smtp-Pz81-qq'],
	['MYSQL_PWD', {MYSQL_PWD: 'my-Pwd-7731x'}, 'pwd is my-Pwd-7731x', 'my-Pwd-7731x'],
	['*_WEBHOOK', {DEPLOY_WEBHOOK: 'https://hooks.example.net/in/9f8e7d6c5b'}, 'POST https://hooks.example.net/in/9f8e7d6c5b ok', 'hooks.example.net/in/9f8e7d6c5b'],
	['*_DSN', {SENTRY_DSN: 'https://k3y0dsn91@o1.ingest.example/42'}, 'dsn=https://k3y0dsn91@o1.ingest.example/42', 'k3y0dsn91@o1.ingest.example/42'],
	['*_AUTH', {REDISCLI_AUTH: 'rc-Auth-55aa'}, 'auth rc-Auth-55aa', 'rc-Auth-55aa'],
	['*_COOKIE', {SITE_COOKIE: 'ck-Val-9911zz'}, 'cookie ck-Val-9911zz', 'ck-Val-9911zz'],
	['*_SESSION', {ADMIN_SESSION: 'sess-Qw12-er34'}, 'using sess-Qw12-er34', 'sess-Qw12-er34'],
	['*_PRIVATE*', {SIGNING_PRIVATE_PEM: 'pem-Body-00x1y2'}, 'key pem-Body-00x1y2', 'pem-Body-00x1y2'],
];

// [what, text, secret]
const byShape: Array<[string, string, string]> = [
	['Slack webhook', 'curl -X POST https://hooks.slack.com/services/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', 'T0AB12CD3/B0EF45GH6/Zq8Xw7Vu6Ts5Rq4Po3Nm2Lk1'],
	['Discord webhook', 'url: https://discord.com/api/webhooks/112233445566778899/aBcD-eFgH_iJkL-mNoP', '112233445566778899/aBcD-eFgH_iJkL-mNoP'],
	['Teams webhook', 'https://contoso.webhook.office.com/webhookb2/0a1b2c3d-4e5f@6a7b8c9d/IncomingWebhook/e0f1a2b3c4/d5e6f7a8', '0a1b2c3d-4e5f@6a7b8c9d/IncomingWebhook/e0f1a2b3c4/d5e6f7a8'],
	['PagerDuty integration key in a URL', 'https://events.pagerduty.com/integration/9c8b7a6f5e4d3c2b1a0f/enqueue', '9c8b7a6f5e4d3c2b1a0f'],
	['PagerDuty routing_key', '{"routing_key": "R0ut1ngK3yAbCdEf0123", "event_action": "trigger"}', 'R0ut1ngK3yAbCdEf0123'],
	['GitHub ghp_', 'token ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 in use', 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'],
	['GitHub github_pat_', 'github_pat_11AAAAAAA0bbbbbbbbbbbb_cccccccccccccccccccccccccccccccccc', 'github_pat_11AAAAAAA0bbbbbbbbbbbb_cccccccccccccccccccccccccccccccccc'],
	['AWS access key id', 'aws_access_key_id AKIAQWERTYUIOP123456', 'AKIAQWERTYUIOP123456'],
	['AWS session key id', 'ASIAZXCVBNMASDFGHJKL assumed', 'ASIAZXCVBNMASDFGHJKL'],
	['Slack token', 'SLACK=xoxb-2222222222-3333333333333-AbCdEfGhIjKl', 'xoxb-2222222222-3333333333333-AbCdEfGhIjKl'],
	['JWT', 'got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXBsb3kiLCJpYXQiOjE3MDB9.Qm9ndXNTaWduYXR1cmVGb3JUZXN0cw', 'eyJzdWIiOiJkZXBsb3kiLCJpYXQiOjE3MDB9.Qm9ndXNTaWduYXR1cmVGb3JUZXN0cw'],
	['PEM private key', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBogusPemBodyLine1xyz\nAwEHoUQDQgAEBogusPemBodyLine2\n-----END EC PRIVATE KEY-----', 'MHcCAQEEIBogusPemBodyLine1xyz'],
	["SQL PASSWORD '...'", "ALTER USER app WITH PASSWORD 'Alt3r-pw-Zz09';", 'Alt3r-pw-Zz09'],
	['SQL IDENTIFIED BY', "CREATE USER 'r'@'%' IDENTIFIED BY 'Ident-pw-4455';", 'Ident-pw-4455'],
	['curl -u user:pw', 'curl -fsS -u deploy:Curl-pw-8080 https://ci.example/api', 'Curl-pw-8080'],
	['curl --user=user:pw', 'curl --user=deploy:Curl-pw-9090 https://ci.example/api', 'Curl-pw-9090'],
	['redis-cli -a pw', 'redis-cli -h 127.0.0.1 -a Redis-pw-6379x INFO', 'Redis-pw-6379x'],
	['mysql -ppw', 'mysql -u root -pMysql-pw-3306x shop', 'Mysql-pw-3306x'],
	["mysql -p'pw'", "mysql -u root -p'Mysql-pw-q3307' shop", 'Mysql-pw-q3307'],
	['mysqldump -p pw', 'mysqldump -u root -p Dump-pw-3308x shop', 'Dump-pw-3308x'],
	['PGPASSWORD=pw psql', 'PGPASSWORD=Pg-pw-5432x psql -h db -c "SELECT 1"', 'Pg-pw-5432x'],
	['--password=pw', 'tool --password=Flag-pw-1111x --verbose', 'Flag-pw-1111x'],
	['--password pw', 'tool --password Flag-pw-2222x --verbose', 'Flag-pw-2222x'],
	['the same in JSON (cache, state)', JSON.stringify({code: "mysql -p'Json-pw-4444x' && psql -c \"ALTER ROLE a PASSWORD 'Json-pw-5555x'\""}), 'Json-pw-4444x'],
];

const lookAlikes = [
	'cd $PWD && ls',
	'docker run -u 1000:1000 app',
	'sudo -u deploy systemctl status app',
	'mysql --version',
	'ghp_short',
	'The password field is required',
	'see https://example.com/docs/webhooks for details',
	'TOKEN=$API_TOKEN',
];

describe('secret names', () => {
	it.each(byName)('%s: the value is masked wherever it appears', (_what, env, text, secret) => {
		const out = createMasker(env)(text);
		expect(leaked(out, secret)).toEqual([]);
		expect(out).toContain('****');
	});
	it('the shell directory and desktop session variables are not secrets', () => {
		expect(isSecretName('PWD')).toBe(false);
		expect(isSecretName('OLDPWD')).toBe(false);
		expect(isSecretName('XDG_SESSION_ID')).toBe(false);
		expect(isSecretName('XDG_SESSION_CLASS')).toBe(false);
		expect(createMasker({PWD: '/home/ana', XDG_SESSION_CLASS: 'user'})('/home/ana user')).toBe('/home/ana user');
	});
	it('names added by the user (frontmatter or config) count too, with * as a wildcard', () => {
		expect(isSecretName('ACME_VAULTISH')).toBe(false);
		addSecretRules({names: ['*_VAULTISH', 'exact_one']});
		expect(isSecretName('ACME_VAULTISH')).toBe(true);
		expect(isSecretName('EXACT_ONE')).toBe(true);
		expect(isSecretName('EXACT_ONE_MORE')).toBe(false);
		expect(createMasker({ACME_VAULTISH: 'vaultish-Val-77'})('v=vaultish-Val-77')).toBe('v=****');
	});
	it('patterns added by the user are masked; an invalid one is reported and matched literally', () => {
		expect(addSecretRules({patterns: ['acme_[a-z0-9]{12}', '(unclosed']})).toEqual([expect.stringContaining('(unclosed')]);
		const mask = createMasker({});
		expect(mask('id acme_abcdef123456 and (unclosed')).toBe('id **** and ****');
	});
});

describe('secret shapes and credential syntax', () => {
	it.each(byShape)('%s', (_what, text, secret) => {
		const out = createMasker({})(text);
		expect(leaked(out, secret)).toEqual([]);
	});
	it.each(lookAlikes)('look-alike %j is left alone', text => {
		expect(createMasker({})(text)).toBe(text);
	});
	it('a PEM key handed over line by line is masked from BEGIN to END', () => {
		const s = createStreamMasker({});
		let out = '';
		for (const l of ['-----BEGIN OPENSSH PRIVATE KEY-----\n', 'b3BlbnNzaC1rZXktdjEAAAAABogus\n', 'QyNTUxOQAAACBogusSecondLine\n', '-----END OPENSSH PRIVATE KEY-----\n', 'after\n']) out += s.write(l);
		expect(out).toBe('-----BEGIN OPENSSH PRIVATE KEY-----\n****\n****\n-----END OPENSSH PRIVATE KEY-----\nafter\n');
	});
});

describe('very long lines', () => {
	// The forced cut of a line without whitespace used to fall anywhere: a
	// token across it came out in two pieces, neither of which looks like one.
	it.each([0, 10, 20, 37, 500, 1000, 1023, 1024, 1030, 2000])('a token or secret across the forced cut is masked whole (offset %i)', offset => {
		const env = {X_TOKEN: 'envtok-Abcdefgh-123456'};
		const s = createStreamMasker(env, {maxPending: 4096});
		const gh = 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
		const line = 'x'.repeat(4096 - 1024 - 20 + offset) + `,${gh},` + 'y'.repeat(3000 + offset) + ',envtok-Abcdefgh-123456,' + 'z'.repeat(9000) + '\n';
		let out = '';
		for (let i = 0; i < line.length; i += 333) out += s.write(line.slice(i, i + 333));
		out += s.end();
		expect(leaked(out, gh)).toEqual([]);
		expect(leaked(out, env.X_TOKEN)).toEqual([]);
		expect(out.length).toBeGreaterThan(12_000);
	});
});
