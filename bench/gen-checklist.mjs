#!/usr/bin/env node
// Generates a large, realistic checklist for benches and load tests:
//   node bench/gen-checklist.mjs 5000 > /tmp/big.md
//   import {generateChecklist} from './gen-checklist.mjs'; generateChecklist({steps: 500})
// Deterministic for a given {steps, seed}. Commands are harmless (echo/sleep 0).

function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = Math.imul(a ^ (a >>> 15), a | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const verbs = ['Verify', 'Restart', 'Drain', 'Warm', 'Check', 'Record', 'Enable', 'Promote', 'Snapshot', 'Compare'];
const nouns = ['the api pods', 'the worker pool', 'the cache', 'replica lag', 'the search index', 'feature flags', 'the queue', 'error budget', 'disk usage', 'TLS certificates'];

function step(rand, n, indent = '') {
	const title = `${verbs[n % verbs.length]} ${nouns[Math.floor(rand() * nouns.length)]} (${n})`;
	const kind = rand();
	const lines = [`${indent}- [${rand() < 0.1 ? 'x' : ' '}] **${title}**`];
	const fence = (lang, body) => {
		lines.push(`${indent}  \`\`\`${lang}`);
		for (const l of body) lines.push(`${indent}  ${l}`);
		lines.push(`${indent}  \`\`\``);
	};
	if (kind < 0.55) fence('bash', [`echo "step ${n}"`, 'sleep 0', '# Expected: exit 0']);
	else if (kind < 0.65) fence('console', [`$ echo ${n}`, `${n}`]);
	else if (kind < 0.72) fence('sql', [`SELECT count(*) FROM jobs WHERE batch = ${n};`]);
	else if (kind < 0.78) fence('promql', [`sum(rate(http_requests_total{job="api",step="${n}"}[5m]))`]);
	else if (kind < 0.82) fence('redis', [`LLEN queue:${n}`]);
	else if (kind < 0.9) lines[0] += `: \`kubectl -n app rollout status deploy/api-${n}\``;
	else lines.push(`${indent}  - Manual note for step ${n}`);
	return lines;
}

/** @param {{steps?: number, seed?: number, perSection?: number}} options */
export function generateChecklist({steps = 5000, seed = 1, perSection = 25} = {}) {
	const rand = prng(seed);
	const out = [
		'---',
		'deploycockpit:',
		'  window: 4h',
		'---',
		`# Generated rollout (${steps} steps)`,
		'',
		'**Schedule**: Saturday 01:00–05:00 UTC',
		'',
	];
	const rollbackSteps = Math.max(1, Math.round(steps * 0.05));
	const main = steps - rollbackSteps - 1; // one trigger item at the end
	let n = 0;
	let stage = 0;
	while (n < main) {
		stage++;
		out.push(`## Stage ${stage}`, '', `**Duration**: ${10 + (stage % 5) * 5} minutes`, `**Risk**: ${['Low', 'Medium', 'High'][stage % 3]}`, '');
		for (let i = 0; i < perSection && n < main; i++) {
			n++;
			if (i % 10 === 9 && n < main) {
				out.push(...step(rand, n));
				n++;
				out.push(...step(rand, n, '  '));
			} else out.push(...step(rand, n));
		}
		if (stage % 4 === 0) out.push('', '| check | threshold |', '|---|---|', '| errors | < 1% |');
		out.push('');
	}
	out.push('## Rollback Procedures', '', '### Immediate Rollback', '');
	for (let i = 0; i < rollbackSteps; i++) out.push(...step(rand, ++n));
	out.push('', '## Rollback Trigger Checklist', '', '- [ ] Error rate above 2%', '');
	return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const steps = Number(process.argv[2] ?? 5000);
	process.stdout.write(generateChecklist({steps, seed: Number(process.argv[3] ?? 1)}));
}
