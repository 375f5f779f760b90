import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {loadChecklist} from '../../source/checklist/load.js';
import {checklistCacheDir, flushChecklistCache, loadChecklistCached, openSession} from '../../source/session/open.js';

const text = (title: string) => `# ${title}\n\n## Prepare\n\n- [ ] Say hello\n  \`\`\`bash\n  echo hello\n  \`\`\`\n- [ ] Say bye\n`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('parsed-model cache', () => {
	let dir: string;
	let file: string;
	let stateDir: string;
	let cacheDir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'dc-cache-'));
		file = join(dir, 'release.md');
		stateDir = join(dir, 'state');
		cacheDir = checklistCacheDir(stateDir);
	});
	afterEach(() => rmSync(dir, {recursive: true, force: true}));

	const entryPath = (content: string) => join(cacheDir, `${sha(content)}.json`);
	const readEntry = (content: string) => JSON.parse(readFileSync(entryPath(content), 'utf8')) as {hash: string; file: string; checklist: {title: string}};

	it('writes the model after a parse (0600) and serves the same model from it', async () => {
		writeFileSync(file, text('Release one'));
		const parsed = await loadChecklistCached(file, stateDir);
		expect(parsed).toEqual(await loadChecklist(file));
		expect(existsSync(entryPath(text('Release one')))).toBe(true);
		expect(statSync(entryPath(text('Release one'))).mode & 0o777).toBe(0o600);
		expect(readEntry(text('Release one')).checklist).toEqual(parsed);

		// Proof of a hit: an edit made only in the cache shows up.
		const entry = readEntry(text('Release one'));
		entry.checklist.title = 'From the cache';
		writeFileSync(entryPath(text('Release one')), JSON.stringify(entry));
		expect((await loadChecklistCached(file, stateDir)).title).toBe('From the cache');
	});

	it('misses when the file changed, and never uses an entry made for other bytes or another path', async () => {
		writeFileSync(file, text('Release one'));
		await loadChecklistCached(file, stateDir);
		writeFileSync(file, text('Release two'));
		const changed = await loadChecklistCached(file, stateDir);
		expect(changed.title).toBe('Release two');
		expect(changed.hash).toBe(sha(text('Release two')));
		expect(readEntry(text('Release two')).checklist.title).toBe('Release two');

		// An entry stored under this file's hash but describing other bytes is ignored.
		const wrong = readEntry(text('Release one'));
		writeFileSync(entryPath(text('Release two')), JSON.stringify({...readEntry(text('Release two')), hash: wrong.hash, checklist: {...wrong.checklist, title: 'stale'}}));
		expect((await loadChecklistCached(file, stateDir)).title).toBe('Release two');

		// The same bytes at another path parse afresh (the model records its path).
		const other = join(dir, 'copy.md');
		writeFileSync(other, text('Release two'));
		const copy = await loadChecklistCached(other, stateDir);
		expect(copy.file).toBe(other);
	});

	it('falls back to parsing when the cache is corrupt, and repairs it', async () => {
		writeFileSync(file, text('Release one'));
		await loadChecklistCached(file, stateDir);
		for (const junk of ['{"version":1,', 'null', '{"version":1,"checklist":42}']) {
			writeFileSync(entryPath(text('Release one')), junk);
			const loaded = await loadChecklistCached(file, stateDir);
			expect(loaded).toEqual(await loadChecklist(file));
			expect(readEntry(text('Release one')).checklist.title).toBe('Release one');
		}
	});

	it('keeps loadChecklist errors and writes nothing for a file that does not load', async () => {
		await expect(loadChecklistCached(join(dir, 'missing.md'), stateDir)).rejects.toThrow(/no such file/);
		await expect(loadChecklistCached(dir, stateDir)).rejects.toThrow(/directory/);
		writeFileSync(file, Buffer.from([0, 1, 2, 3, 0, 0]));
		await expect(loadChecklistCached(file, stateDir)).rejects.toThrow(/binary/);
		expect(existsSync(cacheDir) ? readdirSync(cacheDir) : []).toEqual([]);
	});

	it.each([
		["ALTER USER … PASSWORD '…'", "psql -c \"ALTER USER app WITH PASSWORD 'Lit-pw-0001'\""],
		['curl -u user:pw', 'curl -u deploy:Lit-pw-0002 https://ci.invalid'],
		['redis-cli -a pw', 'redis-cli -a Lit-pw-0003 PING'],
		['mysql -ppw', 'mysql -u root -pLit-pw-0004 shop'],
		['PGPASSWORD=pw psql', 'PGPASSWORD=Lit-pw-0005 psql -c "SELECT 1"'],
		['--password=pw', 'tool --password=Lit-pw-0006'],
		['mysqldump -p pw', 'mysqldump -u root -p Lit-pw-0007 shop'],
		['a token shape', 'echo ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'],
	])('never caches a checklist with a credential literal: %s', async (_what, command) => {
		const content = `# Rotate\n\n- [ ] Use it\n  \`\`\`bash\n  ${command}\n  \`\`\`\n`;
		writeFileSync(file, content);
		expect((await loadChecklistCached(file, stateDir)).steps).toHaveLength(1);
		expect(existsSync(entryPath(content))).toBe(false);
	});

	it('never caches a checklist holding a value of its own frontmatter secrets: patterns', async () => {
		const content = `---\ndeploycockpit:\n  secrets: {patterns: ['acme_[a-z0-9]{12}']}\n---\n# Rotate\n\n- [ ] Use it\n  \`\`\`bash\n  deploy --key-id acme_abcdef123456\n  \`\`\`\n`;
		writeFileSync(file, content);
		await loadChecklistCached(file, stateDir);
		expect(existsSync(entryPath(content))).toBe(false);
	});

	it('deletes an entry written under other masking rules (an older build) instead of using it', async () => {
		writeFileSync(file, text('Release one'));
		await loadChecklistCached(file, stateDir);
		const entry = readEntry(text('Release one')) as Record<string, unknown>;
		writeFileSync(entryPath(text('Release one')), JSON.stringify({...entry, masked: 'rules of an older build', checklist: {...(entry.checklist as object), title: 'stale'}}));
		const loaded = await loadChecklistCached(file, stateDir);
		expect(loaded.title).toBe('Release one');
		// Rewritten under the current rules.
		expect(readEntry(text('Release one')).checklist.title).toBe('Release one');
	});

	it('never caches a checklist with a secret in it', async () => {
		const withSecret = `# Rotate\n\n- [ ] Connect\n  \`\`\`bash\n  psql postgres://app:s3cr3t-pass-77@db.example/app\n  \`\`\`\n`;
		writeFileSync(file, withSecret);
		const loaded = await loadChecklistCached(file, stateDir);
		expect(loaded.steps).toHaveLength(1);
		expect(existsSync(entryPath(withSecret))).toBe(false);

		process.env.DC_CACHE_TEST_TOKEN = 'literal-value-4242';
		try {
			const withEnvSecret = text('Uses literal-value-4242 inline');
			writeFileSync(file, withEnvSecret);
			await loadChecklistCached(file, stateDir);
			expect(existsSync(entryPath(withEnvSecret))).toBe(false);
		} finally {
			delete process.env.DC_CACHE_TEST_TOKEN;
		}
	});

	it('holds the write back until flushChecklistCache when asked to', async () => {
		writeFileSync(file, text('Release one'));
		const session = await openSession(file, {stateDir, deferCacheWrite: true});
		try {
			expect(session.checklist.title).toBe('Release one');
			expect(existsSync(entryPath(text('Release one')))).toBe(false);
			await flushChecklistCache();
			expect(readEntry(text('Release one')).checklist).toEqual(session.checklist);
		} finally {
			await session.close();
		}
	});

	it('keeps only the 32 most recent entries', async () => {
		mkdirSync(cacheDir, {recursive: true});
		const old = new Date(Date.now() - 86_400_000);
		for (let i = 0; i < 40; i++) {
			const path = join(cacheDir, `${sha(`old ${i}`)}.json`);
			writeFileSync(path, '{}');
			utimesSync(path, old, old);
		}
		writeFileSync(file, text('Release one'));
		await loadChecklistCached(file, stateDir);
		const left = readdirSync(cacheDir).filter(n => n.endsWith('.json'));
		expect(left).toHaveLength(32);
		expect(left).toContain(`${sha(text('Release one'))}.json`);
	});

	it('is what openSession uses', async () => {
		writeFileSync(file, text('Release one'));
		const first = await openSession(file, {stateDir});
		await first.close();
		expect(existsSync(entryPath(text('Release one')))).toBe(true);
		const entry = readEntry(text('Release one'));
		entry.checklist.title = 'Cached title';
		writeFileSync(entryPath(text('Release one')), JSON.stringify(entry));
		const second = await openSession(file, {stateDir});
		try {
			expect(second.checklist.title).toBe('Cached title');
		} finally {
			await second.close();
		}
	});
});
