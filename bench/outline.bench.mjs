// `outline` on a generated 5,000-step checklist: whole process (what a user
// waits for) against `node -e 0` in the same run, and parse alone in-process.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {median, timeProcess} from './lib.mjs';
import {generateChecklist} from './gen-checklist.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export default async function ({runs}) {
	const dir = mkdtempSync(join(tmpdir(), 'dc-bench-outline-'));
	try {
		const file = join(dir, 'checklist-5000.md');
		writeFileSync(file, generateChecklist({steps: 5000}));
		const text = readFileSync(file, 'utf8');
		const bin = join(root, 'bin/deploycockpit.cjs');
		const check = timeProcess(process.execPath, [bin, 'outline', file, '--json'], {cwd: root, maxBuffer: 256 * 1024 * 1024});
		if (check.status !== 0) throw new Error(`outline failed: ${check.stderr}`);
		const steps = JSON.parse(check.stdout).steps.length;
		const node = [];
		const outline = [];
		const rss = [];
		for (let i = 0; i < runs; i++) {
			node.push(timeProcess(process.execPath, ['-e', '0']).ms);
			const r = timeProcess('/bin/sh', ['-c', `"${process.execPath}" "${bin}" outline "${file}" --json >/dev/null`], {cwd: root});
			outline.push(r.ms);
			if (r.rssKiB) rss.push(r.rssKiB);
		}
		const {parseChecklist} = await import(pathToFileURL(join(root, 'dist/checklist/load.js')).href);
		for (let i = 0; i < 3; i++) parseChecklist(text);
		const parse = [];
		for (let i = 0; i < Math.max(runs, 5); i++) {
			const start = performance.now();
			parseChecklist(text);
			parse.push(performance.now() - start);
		}
		const size = `${(text.length / 1024).toFixed(0)} KiB, ${steps} steps`;
		const rows = [
			{name: 'outline --json, 5,000 steps (whole process)', value: Math.round(median(outline)), unit: 'ms', baseline: 'node -e 0', baselineValue: Math.round(median(node)), note: `${(median(outline) / median(node)).toFixed(2)}× node -e 0 (target ≤ 3×); ${size}`},
			{name: 'parse alone, 5,000 steps (in-process)', value: Math.round(median(parse) * 10) / 10, unit: 'ms', note: 'parseChecklist, warm'},
		];
		if (rss.length > 0) rows.push({name: 'outline --json peak RSS (includes /bin/sh)', value: Math.round(median(rss) / 1024), unit: 'MiB', note: 'GNU time %M of the shell wrapper'});
		return rows;
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}
