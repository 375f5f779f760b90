#!/usr/bin/env node
// `npm run bundle`: source/ and its dependencies as one ESM file,
// dist/deploycockpit.mjs, which runs alone with nothing but Node >= 20 beside
// it (copy it to a bastion). tsc still type-checks and writes the per-file
// dist/ the tests import. Why each setting:
//  - ESM output: yoga-layout and Ink's reconciler use top-level await.
//  - the createRequire banner: CommonJS dependencies (pg, ioredis, yaml, React)
//    call require() for Node's built-ins.
//  - NODE_ENV=production: React's production build, the development one is
//    dropped from the file.
//  - Ink's devtools.js is a stub (scripts/stubs/): Ink imports it only when
//    DEV=true, for react-devtools-core; an external import of that would be
//    hoisted to the file's top and fail on every start.
//  - minified: V8 compiles the whole file on every start (Node 20 has no
//    compile cache), and that time grows with its size.
//  - native optional modules (pg-native, node-pty) stay external and are
//    loaded when present; without them their feature says so.
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'deploycockpit.mjs');
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

const inkDevtoolsStub = {
	name: 'ink-devtools-stub',
	setup(b) {
		b.onResolve({filter: /^\.\/devtools\.js$/}, args => (/[\\/]ink[\\/]/.test(args.importer) ? {path: join(root, 'scripts', 'stubs', 'ink-devtools.mjs')} : undefined));
	},
};

const result = await build({
	entryPoints: [join(root, 'source', 'main.ts')],
	outfile,
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	minify: true,
	legalComments: 'none',
	logLevel: 'warning',
	metafile: true,
	plugins: [inkDevtoolsStub],
	external: ['pg-native', 'node-pty', 'cpu-features'],
	define: {
		'process.env.NODE_ENV': '"production"',
		__DEPLOYCOCKPIT_BUNDLED__: JSON.stringify({version: pkg.version, themes, parserStamp: `bundle:${parser.digest('hex')}`}),
	},
	banner: {
		js: [
			'#!/usr/bin/env node',
			`// deploycockpit ${pkg.version} (MIT), the whole program in one file: node deploycockpit.mjs --help`,
			"import {createRequire as __dcCreateRequire} from 'node:module';",
			'const require = __dcCreateRequire(import.meta.url);',
		].join('\n'),
	},
});
// What is in the file and how big (esbuild's analyzer reads it); not shipped.
writeFileSync(join(root, 'dist', 'deploycockpit.meta.json'), JSON.stringify(result.metafile));
const size = statSync(outfile).size;
process.stderr.write(`bundle: ${outfile.slice(root.length + 1)} ${(size / 1024).toFixed(0)} KiB, ${Object.keys(result.metafile.inputs).length} modules\n`);
