// Execution engine figures: `deploycockpit run` of a trivial step against
// `node -e 0` and plain `bash -c`, and a 100 MB output flood (time, peak RSS)
// against `bash -c 'CMD > file'`. Whole processes, medians of several runs,
// baselines measured in the same run. The runner is the file's runner program
// through the launcher (`node scripts/launcher-core.cjs dist/deploycockpit.mjs
// --runner`), as the installed command starts it.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {median, timeProcess} from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'deploycockpit.cjs');
const bundle = join(root, 'dist', 'deploycockpit.mjs');
// How the installed command starts its runners (scripts/launcher-core.cjs).
const core = join(root, 'scripts', 'launcher-core.cjs');
const FLOOD = "head -c 100000000 /dev/zero | tr '\\0' 'x' | fold -w 100";

const checklist = `# Bench

## Steps

- [ ] Trivial
  \`\`\`bash
  true
  \`\`\`
- [ ] Flood
  \`\`\`bash
  ${FLOOD}
  \`\`\`
`;

const round = (n, d = 0) => Number(n.toFixed(d));

export default async function ({runs}) {
	const dir = mkdtempSync(join(tmpdir(), 'dc-bench-engine-'));
	const file = join(dir, 'bench.md');
	writeFileSync(file, checklist);
	const env = {...process.env, DEPLOYCOCKPIT_STATE_DIR: join(dir, 'state')};
	const rows = [];
	try {
		// Warm the disk cache and create the session.
		timeProcess(process.execPath, [bin, 'run', file, '--step', 'steps/trivial'], {env});
		const dc = [];
		const bash = [];
		const nodeStart = [];
		const nodeBare = [];
		const runnerAlone = [];
		// The runner's own environment, as launch.ts gives it (no NODE_EXTRA_CA_CERTS: Node parses that bundle at every start).
		const runnerEnv = {...process.env, NODE_OPTIONS: ''};
		delete runnerEnv.NODE_EXTRA_CA_CERTS;
		for (let i = 0; i < runs; i++) {
			dc.push(timeProcess(process.execPath, [bin, 'run', file, '--step', 'steps/trivial'], {env}).ms);
			bash.push(timeProcess('bash', ['-c', 'true']).ms);
			nodeStart.push(timeProcess(process.execPath, ['-e', '0']).ms);
			nodeBare.push(timeProcess(process.execPath, ['-e', '0'], {env: runnerEnv}).ms);
			const log = join(dir, `true-${i}.log`);
			const spec = {runId: `t${i}`, files: {log, pid: `${log}.pid.json`, exit: `${log}.exit.json`}, scripts: ['true'], prelude: '', cwd: dir, env: {PATH: process.env.PATH}, carried: [], graceMs: 2000};
			runnerAlone.push(timeProcess(process.execPath, [core, bundle, '--runner'], {input: JSON.stringify(spec), stdio: ['pipe', 'ignore', 'pipe'], env: runnerEnv}).ms);
		}
		const certs = process.env.NODE_EXTRA_CA_CERTS ? `; node -e 0 without NODE_EXTRA_CA_CERTS: ${round(median(nodeBare))} ms` : '';
		rows.push({
			name: 'run a step `true` (whole command: cli + detached runner + bash)',
			value: round(median(dc)),
			unit: 'ms',
			baseline: 'node -e 0',
			baselineValue: round(median(nodeStart)),
			note: `${round(median(dc) / median(nodeStart), 2)}× node -e 0 (target ≤ 2.5×); ${round(median(dc) / median(bash))}× bash -c true (${round(median(bash), 1)} ms)${certs}`,
		});
		rows.push({
			name: 'the detached runner alone, step `true` (node + the launcher + the runner\'s program + bash)',
			value: round(median(runnerAlone)),
			unit: 'ms',
			baseline: 'node -e 0, same environment',
			baselineValue: round(median(nodeBare)),
			note: `${round(median(runnerAlone) / median(nodeBare), 2)}×: the second Node start that \`run\` overlaps with its own work`,
		});

		const floodRuns = Math.max(3, Math.min(runs, 5));
		const dcFlood = [];
		const baseFlood = [];
		const fileFlood = [];
		const runnerFlood = [];
		for (let i = 0; i < floodRuns; i++) {
			dcFlood.push(timeProcess(process.execPath, [bin, 'run', file, '--step', 'steps/flood'], {env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 20}));
			baseFlood.push(timeProcess('bash', ['-c', `${FLOOD} > /dev/null`]));
			const out = join(dir, `plain-${i}.log`);
			fileFlood.push(timeProcess('bash', ['-c', `${FLOOD} > ${out}`]));
			rmSync(out, {force: true});
			// The detached runner alone (it masks the stream and writes the log), spec on stdin.
			const log = join(dir, `runner-${i}.log`);
			const spec = {runId: `b${i}`, files: {log, pid: `${log}.pid.json`, exit: `${log}.exit.json`}, scripts: [FLOOD], prelude: '', cwd: dir, env: {PATH: process.env.PATH}, carried: [], graceMs: 2000};
			runnerFlood.push(timeProcess(process.execPath, [core, bundle, '--runner'], {input: JSON.stringify(spec), stdio: ['pipe', 'ignore', 'pipe'], env: runnerEnv}));
			rmSync(log, {force: true});
		}
		const ms = list => round(median(list.map(r => r.ms)));
		const mib = list => round(median(list.map(r => r.rssKiB ?? 0)) / 1024, 1);
		rows.push({name: '100 MB flood: `run` wall time', value: ms(dcFlood), unit: 'ms', baseline: "bash -c 'CMD > file'", baselineValue: ms(fileFlood), note: `${round(ms(dcFlood) / ms(fileFlood), 2)}× (target ≤ 2×); to /dev/null: ${ms(baseFlood)} ms`});
		rows.push({name: '100 MB flood: detached runner alone (mask + log)', value: ms(runnerFlood), unit: 'ms', baseline: "bash -c 'CMD > file'", baselineValue: ms(fileFlood), note: `${round(ms(runnerFlood) / ms(fileFlood), 2)}×; the cost of masking on the fly`});
		rows.push({name: '100 MB flood: peak RSS of `run` (follower)', value: mib(dcFlood), unit: 'MiB', baseline: "bash -c 'CMD > file'", baselineValue: mib(fileFlood), note: 'the log followed and printed as bytes; the tail is read back from the log when asked for'});
		rows.push({name: '100 MB flood: peak RSS of the runner', value: mib(runnerFlood), unit: 'MiB', baseline: "bash -c 'CMD > file'", baselineValue: mib(fileFlood)});
	} finally {
		rmSync(dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
	}
	return rows;
}
