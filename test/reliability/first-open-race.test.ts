// Issue 16, item 2: two `run --step` started at the same moment on a
// checklist that has no session yet must not both create a session and run
// the step. Each round counts the side effects: one session, one execution.
import {spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'deploycockpit.cjs');
const root = mkdtempSync(join(tmpdir(), 'dc-race-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function runCli(args: string[], env: Record<string, string>): Promise<{code: number | null; stderr: string}> {
	return new Promise(resolve => {
		const child = spawn(process.execPath, [bin, ...args], {env: {...process.env, ...env}, stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', d => (stderr += String(d)));
		child.on('close', code => resolve({code, stderr}));
	});
}

describe('two first opens at the same moment', () => {
	it('create one session and run the step once (30 rounds)', async () => {
		const rounds = 30;
		const problems: string[] = [];
		for (let round = 0; round < rounds; round++) {
			const dir = join(root, `r${round}`);
			const stateDir = join(dir, 'state');
			const effects = join(dir, 'effects');
			rmSync(dir, {recursive: true, force: true});
			// A fresh checklist each round: no session exists for it yet.
			const file = join(root, `race-${round}.md`);
			writeFileSync(file, `# Race\n\n## Go\n\n- [ ] count\n  \`\`\`bash\n  echo ran >> ${effects}\n  sleep 0.4\n  \`\`\`\n`);
			const env = {DEPLOYCOCKPIT_STATE_DIR: stateDir};
			const results = await Promise.all([runCli(['run', file, '--step', 'go/count'], env), runCli(['run', file, '--step', 'go/count'], env)]);
			const sessions = existsSync(join(stateDir, 'sessions')) ? readdirSync(join(stateDir, 'sessions')) : [];
			const runs = existsSync(effects) ? readFileSync(effects, 'utf8').trim().split('\n').length : 0;
			const codes = results.map(r => r.code).sort();
			if (sessions.length !== 1 || runs !== 1 || codes.join() !== '0,1') {
				problems.push(`round ${round}: ${sessions.length} sessions, ${runs} runs, exit codes ${codes.join()} (${results.map(r => r.stderr.trim()).join(' | ')})`);
			}
		}
		expect(problems).toEqual([]);
	}, 180_000);
});
