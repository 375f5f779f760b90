// A flood through a real `run`: the runner reads the output pipe in chunks
// that cut lines (and the secrets in them) anywhere, and passes clean lines
// on as bytes. Every secret is still masked, in the log and on stdout, and
// clean output reaches the log byte for byte.
import {spawnSync} from 'node:child_process';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {filesUnder, sandbox} from '../session/helpers.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.cjs');
const SECRET = 'flood-s3cret-4417-value';
const LINES = 200_000;

let cleanups: Array<() => void> = [];
afterEach(() => {
	for (const fn of cleanups.reverse()) fn();
	cleanups = [];
});

const CHECKLIST = `# Flood

## Steps

- [ ] Secrets
  \`\`\`bash
  head -n ${LINES} < <(yes "pad $API_TOKEN end")
  \`\`\`
- [ ] Clean
  \`\`\`bash
  seq 1 ${LINES}
  \`\`\`
`;

function logOf(stateDir: string, step: string): string {
	const [session] = readdirSync(join(stateDir, 'sessions'));
	const runs = join(stateDir, 'sessions', session!, 'runs');
	const name = readdirSync(runs).find(n => n.endsWith('.log') && n.includes(step))!;
	return readFileSync(join(runs, name), 'utf8');
}

describe('a flood through `run` (pipes)', () => {
	it('masks every secret however the pipe reads cut the lines, and logs clean output byte for byte', {timeout: 120_000}, () => {
		const b = sandbox('carry.md');
		cleanups.push(b.cleanup);
		writeFileSync(b.file, CHECKLIST);
		const env = {...process.env, DEPLOYCOCKPIT_STATE_DIR: b.stateDir, API_TOKEN: SECRET};
		const secrets = spawnSync(process.execPath, [bin, 'run', b.file, '--step', 'steps/secrets'], {env, cwd: b.dir, encoding: 'utf8', maxBuffer: 1 << 26});
		expect(secrets.status, secrets.stderr).toBe(0);
		expect(secrets.stdout).not.toContain(SECRET);
		expect(secrets.stdout.split('\n').filter(l => l === 'pad **** end').length).toBe(LINES);
		const log = logOf(b.stateDir, 'steps-secrets');
		expect(log).not.toContain(SECRET);
		expect(log).not.toContain('s3cret');
		expect(log.split('pad **** end\n').length - 1).toBe(LINES);

		const clean = spawnSync(process.execPath, [bin, 'run', b.file, '--step', 'steps/clean'], {env, cwd: b.dir, encoding: 'utf8', maxBuffer: 1 << 26});
		expect(clean.status, clean.stderr).toBe(0);
		const expected = Array.from({length: LINES}, (_, i) => `${i + 1}\n`).join('');
		expect(logOf(b.stateDir, 'steps-clean')).toBe(expected);
		expect(clean.stdout).toBe(expected);
		// Nothing under the state directory holds the secret.
		for (const file of filesUnder(b.stateDir)) expect(readFileSync(file, 'utf8'), file).not.toContain(SECRET);
	});

	it('a reader of its stdout that goes away (`| head -1`) does not stop `run`: the step ends and is recorded', {timeout: 120_000}, () => {
		const b = sandbox('carry.md');
		cleanups.push(b.cleanup);
		writeFileSync(b.file, CHECKLIST);
		const env = {...process.env, DEPLOYCOCKPIT_STATE_DIR: b.stateDir};
		const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" run "${b.file}" --step steps/clean | head -1; echo "run=\${PIPESTATUS[0]}"`], {env, cwd: b.dir, encoding: 'utf8'});
		expect(piped.stdout, piped.stderr).toBe('1\nrun=0\n');
		expect(piped.stderr).not.toContain('EPIPE');
		const status = spawnSync(process.execPath, [bin, 'status', b.file, '--json'], {env, encoding: 'utf8'});
		const steps = (JSON.parse(status.stdout) as {steps: Array<{id: string; status: string; exitCode: number | null}>}).steps;
		expect(steps.find(s => s.id === 'steps/clean')).toMatchObject({status: 'done', exitCode: 0});
		expect(logOf(b.stateDir, 'steps-clean')).toBe(Array.from({length: LINES}, (_, i) => `${i + 1}\n`).join(''));
	});
});
