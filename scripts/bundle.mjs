#!/usr/bin/env node
// `npm run bundle`: source/ and its dependencies as one file,
// dist/deploycockpit.mjs, which runs alone with nothing but Node >= 20 beside
// it (copy it to a bastion). tsc still type-checks and writes the per-file
// dist/ the tests import. The esbuild settings and why: bundle-options.mjs.
// The file is an ES module: scripts/launcher-core.cjs, then the runner's
// program and the whole program, each in a comment the launcher compiles
// with a V8 code cache (see there why and how).
// The file also carries what it would otherwise read from beside itself
// (source/bundled.ts): the version, the built-in themes, the parser's stamp.
import {createHash} from 'node:crypto';
import {chmodSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {programOptions} from './bundle-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `node scripts/bundle.mjs OUT.mjs` writes elsewhere (to compare builds).
const outfile = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist', 'deploycockpit.mjs');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const themes = {};
for (const name of readdirSync(join(root, 'themes')).filter(n => n.endsWith('.json'))) {
	themes[name.slice(0, -'.json'.length)] = JSON.parse(readFileSync(join(root, 'themes', name), 'utf8'));
}
// The parsed-model cache is keyed by the parser's code; in the bundle that is
// the checklist sources it was built from.
const parser = createHash('sha256');
for (const name of readdirSync(join(root, 'source', 'checklist')).sort()) {
	parser.update(name).update(readFileSync(join(root, 'source', 'checklist', name)));
}

const options = programOptions(root);
const define = {
	...options.define,
	__DEPLOYCOCKPIT_BUNDLED__: JSON.stringify({version: pkg.version, themes, parserStamp: `bundle:${parser.digest('hex')}`}),
};
// The whole program, and the detached runner's own (what a run loads: no UI, no markdown).
const [result, runner] = await Promise.all(
	['main.ts', 'runner-main.ts'].map(entry => build({...options, entryPoints: [join(root, 'source', entry)], outfile, write: false, metafile: true, define})),
);
const app = result.outputFiles[0].text;
const runnerApp = runner.outputFiles[0].text;
const core = readFileSync(join(root, 'scripts', 'launcher-core.cjs'), 'utf8');
const buildHash = createHash('sha256').update(runnerApp).update('\0').update(app).digest('hex');
// A program inside a block comment (see scripts/launcher-core.cjs for why and how it is escaped).
const pack = program =>
	program
		.replaceAll('\x01', '\x01\x01')
		.replace(/[\u007f-\uffff]/g, c => `\x01u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
		.replaceAll('*/', '*\x01/');
// The ES module prelude gives the launcher's CommonJS text the `require` it uses.
const prelude = ["import {createRequire} from 'node:module';", "import {fileURLToPath} from 'node:url';", 'const require = createRequire(import.meta.url);'];
const head = ['#!/usr/bin/env node', `// deploycockpit ${pkg.version} (MIT), the whole program in one file: node deploycockpit.mjs --help`, ...prelude, core.trimEnd(), ''].join('\n');
if (head.includes(buildHash)) throw new Error('bundle: the launcher text holds the build hash');
const text = `${head}launch(fileURLToPath(import.meta.url), ${JSON.stringify(buildHash)});\n/*${pack(runnerApp)}*/\n/*${pack(app)}*/\n`;
if (!/^[\x00-\x7f]*$/.test(text)) throw new Error('bundle: the file is not ASCII');
writeFileSync(outfile, text);
chmodSync(outfile, 0o755);
// What is in the file and how big (esbuild's analyzer reads it); not shipped.
writeFileSync(outfile.replace(/\.mjs$/, '.meta.json'), JSON.stringify(result.metafile));
const size = statSync(outfile).size;
process.stderr.write(`bundle: ${outfile} ${(size / 1024).toFixed(0)} KiB, ${Object.keys(result.metafile.inputs).length} modules (the runner's part ${(runnerApp.length / 1024).toFixed(0)} KiB)\n`);
