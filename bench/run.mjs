#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.mjs in turn. Each exports
// `default async function ({runs}) => rows`, rows being
// {name, value, unit, baseline?, baselineValue?, note?}; whole-process
// figures, medians of several runs, each against a baseline measured in the
// same run. Prints a markdown table for the README.
import {readdirSync} from 'node:fs';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {dirname, join} from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const runs = Number(process.env.BENCH_RUNS ?? 7);
const files = readdirSync(here).filter(f => f.endsWith('.bench.mjs')).filter(f => only.length === 0 || only.some(o => f.includes(o))).sort();
const rows = [];
for (const file of files) {
	process.stderr.write(`bench: ${file}\n`);
	const mod = await import(pathToFileURL(join(here, file)).href);
	for (const row of await mod.default({runs})) {
		rows.push(row);
		process.stderr.write(`  ${row.name}: ${row.value} ${row.unit}${row.baseline ? ` (${row.baseline}: ${row.baselineValue} ${row.unit})` : ''}\n`);
	}
}
console.log('| measure | deploycockpit | baseline | note |');
console.log('|---|---|---|---|');
for (const r of rows) {
	const base = r.baseline ? `${r.baselineValue} ${r.unit} (${r.baseline})` : '—';
	console.log(`| ${r.name} | ${r.value} ${r.unit} | ${base} | ${r.note ?? ''} |`);
}
