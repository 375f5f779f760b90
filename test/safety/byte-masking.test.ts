// The stream masker's byte path (byte-lines.ts, trigger-scan.ts): output fed
// as bytes comes back as the same bytes where nothing needed masking, and
// masked exactly like the text path where something did, however the bytes
// are cut into chunks (a secret split between two chunks, inside a UTF-8
// character, a held line joined with the next chunk).
import {StringDecoder} from 'node:string_decoder';
import {afterEach, describe, expect, it} from 'vitest';
import {addSecretRules, createStreamMasker, resetSecretRules, type StreamMasker} from '../../source/safety/mask.js';
import {hasTrigger, TriggerScan} from '../../source/safety/trigger-scan.js';

const env = {
	API_TOKEN: 's3cr3t-token-value',
	DB_PASSWORD: 'pä55-wörd-€uro',
	MULTI_KEY: 'first-line\nsecond-line-of-it',
	ENVIRONMENT: 'staging',
};

afterEach(() => resetSecretRules());

/** Feeds `bytes` cut at `cuts`; returns the output and which pieces came back as bytes. */
function feed(m: StreamMasker, bytes: Buffer, cuts: number[]): {out: string; pieces: Array<string | Buffer>} {
	const pieces: Array<string | Buffer> = [];
	const emit = (piece: string | Buffer) => pieces.push(typeof piece === 'string' ? piece : Buffer.from(piece));
	let at = 0;
	for (const cut of [...cuts, bytes.length]) {
		m.writeBytes(bytes.subarray(at, cut), emit);
		at = cut;
	}
	const end = m.end();
	if (end) pieces.push(end);
	return {out: Buffer.concat(pieces.map(p => (typeof p === 'string' ? Buffer.from(p) : p))).toString('utf8'), pieces};
}

/** The text path's output for the same bytes cut the same way (decoded as the runner did before the byte path). */
function viaText(bytes: Buffer, cuts: number[] = []): string {
	const m = createStreamMasker(env);
	const decoder = new StringDecoder('utf8');
	let out = '';
	let at = 0;
	for (const cut of [...cuts, bytes.length]) {
		out += m.write(decoder.write(bytes.subarray(at, cut)));
		at = cut;
	}
	return out + m.write(decoder.end()) + m.end();
}

/** A small deterministic generator (tests must not change from run to run). */
function lcg(seed: number): () => number {
	let s = seed;
	return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

const MIXED = [
	'plain output line one\n',
	'progress 10%\r',
	'progress 20%\r',
	`token here: ${env.API_TOKEN} done\n`,
	'an ünïcödé line with € and 日本語 in it\n',
	`password is ${env.DB_PASSWORD}\n`,
	'connect postgres://app:url-secret-77@db.internal/prod\n',
	'Authorization: Bearer abcdefghijklmnop123\n',
	'first-line\nsecond-line-of-it\n',
	'-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nmorekeymaterial\n-----END RSA PRIVATE KEY-----\n',
	'xoxb-1234567890-abcdefghij slack\n',
	'last line without secrets\n',
].join('');

describe('stream masker, bytes in', () => {
	it('hands clean lines back as the same bytes and holds a line not yet ended', () => {
		const m = createStreamMasker(env);
		const pieces: Array<string | Buffer> = [];
		m.writeBytes(Buffer.from('clean line one\nclean line two\npartial'), p => pieces.push(p));
		expect(pieces.length).toBe(1);
		expect(Buffer.isBuffer(pieces[0])).toBe(true);
		expect(pieces[0]!.toString()).toBe('clean line one\nclean line two\n');
		m.writeBytes(Buffer.from(' end\n'), p => pieces.push(p));
		expect(pieces.map(String)).toEqual(['clean line one\nclean line two\n', 'partial end\n']);
	});

	it('masks a secret split between two chunks at every byte, also inside a UTF-8 character', () => {
		for (const secret of [env.API_TOKEN, env.DB_PASSWORD]) {
			const line = Buffer.from(`before line\nvalue ${secret} after\nnext line\n`);
			for (let cut = 1; cut < line.length; cut++) {
				const {out} = feed(createStreamMasker(env), line, [cut]);
				expect(out, `cut at ${cut}`).not.toContain(secret);
				expect(out, `cut at ${cut}`).toBe(viaText(line, [cut]));
			}
		}
	});

	it('masks a secret in a held line that is completed by the next chunk, the trigger past the first line end', () => {
		// The held line is clean; the next chunk's second line starts with the secret's remainder.
		const m = createStreamMasker(env);
		const {out} = feed(m, Buffer.from(`held start\nsecond ${env.API_TOKEN}\n`), [5]);
		expect(out).toBe(`held start\nsecond ****\n`);
	});

	it('gives the same output as the text path for mixed output cut into random chunks (200 cuttings)', () => {
		const bytes = Buffer.from(MIXED);
		const random = lcg(12);
		for (let round = 0; round < 200; round++) {
			const cuts = [...new Set(Array.from({length: 1 + Math.floor(random() * 8)}, () => 1 + Math.floor(random() * (bytes.length - 1))))].sort((a, b) => a - b);
			const {out} = feed(createStreamMasker(env), bytes, cuts);
			expect(out, `cuts ${cuts.join(',')}`).toBe(viaText(bytes, cuts));
			for (const secret of [env.API_TOKEN, env.DB_PASSWORD, 'url-secret-77', 'abcdefghijklmnop123', 'MIIEowIBAAKCAQEA', 'second-line-of-it', 'xoxb-1234567890']) expect(out).not.toContain(secret);
		}
	});

	it('a multi-line secret ending a chunk at a line end is masked when the rest comes', () => {
		const bytes = Buffer.from(`x\nfirst-line\nsecond-line-of-it\n`);
		for (let cut = 1; cut < bytes.length; cut++) {
			const {out} = feed(createStreamMasker(env), bytes, [cut]);
			expect(out, `cut at ${cut}`).not.toContain('second-line-of-it');
		}
	});

	it('with a user pattern (no trigger) every line takes the text way and is masked', () => {
		addSecretRules({patterns: ['corp-[0-9]{6}']});
		const {out, pieces} = feed(createStreamMasker(env), Buffer.from('id corp-123456 here\nclean\n'), [9]);
		expect(out).toBe('id **** here\nclean\n');
		expect(pieces.every(p => typeof p === 'string')).toBe(true);
	});

	it('a long line without a line end is cut into bounded pieces, secrets masked', () => {
		const m = createStreamMasker(env, {maxPending: 1000});
		const piece = Buffer.from(`word ${env.API_TOKEN} `);
		let out = '';
		for (let i = 0; i < 200; i++) m.writeBytes(piece, p => (out += String(p)));
		out += m.end();
		expect(out).not.toContain('s3cr3t');
		expect(out.split('****').length - 1).toBe(200);
	});

	it('lines holding what the caller rewrites come back as text', () => {
		const m = createStreamMasker({}, {rewrites: ['environment: line ']});
		const pieces: Array<string | Buffer> = [];
		m.writeBytes(Buffer.from('ok\n'), p => pieces.push(p));
		m.writeBytes(Buffer.from('environment: line 3: x: command not found\n'), p => pieces.push(p));
		expect(Buffer.isBuffer(pieces[0])).toBe(true);
		expect(typeof pieces[1]).toBe('string');
	});
});

describe('a rule that also needs a word (`password=`-style values)', () => {
	it('masks every spelling and case of the names it reads, and leaves lines without one untouched', () => {
		const names = ['PassWord', 'db_passwd', 'MYSQL_PWD', 'client-Secret', 'GH_TOKEN', 'api_key', 'Access-Key', 'PRIVATE_KEY', 'routing_key', 'integrationKey', 'credentials', 'Webhook_Url', 'SENTRY_DSN', 'x_auth', 'app_session', 'user_cookie', 'smtp_pass'];
		for (const name of names) {
			for (const sep of ['=', ': ', '="']) {
				const line = `${name}${sep}v4lue-${name.length}-zz\n`;
				const {out} = feed(createStreamMasker({}), Buffer.from(`plain\n${line}`), []);
				expect(out, line).not.toContain(`v4lue-${name.length}-zz`);
			}
		}
		const log = 'ts=2026-11-27T10:00:00Z level=info msg="request done" path=/api/v1/users status=200\n';
		expect(feed(createStreamMasker({}), Buffer.from(log), []).out).toBe(log);
	});
});

describe('trigger scan', () => {
	it('finds triggers by their rarest character, in text and bytes, and says no when absent', () => {
		const scan = new TriggerScan([{text: 'xoxb-'}, {text: 'PRIVATE KEY'}, {text: 'bearer', caseless: true}, {text: 'wörd-€'}]);
		const yes = ['a xoxb- b', 'PRIVATE KEY', 'Auth: BeArEr x', 'pä55-wörd-€uro'];
		const no = ['x'.repeat(5000) + '\n', 'xox-b', 'private key', 'bear er', 'wörd €'];
		for (const text of yes) {
			expect(scan.anyIn(text), text).toBe(true);
			expect(scan.anyInBytes(Buffer.from(text)), text).toBe(true);
		}
		for (const text of no) {
			expect(scan.anyIn(text), text).toBe(false);
			expect(scan.anyInBytes(Buffer.from(text)), text).toBe(false);
		}
		expect(hasTrigger('Bearer token', {text: 'bearer', caseless: true})).toBe(true);
		expect(hasTrigger('bear', {text: 'bearer', caseless: true})).toBe(false);
	});
});
