// One-key rollback latency: keypress R → y → the first rollback command
// spawned, measured in-process with the real store and the real engine (the
// keys go through the cockpit's own key parser and action dispatch; the
// command writes bash's $EPOCHREALTIME into a file, so "spawned" is when the
// rollback's bash is actually executing). Baseline in the same run: spawning
// the same bash command directly with child_process. Medians of several runs.
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {median, percentile} from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = p => import(join(root, 'dist', p));

const checklist = marker => `# Bench release

## Deploy

- [ ] Ship
  \`\`\`bash
  echo shipping
  \`\`\`

## Immediate Rollback

- [ ] Flip back
  \`\`\`bash
  printf '%s' "$EPOCHREALTIME" > ${marker}
  \`\`\`
`;

const round = (n, d = 1) => Number(n.toFixed(d));
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function waitForMarker(marker, timeoutMs = 10_000) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (existsSync(marker)) {
			const text = readFileSync(marker, 'utf8').trim();
			if (text) return Number(text) * 1000;
		}
		await sleep(2);
	}
	throw new Error('the rollback command never ran');
}

export default async function ({runs}) {
	// Engine promises wait on unref'd handles (runs outlive the cockpit); keep the bench alive.
	const keepAlive = setInterval(() => {}, 1000);
	const dir = mkdtempSync(join(tmpdir(), 'dc-bench-rollback-'));
	const marker = join(dir, 'spawned.txt');
	const file = join(dir, 'release.md');
	writeFileSync(file, checklist(marker));
	const {openSession} = await dist('session/open.js');
	const {cockpitDeps, createCockpitStore, startEngines} = await dist('store/index.js');
	const {KeyParser} = await dist('ui/input/parse-keys.js');
	const {dispatchAction} = await dist('ui/cockpit-keys.js');
	const {buildBindings, actionFor} = await dist('ui/keymap.js');
	const session = await openSession(file, {stateDir: join(dir, 'state')});
	// When the rollback hands its first step to the engine: the rollback's own share of the latency.
	let handedAt = 0;
	const runStep = session.runStep.bind(session);
	session.runStep = (...args) => {
		handedAt = performance.timeOrigin + performance.now();
		return runStep(...args);
	};
	// Assembled as the cockpit assembles it (commands/open.ts): the workflows are built once and injected.
	const deps = cockpitDeps({session, options: {file, dryRun: false}, config: {}, now: () => Date.now(), env: {...process.env}});
	const store = createCockpitStore(deps);
	const stop = startEngines(store, deps);
	const {bindings} = buildBindings();
	// What the cockpit does with a key: the base layer maps R to the panel, the panel's layer takes y.
	const press = key => {
		const s = store.getState();
		if (s.overlay === 'rollback') {
			if (key.name === 'y' && !key.batched && !key.paste) s.rollbackConfirm();
			return;
		}
		const action = actionFor(bindings, key);
		if (action) dispatchAction(store, action, key, 10);
	};
	const parser = new KeyParser({onKey: press, escTimeoutMs: 50});

	const total = [];
	const yToSpawn = [];
	const yToEngine = [];
	const baseline = [];
	const nodeStart = [];
	const engineAlone = [];
	try {
		for (let i = 0; i < runs + 1; i++) {
			if (existsSync(marker)) unlinkSync(marker);
			const t0 = performance.timeOrigin + performance.now();
			parser.feed('R');
			const tR = performance.timeOrigin + performance.now();
			parser.feed('y');
			const spawnedAt = await waitForMarker(marker);
			await sleepUntil(() => store.getState().rollback.phase === 'finished');
			store.getState().closeOverlay();
			if (i === 0) continue; // warm-up
			total.push(spawnedAt - t0);
			yToSpawn.push(spawnedAt - tR);
			yToEngine.push(handedAt - tR);

			if (existsSync(marker)) unlinkSync(marker);
			const b0 = performance.timeOrigin + performance.now();
			const child = spawn('bash', ['-c', `printf '%s' "$EPOCHREALTIME" > ${marker}`], {stdio: 'ignore'});
			const exited = new Promise(r => child.on('exit', r));
			const bSpawned = await waitForMarker(marker);
			await exited;
			baseline.push(bSpawned - b0);

			// The same step run directly through the engine (no rollback): the engine's own start-up cost.
			if (existsSync(marker)) unlinkSync(marker);
			const e0 = performance.timeOrigin + performance.now();
			const direct = runStep(session.checklist.steps.find(st => st.title === 'Flip back').id);
			engineAlone.push((await waitForMarker(marker)) - e0);
			await direct;

			// The engine starts each run in a detached Node runner: what a bare Node start costs here.
			const n0 = performance.now();
			await new Promise(r => spawn(process.execPath, ['-e', '0'], {stdio: 'ignore'}).on('exit', r));
			nodeStart.push(performance.now() - n0);
		}
	} finally {
		stop();
		await session.close();
		clearInterval(keepAlive);
		rmSync(dir, {recursive: true, force: true});
	}
	return [
		{name: 'rollback: keypress R → y → first command spawned (median)', value: round(median(total)), unit: 'ms', baseline: 'bash -c spawned directly', baselineValue: round(median(baseline)), note: `p90 ${round(percentile(total, 90))} ms over ${total.length} runs; target < 100 ms`},
		{name: 'rollback: y → first command spawned (median)', value: round(median(yToSpawn)), unit: 'ms', baseline: 'node -e 0 (the engine runs each step in a detached Node runner)', baselineValue: round(median(nodeStart)), note: 'state written before the run starts, then the detached runner starts bash'},
		{name: 'engine alone: runStep → first command spawned (median)', value: round(median(engineAlone)), unit: 'ms', note: 'the same step run directly, same session, same run'},
		{name: 'rollback: y → step handed to the engine (median)', value: round(median(yToEngine), 2), unit: 'ms', note: 'the rollback part\'s own share: plan, record, audit, runStep call'},
	];
}

async function sleepUntil(predicate, timeoutMs = 10_000) {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) throw new Error('timed out');
		await sleep(2);
	}
}
