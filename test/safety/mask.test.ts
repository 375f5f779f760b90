import {describe, expect, it} from 'vitest';
import {createMasker, createStreamMasker, maskDeep, secretValues} from '../../source/safety/mask.js';

const env = {
	API_TOKEN: 's3cr3t-token-value',
	DB_PASSWORD: 'pa55@word',
	STRIPE_SECRET_KEY: 'sk_live_abcdef123456',
	AWS_CREDENTIALS: 'AKIAEXAMPLEEXAMPLE',
	ADMIN_PASSWD: 'hunter22',
	FEATURE_KEY_ENABLED: 'true',
	SHORT_KEY: 'ab',
	ENVIRONMENT: 'staging',
};

describe('secretValues', () => {
	it('takes values of secret-named variables only, longest first, never trivial ones', () => {
		const v = secretValues(env);
		expect(v).toContain('s3cr3t-token-value');
		expect(v).toContain('pa55@word');
		expect(v).toContain('pa55%40word');
		expect(v).toContain('AKIAEXAMPLEEXAMPLE');
		expect(v).not.toContain('true');
		expect(v).not.toContain('ab');
		expect(v).not.toContain('staging');
		expect([...v].sort((a, b) => b.length - a.length)).toEqual(v);
	});
});

describe('createMasker', () => {
	const mask = createMasker(env);
	const cases: Array<[string, string]> = [
		['token is s3cr3t-token-value.', 'token is ****.'],
		['pw=pa55@word done', 'pw=**** done'],
		['url-encoded pa55%40word', 'url-encoded ****'],
		['connecting to postgres://app:topsecret@db.internal:5432/app', 'connecting to postgres://app:****@db.internal:5432/app'],
		['redis://:r3dispw@127.0.0.1:6379/0', 'redis://:****@127.0.0.1:6379/0'],
		['https://user:p%40ss@example.test/x', 'https://user:****@example.test/x'],
		['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'Authorization: Bearer ****'],
		['curl -H "Authorization: Bearer abc.def.ghi" https://x', 'curl -H "Authorization: Bearer ****" https://x'],
		['authorization: Basic dXNlcjpwYXNz', 'authorization: Basic ****'],
		['sent Bearer abcdefghijkl to upstream', 'sent Bearer **** to upstream'],
		['host=db port=5432 user=app password=hunter3 dbname=app', 'host=db port=5432 user=app password=**** dbname=app'],
		['Server=db;User Id=app;Password=Zz9!zz;Database=x', 'Server=db;User Id=app;Password=****;Database=x'],
		['{"access_token": "tok-123456", "expires": 3600}', '{"access_token": "****", "expires": 3600}'],
		['X-Api-Key: k-abcdef', 'X-Api-Key: ****'],
		['--db-password=letmein1', '--db-password=****'],
	];
	it.each(cases)('masks %s', (input, expected) => {
		expect(mask(input)).toBe(expected);
	});

	it('leaves ordinary text, variable references and URLs without passwords alone', () => {
		for (const text of [
			'deploying to staging',
			'curl -H "Authorization: Bearer $API_TOKEN" https://x',
			'export API_TOKEN=$VAULT_TOKEN',
			'see https://example.test:8443/health and postgres://app@db/app',
			'FEATURE_KEY_ENABLED=true',
			'password policy updated',
			'tokens remaining: 5',
			'printf "%s" "${API_TOKEN:13}" "${DB_PASSWORD:-none}"',
		]) {
			expect(mask(text)).toBe(text);
		}
	});

	it('masks a secret inside ANSI-coloured output', () => {
		expect(mask('\u001b[32ms3cr3t-token-value\u001b[0m')).toBe('\u001b[32m****\u001b[0m');
	});
});

describe('maskDeep', () => {
	it('masks strings anywhere and secret-named string fields wholesale', () => {
		const out = maskDeep({vars: {API_TOKEN: 'fresh-unknown-value', REGION: 'eu'}, log: ['x s3cr3t-token-value y'], n: 3}, createMasker(env));
		expect(out).toEqual({vars: {API_TOKEN: '****', REGION: 'eu'}, log: ['x **** y'], n: 3});
	});
});

describe('createStreamMasker', () => {
	it('masks a secret split across chunks at every possible point', () => {
		const secret = env.API_TOKEN;
		const line = `value=${secret} and url postgres://u:pw12345@h/db\n`;
		for (let cut = 1; cut < line.length; cut++) {
			const m = createStreamMasker(env);
			const out = m.write(line.slice(0, cut)) + m.flushIdle() + m.write(line.slice(cut)) + m.end();
			expect(out).not.toContain(secret);
			expect(out).not.toContain('pw12345');
			expect(out).toContain('****');
		}
	});

	it('holds a partial line until its end, emits complete lines at once', () => {
		const m = createStreamMasker(env);
		expect(m.write('first line\nsecond ')).toBe('first line\n');
		expect(m.write('half\n')).toBe('second half\n');
	});

	it('an idle flush lets a prompt through but keeps a tail that could start a secret', () => {
		const m = createStreamMasker(env);
		m.write('Enter a value now please: s3cr3t-tok');
		const flushed = m.flushIdle();
		expect(flushed.startsWith('Enter a value')).toBe(true);
		expect(flushed).not.toContain('s3cr');
		expect(flushed + m.write('en-value\n')).toBe('Enter a value now please: ****\n');
	});

	it('an idle flush lets a typed echo through at once (a prompt answered on a terminal)', () => {
		const m = createStreamMasker(env);
		expect(m.write('Continue? [y/N] ') + m.flushIdle()).toBe('Continue? [y/N] ');
		expect(m.write('y') + m.flushIdle()).toBe('y');
		// A token pattern masks read whole waits for its end.
		expect(m.write(' user:pw') + m.flushIdle()).toBe(' ');
	});

	it('a very long line without newline is emitted in bounded pieces, still masked', () => {
		const m = createStreamMasker(env, {maxPending: 1000});
		let out = '';
		for (let i = 0; i < 200; i++) out += m.write(`word s3cr3t-token-value `);
		out += m.end();
		expect(out).not.toContain('s3cr3t');
		expect(out.split('****').length - 1).toBe(200);
	});
});

describe('a secret cut by a flush (partial line let through after a pause)', () => {
	it('masks the beginning at the end of one text and the rest at the start of the next', () => {
		const mask = createMasker(env);
		const first = mask('split: s3cr3t-tok');
		const second = mask('en-value done\n');
		expect(first).toBe('split: ****');
		expect(second).toBe('**** done\n');
		expect(first + second).not.toContain('s3cr3t');
	});
	it('leaves short accidental overlaps and ordinary edges alone', () => {
		const mask = createMasker(env);
		expect(mask('the value ends in s3c')).toBe('the value ends in s3c');
		expect(mask('ordinary line\n')).toBe('ordinary line\n');
		// The rest of a secret is only masked right after its beginning was.
		expect(mask('en-value is not a secret on its own\n')).toBe('en-value is not a secret on its own\n');
		expect(mask('word count: 12\n')).toBe('word count: 12\n');
	});
});
