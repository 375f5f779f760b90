// The guard's promise, table-driven through real `deploycockpit run`
// processes: every dangerous command class is refused without --yes (and
// nothing of it runs), and runs with --yes; every harmless look-alike runs
// without being asked. Targets are harmless stand-ins: temp dirs, and stub
// binaries first on PATH that only record how they were called.
import {spawn, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'deploycockpit.cjs');

interface Case {
	/** The command as written in the checklist. */
	code: string;
	/** A part of the reason the refusal must give. */
	reason: string;
	/** After the --yes run: proof that it really ran. */
	ran: (ctx: Ctx) => boolean;
	/** Before any run: proof that nothing of it ran (besides an empty stub log). */
	untouched?: (ctx: Ctx) => boolean;
	/** Asked because it cannot be analysed (counted apart in the README). */
	unknown?: true;
}

interface Ctx {
	dir: string;
	log: string;
	printed: string;
}

const logHas = (text: string) => (ctx: Ctx) => ctx.log.includes(text);
const gone = (path: string) => (ctx: Ctx) => !existsSync(join(ctx.dir, path));
const present = (path: string) => (ctx: Ctx) => existsSync(join(ctx.dir, path));

export const dangerous: Case[] = [
	// 1. SQL and Redis fed to a client through a pipe or a file
	{code: 'echo "DROP TABLE users;" | psql app_echo', reason: 'DROP TABLE', ran: logHas('psql app_echo')},
	{code: "printf 'TRUNCATE audit;\\n' | psql app_printf", reason: 'TRUNCATE', ran: logHas('psql app_printf')},
	{code: 'cat drop.sql | psql app_cat', reason: 'DROP TABLE', ran: logHas('psql app_cat')},
	{code: 'psql -f drop.sql app_dash_f', reason: 'DROP TABLE', ran: logHas('psql -f drop.sql app_dash_f')},
	{code: 'psql app_redirect < drop.sql', reason: 'DROP TABLE', ran: logHas('psql app_redirect')},
	// To PostgreSQL the string ends at \' (a backslash is a character there): the DROP is a statement of its own.
	{code: `echo "SELECT 'a\\'; DROP TABLE users; --'" | psql app_backslash`, reason: 'DROP TABLE', ran: logHas('psql app_backslash')},
	{code: 'psql -f not-there-yet.sql app_missing', reason: 'cannot be analysed', ran: logHas('psql -f not-there-yet.sql'), unknown: true},
	{code: 'echo FLUSHALL | redis-cli -n 3', reason: 'FLUSHALL', ran: logHas('redis-cli -n 3')},
	{code: 'redis-cli -n 4 < flush.redis', reason: 'FLUSHDB', ran: logHas('redis-cli -n 4')},
	{code: "redis-cli --scan --pattern 'sess:*' | xargs redis-cli DEL", reason: 'DEL of every key xargs lists', ran: c => /redis-cli DEL .*sess:1/.test(c.log)},
	// 2. Scripts piped into a shell; wrappers
	{code: 'curl -fsSL https://example.invalid/install.sh | bash', reason: 'cannot be analysed', ran: logHas('piped-script-ran curl'), unknown: true},
	{code: 'wget -qO- https://example.invalid/setup | sh', reason: 'cannot be analysed', ran: logHas('piped-script-ran wget'), unknown: true},
	{code: 'bash <(curl -fsS https://example.invalid/sub.sh)', reason: 'cannot be analysed', ran: logHas('piped-script-ran curl'), unknown: true},
	{code: 'busybox rm -rf victim-busybox', reason: 'rm -rf', ran: gone('victim-busybox'), untouched: present('victim-busybox')},
	{code: 'parallel rm -rf ::: victim-parallel', reason: 'rm -rf', ran: gone('victim-parallel'), untouched: present('victim-parallel')},
	{code: "find victim-find -name '*.tmp' -exec rm {} \\;", reason: 'rm of every file find lists', ran: gone('victim-find/a.tmp'), untouched: present('victim-find/a.tmp')},
	{code: 'find victim-xargs -name "*.tmp" | xargs rm', reason: 'rm of every file xargs lists', ran: gone('victim-xargs/b.tmp'), untouched: present('victim-xargs/b.tmp')},
	// 3. Destructive commands missing before
	{code: 'terraform -chdir=infra destroy -auto-approve', reason: 'terraform destroy', ran: logHas('terraform -chdir=infra destroy')},
	{code: 'terraform apply -destroy -auto-approve', reason: 'terraform apply -destroy', ran: logHas('terraform apply -destroy')},
	{code: 'docker system prune -a -f', reason: 'docker system prune', ran: logHas('docker system prune')},
	{code: 'aws s3 rm s3://stand-in-bucket/releases --recursive', reason: 'aws s3 rm --recursive', ran: logHas('aws s3 rm')},
	{code: 'rsync -a --delete src/ dst/', reason: 'rsync --delete', ran: logHas('rsync -a --delete')},
	{code: 'git push --delete origin feature-x', reason: 'git push --delete', ran: logHas('git push --delete origin feature-x')},
	{code: 'git push origin :feature-y', reason: 'git push --delete', ran: logHas('git push origin :feature-y')},
	{code: 'kubectl delete pods -l app=web -n staging', reason: 'kubectl delete -l', ran: logHas('kubectl delete pods -l')},
	{code: 'kubectl delete pods --all -n staging', reason: 'kubectl delete --all', ran: logHas('kubectl delete pods --all')},
	{code: 'helm uninstall api -n staging', reason: 'helm uninstall', ran: logHas('helm uninstall api')},
	{code: 'pg_restore --clean -d app_restore dump.bin', reason: 'pg_restore --clean', ran: logHas('pg_restore --clean')},
	{code: 'pg_restore -c -d app_restore2 dump.bin', reason: 'pg_restore --clean', ran: logHas('pg_restore -c -d app_restore2')},
	{code: 'dropdb app_old', reason: 'dropdb', ran: logHas('dropdb app_old')},
	{code: 'env DEPLOY_ENV=stage deployctl --force purge cache', reason: 'marked in the checklist', ran: logHas('deployctl --force purge cache')},
	// 4. Code inside code
	{code: 'psql app_do -c "DO \\$\\$ BEGIN EXECUTE \'DROP TABLE users\'; END \\$\\$"', reason: 'EXECUTE DROP TABLE', ran: logHas('psql app_do')},
	{code: 'redis-cli EVAL "redis.call(\'flushall\')" 0', reason: 'EVAL FLUSHALL', ran: logHas('redis-cli EVAL')},
];

interface LookAlike {
	code: string;
	ran: (ctx: Ctx) => boolean;
}

export const lookAlikes: LookAlike[] = [
	{code: 'grep -r delete notes/', ran: c => c.printed.includes('never delete the audit table')},
	{code: 'echo "DROP TABLE users"', ran: c => c.printed.includes('DROP TABLE users')},
	{code: 'psql app_select -c "SELECT \'DELETE FROM x\'"', ran: logHas('psql app_select')},
	{code: 'cat ok.sql | psql app_ok_cat', ran: logHas('psql app_ok_cat')},
	{code: 'psql -f ok.sql app_ok_f', ran: logHas('psql -f ok.sql app_ok_f')},
	{code: 'echo "SELECT 1" | psql app_ok_echo', ran: logHas('psql app_ok_echo')},
	{code: 'echo PING | redis-cli -n 5', ran: logHas('redis-cli -n 5')},
	{code: "redis-cli --scan --pattern 'sess:*'", ran: c => c.printed.includes('sess:1')},
	{code: 'redis-cli EVAL "return redis.call(\'get\', KEYS[1])" 1 k', ran: logHas('redis-cli EVAL return')},
	{code: 'curl -fsS https://example.invalid/health', ran: logHas('curl -fsS https://example.invalid/health')},
	{code: 'curl -fsS https://example.invalid/list | grep -c ran', ran: logHas('curl -fsS https://example.invalid/list')},
	{code: 'kubectl get ns', ran: logHas('kubectl get ns')},
	{code: 'kubectl get pods -l app=web', ran: logHas('kubectl get pods -l app=web')},
	{code: 'terraform plan', ran: logHas('terraform plan')},
	{code: 'terraform -chdir=infra apply -auto-approve', ran: logHas('terraform -chdir=infra apply -auto-approve')},
	{code: 'rm -f one.lock', ran: gone('one.lock')},
	{code: "find . -name '*.lock' -print", ran: () => true},
	{code: 'ls notes | xargs echo', ran: c => c.printed.includes('readme.txt')},
	{code: 'docker ps', ran: logHas('docker ps')},
	{code: 'docker system df', ran: logHas('docker system df')},
	{code: 'aws s3 ls s3://stand-in-bucket', ran: logHas('aws s3 ls')},
	{code: 'rsync -a src/ dst/', ran: logHas('rsync -a src/ dst/')},
	{code: 'git push origin main', ran: logHas('git push origin main')},
	{code: 'helm list -n staging', ran: logHas('helm list')},
	{code: 'pg_restore -d app_restore3 dump.bin', ran: logHas('pg_restore -d app_restore3')},
	{code: 'busybox ls notes', ran: c => c.printed.includes('readme.txt')},
	{code: 'parallel echo ::: parallel-item', ran: c => c.printed.includes('parallel-item')},
	{code: 'deployctl status', ran: logHas('deployctl status')},
];

// The guard's refused/allowed figures in the README come from these counts.
const unknownCount = dangerous.filter(c => c.unknown).length;

let dir: string;
let stubs: string;

const RECORDER = `#!/bin/sh
name=$(basename "$0")
printf '%s\\n' "$name $*" >> "$STUB_LOG"
printf 'stub: %s\\n' "$name $*"
input=$(cat)
[ -n "$input" ] && printf 'stdin of %s: %s\\n' "$name" "$input" >> "$STUB_LOG"
case "$name $1" in
  "redis-cli --scan") echo sess:1 ;;
  "curl "*|"wget "*) echo "echo piped-script-ran $name >> \\"\\$STUB_LOG\\"" ;;
esac
exit 0
`;

function checklist(): string {
	const steps = (prefix: string, cases: Array<{code: string}>) =>
		cases.map((c, i) => `- [ ] ${prefix}${String(i + 1).padStart(2, '0')}\n\n  \`\`\`bash\n  ${c.code}\n  \`\`\`\n`).join('\n');
	return `---\ndeploycockpit:\n  dangerous: ['deployctl\\s+purge']\n---\n# Guard table\n\n## Dangerous\n\n${steps('d', dangerous)}\n## Look-alikes\n\n${steps('l', lookAlikes)}`;
}

function env(stateDir: string, log: string): NodeJS.ProcessEnv {
	return {...process.env, PATH: `${stubs}:${process.env.PATH}`, DEPLOYCOCKPIT_STATE_DIR: stateDir, STUB_LOG: log, NO_COLOR: '1'};
}

function runAsync(args: string[], stateDir: string, log: string): Promise<{status: number | null; stdout: string; stderr: string}> {
	return new Promise(resolve => {
		const child = spawn(process.execPath, [bin, ...args], {cwd: dir, env: env(stateDir, log), stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.on('close', status => resolve({status, stdout, stderr}));
	});
}

async function pool<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
	const out: R[] = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({length: limit}, async () => {
			while (next < items.length) {
				const i = next++;
				out[i] = await work(items[i]!, i);
			}
		}),
	);
	return out;
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

let refusals: Array<{status: number | null; stdout: string; stderr: string; log: string; untouched: boolean}>;
let yesRun: {status: number | null; stdout: string; stderr: string};
let lookRun: {status: number | null; stdout: string; stderr: string};
let yesCtx: Ctx;
let lookCtx: Ctx;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'dc-guard-'));
	stubs = join(dir, 'stubs');
	mkdirSync(stubs);
	for (const name of ['psql', 'redis-cli', 'terraform', 'docker', 'aws', 'rsync', 'git', 'kubectl', 'helm', 'pg_restore', 'dropdb', 'curl', 'wget', 'deployctl']) {
		writeFileSync(join(stubs, name), RECORDER);
		chmodSync(join(stubs, name), 0o755);
	}
	// busybox runs its applet; parallel runs the command once per item after :::.
	writeFileSync(join(stubs, 'busybox'), '#!/bin/sh\nexec "$@"\n');
	writeFileSync(join(stubs, 'parallel'), '#!/bin/bash\ncmd=()\nwhile [ $# -gt 0 ] && [ "$1" != ":::" ]; do cmd+=("$1"); shift; done\nshift\nfor item in "$@"; do "${cmd[@]}" "$item"; done\n');
	chmodSync(join(stubs, 'busybox'), 0o755);
	chmodSync(join(stubs, 'parallel'), 0o755);
	writeFileSync(join(dir, 'drop.sql'), 'BEGIN;\nDROP TABLE users;\nCOMMIT;\n');
	writeFileSync(join(dir, 'ok.sql'), 'SELECT count(*) FROM users;\n');
	writeFileSync(join(dir, 'flush.redis'), 'PING\nFLUSHDB\n');
	writeFileSync(join(dir, 'one.lock'), '');
	mkdirSync(join(dir, 'notes'));
	writeFileSync(join(dir, 'notes', 'readme.txt'), 'never delete the audit table\n');
	for (const v of ['victim-busybox', 'victim-parallel', 'victim-find', 'victim-xargs']) mkdirSync(join(dir, v));
	writeFileSync(join(dir, 'victim-find', 'a.tmp'), 'x');
	writeFileSync(join(dir, 'victim-xargs', 'b.tmp'), 'x');
	writeFileSync(join(dir, 'guard.md'), checklist());

	const outline = spawnSync(process.execPath, [bin, 'outline', 'guard.md', '--json'], {cwd: dir, encoding: 'utf8'});
	const steps = (JSON.parse(outline.stdout) as {steps: Array<{id: string; title: string}>}).steps;
	expect(steps).toHaveLength(dangerous.length + lookAlikes.length);

	// Each dangerous step alone, without --yes, in a state dir of its own (so they can run side by side).
	refusals = await pool(dangerous, 3, async (c, i) => {
		const id = steps.find(s => s.title === `d${String(i + 1).padStart(2, '0')}`)!.id;
		const log = join(dir, `refusal-${i}.log`);
		const r = await runAsync(['run', 'guard.md', '--step', id], join(dir, `state-refusal-${i}`), log);
		return {...r, log: read(log), untouched: c.untouched ? c.untouched({dir, log: '', printed: ''}) : true};
	});
	// All of them with --yes, in one process; then the look-alikes without it.
	const yesLog = join(dir, 'yes.log');
	yesRun = await runAsync(['run', 'guard.md', '--section', 'dangerous', '--yes'], join(dir, 'state-yes'), yesLog);
	yesCtx = {dir, log: read(yesLog), printed: yesRun.stdout};
	const lookLog = join(dir, 'look.log');
	lookRun = await runAsync(['run', 'guard.md', '--section', 'look-alikes'], join(dir, 'state-look'), lookLog);
	lookCtx = {dir, log: read(lookLog), printed: lookRun.stdout};
}, 240_000);

afterAll(() => {
	rmSync(dir, {recursive: true, force: true});
});

describe(`guard: ${dangerous.length} dangerous commands (${unknownCount} of them asked because they cannot be analysed), ${lookAlikes.length} look-alikes`, () => {
	it.each(dangerous.map((c, i) => [c.code, i] as const))('refuses without --yes, runs nothing: %s', (_code, i) => {
		const r = refusals[i]!;
		expect(r.status, r.stderr).toBe(1);
		expect(r.stderr).toContain('flagged dangerous');
		expect(r.stderr).toContain(dangerous[i]!.reason);
		expect(r.log).toBe('');
		expect(r.untouched).toBe(true);
	});

	it('runs every one of them with --yes', () => {
		expect(yesRun.status, yesRun.stderr).toBe(0);
	});
	it.each(dangerous.map((c, i) => [c.code, i] as const))('with --yes it really ran: %s', (_code, i) => {
		expect(dangerous[i]!.ran(yesCtx)).toBe(true);
	});

	it('runs every look-alike without asking', () => {
		expect(lookRun.stderr).not.toContain('flagged dangerous');
		expect(lookRun.status, lookRun.stderr).toBe(0);
	});
	it.each(lookAlikes.map((c, i) => [c.code, i] as const))('look-alike ran: %s', (_code, i) => {
		expect(lookAlikes[i]!.ran(lookCtx)).toBe(true);
	});
});
