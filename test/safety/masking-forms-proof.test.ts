// Proof, for every secret form the masker knows, that none reaches the disk
// or the screen: real `run` processes print secrets under the widened names,
// token shapes and webhook URLs, credential literals written in the
// checklist itself, names and patterns added by the frontmatter and the user
// config, a secret carried in memory from one step to the next (read by the
// next step without --yes: preflight must count it as set), and secrets in a
// line far longer than the masker's 64 KiB buffer. Then every file under the
// state dir (logs, state.json, exit files, audit log, the checklist cache),
// the report and everything printed are searched for each secret and for
// every 8-character piece of it.
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {filesUnder} from '../session/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'deploycockpit.cjs');

const GHP = 'ghp_Pr00fT0kenAbCdEfGhIjKlMnOpQrStUv0123';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwcm9vZi1kZXBsb3kifQ.UHJvb2ZTaWduYXR1cmVGb3JUZXN0c1g';

// Environment of the run: widened names, and names added by the frontmatter and the user config.
const ENV: Record<string, string> = {
	MYSQL_PWD: 'env-mysqlpwd-A1',
	SMTP_PASS: 'env-smtppass-B2',
	ALERT_WEBHOOK: 'https://hooks.example.net/in/envWebhookPathC3',
	SENTRY_DSN: 'https://envDsnKeyD4@o1.ingest.example/77',
	REDISCLI_AUTH: 'env-redisauth-E5',
	SITE_COOKIE: 'env-sitecookie-F6',
	ADMIN_SESSION: 'env-adminsess-G7',
	SIGNING_PRIVATE_MATERIAL: 'env-privmat-H8',
	ACME_VAULTISH: 'env-vaultish-I9',
	CFGONLY_VALUE: 'env-cfgonly-J0',
};

/** What must never be found: the secret part of each value (a URL's scheme and host are not secret). */
const SECRETS: Record<string, string> = {
	MYSQL_PWD: ENV.MYSQL_PWD!,
	SMTP_PASS: ENV.SMTP_PASS!,
	ALERT_WEBHOOK: 'envWebhookPathC3',
	SENTRY_DSN: 'envDsnKeyD4',
	REDISCLI_AUTH: ENV.REDISCLI_AUTH!,
	SITE_COOKIE: ENV.SITE_COOKIE!,
	ADMIN_SESSION: ENV.ADMIN_SESSION!,
	SIGNING_PRIVATE_MATERIAL: ENV.SIGNING_PRIVATE_MATERIAL!,
	'frontmatter name *_VAULTISH': ENV.ACME_VAULTISH!,
	'user config name CFGONLY_*': ENV.CFGONLY_VALUE!,
	'frontmatter pattern': 'acme_pr00fpatt3rn',
	'user config pattern': 'zeta_pr00fcfgpatt3rn0',
	'Slack webhook': 'T0PR00F01/B0PR00F02/SlackPathSecret0123',
	'Discord webhook': '998877665544332211/DiscordPathSecret-0123',
	'Teams webhook': 'TeamsPathSecret0a1b2c@3d4e5f/IncomingWebhook/9f8e7d',
	'PagerDuty key': 'pd0f1e2d3c4b5a69788796a5b4c3d2e1',
	'GitHub token': GHP,
	'GitHub fine-grained token': 'github_pat_11PR00F000aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
	'AWS key id': 'AKIAPR00FKEY0000ABCD',
	'Slack token': 'xoxb-1112223334-5556667778889-PrOoFsLaCkToK',
	JWT: 'eyJzdWIiOiJwcm9vZi1kZXBsb3kifQ.UHJvb2ZTaWduYXR1cmVGb3JUZXN0c1g',
	'PEM line 1': 'MIIEpAIBAAKCAQEAPr00fPemBodyLineOne',
	'PEM line 2': 'Pr00fPemBodyLineTwoZyXwVuTsRqPoNm',
	"ALTER USER PASSWORD '…'": 'Lit-alter-pw-01',
	'curl -u user:pw': 'Lit-curl-pw-02',
	'redis-cli -a pw': 'Lit-redis-pw-03',
	'mysql -ppw': 'Lit-mysql-pw-04',
	'PGPASSWORD=pw psql': 'Lit-pg-pw-05',
	'--password=pw': 'Lit-flag-pw-06',
	'mysqldump -p pw': 'Lit-dump-pw-07',
	'carried *_PASS': 'crPq-77x9-Z0k',
	'carried token-shaped value': 'AKIAPR00FCARRIED0001',
};

const CHECKLIST = `---
deploycockpit:
  secrets:
    names: ['*_VAULTISH']
    patterns: ['acme_[a-z0-9]{12}']
---
# Every secret form

## Steps

- [ ] Print secrets from the environment and well-known shapes
  \`\`\`bash
  for v in MYSQL_PWD SMTP_PASS ALERT_WEBHOOK SENTRY_DSN REDISCLI_AUTH SITE_COOKIE ADMIN_SESSION SIGNING_PRIVATE_MATERIAL ACME_VAULTISH CFGONLY_VALUE; do
    echo "$v is \${!v}"
  done
  echo "pattern values: acme_pr00fpatt3rn zeta_pr00fcfgpatt3rn0"
  echo "slack https://hooks.slack.com/services/T0PR00F01/B0PR00F02/SlackPathSecret0123"
  echo "discord https://discord.com/api/webhooks/998877665544332211/DiscordPathSecret-0123"
  echo "teams https://contoso.webhook.office.com/webhookb2/TeamsPathSecret0a1b2c@3d4e5f/IncomingWebhook/9f8e7d"
  echo "pagerduty https://events.pagerduty.com/integration/pd0f1e2d3c4b5a69788796a5b4c3d2e1/enqueue"
  echo "gh ${GHP} and github_pat_11PR00F000aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
  echo "aws AKIAPR00FKEY0000ABCD slack xoxb-1112223334-5556667778889-PrOoFsLaCkToK"
  echo "jwt ${JWT}"
  printf '%s\\n' '-----BEGIN RSA PRIVATE KEY-----' 'MIIEpAIBAAKCAQEAPr00fPemBodyLineOne' 'Pr00fPemBodyLineTwoZyXwVuTsRqPoNm' '-----END RSA PRIVATE KEY-----'
  echo VISIBLE-MARKER-OK
  \`\`\`
- [ ] Carry secrets to the next step
  \`\`\`bash
  export NEW_APP_PASS="$(printf 'cr%s-%s-%s' Pq 77x9 Z0k)"
  export ROTATED="$(printf 'AKIA%s%s%s' PR00F CARR IED0001)"
  echo carried
  \`\`\`
- [ ] Read the carried secrets
  \`\`\`bash
  echo "carried pass is $NEW_APP_PASS and id $ROTATED"
  \`\`\`
- [ ] Print a very long line
  \`\`\`bash
  pad=$(head -c 60000 /dev/zero | tr '\\0' x)
  rep=""
  for i in $(seq 150); do rep="$rep,$SMTP_PASS,${GHP},xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; done
  printf '%s%s\\n' "$pad" "$rep"
  \`\`\`
- [ ] Use credentials written in the checklist and fail
  \`\`\`bash
  psql -c "ALTER USER app WITH PASSWORD 'Lit-alter-pw-01'"
  curl -fsS -u deploy:Lit-curl-pw-02 https://ci.invalid/api
  redis-cli -a Lit-redis-pw-03 PING
  mysql -u root -pLit-mysql-pw-04 shop
  PGPASSWORD=Lit-pg-pw-05 psql -c 'SELECT 1'
  tool --password=Lit-flag-pw-06
  mysqldump -u root -p Lit-dump-pw-07 shop
  exit 3
  \`\`\`
`;

let dir: string;
let stateDir: string;
let printed = '';
let sectionRun: {status: number | null; stderr: string};

function run(...args: string[]) {
	const r = spawnSync(process.execPath, [bin, ...args], {
		cwd: dir,
		encoding: 'utf8',
		env: {...process.env, ...ENV, PATH: `${join(dir, 'stubs')}:${process.env.PATH}`, DEPLOYCOCKPIT_STATE_DIR: stateDir, DEPLOYCOCKPIT_CONFIG_DIR: join(dir, 'config'), NO_COLOR: '1'},
	});
	printed += r.stdout + r.stderr;
	return r;
}

beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'dc-forms-'));
	stateDir = join(dir, 'state');
	mkdirSync(join(dir, 'stubs'));
	for (const name of ['psql', 'curl', 'redis-cli', 'mysql', 'mysqldump', 'tool']) {
		writeFileSync(join(dir, 'stubs', name), '#!/bin/sh\necho "stub: $(basename "$0") $*"\n[ -n "$PGPASSWORD" ] && echo "PGPASSWORD=$PGPASSWORD"\nexit 0\n');
		chmodSync(join(dir, 'stubs', name), 0o755);
	}
	mkdirSync(join(dir, 'config'));
	writeFileSync(join(dir, 'config', 'config.json'), JSON.stringify({secrets: {names: ['CFGONLY_*'], patterns: ['zeta_[a-z0-9]{16}']}}));
	writeFileSync(join(dir, 'secrets.md'), CHECKLIST);
	writeFileSync(join(dir, 'clean.md'), '# Clean\n\n## Steps\n\n- [ ] Say hello\n  ```bash\n  echo hello\n  ```\n');
	// Without --yes: nothing here is dangerous, and the step reading the carried secret must not be refused.
	sectionRun = run('run', 'secrets.md', '--section', 'steps');
	expect(run('status', 'secrets.md', '--json').status).toBe(0);
	expect(run('report', 'secrets.md', '--out', join(dir, 'report.md')).status).toBe(0);
	expect(run('report', 'secrets.md').status).toBe(0);
	// A checklist without secrets is cached in the same state dir: the cache really is written.
	expect(run('run', 'clean.md', '--step', 'steps/say-hello').status).toBe(0);
}, 120_000);

afterAll(() => {
	rmSync(dir, {recursive: true, force: true});
});

describe('masking proof, every secret form', () => {
	it('the section ran to the failing last step without --yes (preflight counts the secret carried in memory)', () => {
		expect(sectionRun.stderr).not.toContain('unset variables');
		expect(sectionRun.status, sectionRun.stderr).toBe(3);
		expect(printed).toContain('VISIBLE-MARKER-OK');
		expect(printed).toContain('carried pass is **** and id ****');
		expect(printed).toContain('stub: curl -fsS -u deploy:****');
		expect(printed).toContain('https://hooks.slack.com/services/****');
		expect(printed).toContain('-----BEGIN RSA PRIVATE KEY-----');
		const report = readFileSync(join(dir, 'report.md'), 'utf8');
		expect(report).toContain('Use credentials written in the checklist and fail');
		expect(report).toContain('redis-cli -a ****');
	});

	it('the very long line was written (the search below covers it)', () => {
		const logs = filesUnder(stateDir).filter(f => f.endsWith('.log'));
		expect(logs.some(f => readFileSync(f, 'utf8').includes('x'.repeat(50_000)))).toBe(true);
	});

	it('the checklist cache holds the clean checklist and not the one with credentials in it', () => {
		const cache = filesUnder(join(stateDir, 'cache'));
		expect(cache).toHaveLength(1);
		expect(readFileSync(cache[0]!, 'utf8')).toContain('Say hello');
	});

	it('no secret, nor any 8-character piece of one, is in any file under the state dir, the report or the output', () => {
		const haystacks: Array<[string, string]> = filesUnder(stateDir).map(f => [f.slice(stateDir.length), readFileSync(f, 'utf8')]);
		haystacks.push(['report.md', readFileSync(join(dir, 'report.md'), 'utf8')]);
		haystacks.push(['printed output', printed]);
		expect(haystacks.length).toBeGreaterThan(8);
		const leaks: string[] = [];
		for (const [name, text] of haystacks) {
			for (const [form, secret] of Object.entries(SECRETS)) {
				for (let i = 0; i + 8 <= secret.length; i++) {
					if (text.includes(secret.slice(i, i + 8))) {
						leaks.push(`${form}: ${JSON.stringify(secret.slice(i, i + 8))} in ${name}`);
						break;
					}
				}
			}
		}
		expect(leaks).toEqual([]);
	});
});
