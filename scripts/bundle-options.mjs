// esbuild settings shared by the program's bundle (scripts/bundle.mjs) and
// the bench's bundled minimal Ink app, so that baseline is built the same way.
//  - ESM output: yoga-layout and Ink's reconciler use top-level await.
//  - the createRequire banner: CommonJS dependencies (pg, ioredis, yaml,
//    React) call require() for Node's built-ins and for each other.
//  - NODE_ENV=production: React's production build; the development one is
//    dropped from the file.
//  - Ink's devtools.js is a stub (scripts/stubs/): Ink imports it only when
//    DEV=true, for react-devtools-core; an external import of that would be
//    hoisted to the file's top and fail on every start.
//  - native optional modules (pg-native, node-pty) stay external and are
//    loaded when present; without them their feature says so.
//  - Node's built-in modules are required lazily: an ESM bundle would hoist
//    every `import … from 'node:https'` of every part to the file's top, so
//    the runner and `outline` would load tls, http, zlib, net and crypto they
//    never use. Each built-in becomes a tiny CommonJS module, initialised
//    with the part that first needs it.
//  - yoga's wasm (a base64 data: URL) is decoded in place instead of being
//    fetched: Emscripten's loader calls fetch() on it whenever fetch exists,
//    which loads Node's undici (tens of ms) just to read a string it holds.
//  - minified: V8 compiles the whole file on every start (Node 20 has no
//    compile cache), and that time grows with its size.
import {builtinModules} from 'node:module';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';

const builtins = new Set(builtinModules.flatMap(name => [name, `node:${name}`]));

export function commonOptions(root) {
	const inkDevtoolsStub = {
		name: 'ink-devtools-stub',
		setup(b) {
			b.onResolve({filter: /^\.\/devtools\.js$/}, args => (/[\\/]ink[\\/]/.test(args.importer) ? {path: join(root, 'scripts', 'stubs', 'ink-devtools.mjs')} : undefined));
		},
	};
	const lazyBuiltins = {
		name: 'lazy-builtins',
		setup(b) {
			b.onResolve({filter: /^[a-z_:/]+$/}, args => {
				if (!builtins.has(args.path)) return undefined;
				// The lazy module's own require() of the built-in is the real one.
				if (args.namespace === 'lazy-builtin') return {path: args.path, external: true};
				return {path: args.path.startsWith('node:') ? args.path : `node:${args.path}`, namespace: 'lazy-builtin'};
			});
			b.onLoad({filter: /.*/, namespace: 'lazy-builtin'}, args => ({contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js'}));
		},
	};
	const yogaNoFetch = {
		name: 'yoga-no-fetch',
		setup(b) {
			b.onLoad({filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/}, async args => {
				const text = await readFile(args.path, 'utf8');
				const fetching = 'w||"function"!=typeof fetch?Promise.resolve().then(function(){return wa()})';
				// Another yoga release: bundle it unchanged (it still works, only slower).
				if (!text.includes(fetching)) return {contents: text, loader: 'js', warnings: [{text: 'yoga-no-fetch: pattern not found, yoga left as is'}]};
				return {contents: text.replace(fetching, '!0?Promise.resolve().then(function(){return wa()})'), loader: 'js'};
			});
		},
	};
	return {
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		minify: true,
		legalComments: 'none',
		logLevel: 'warning',
		plugins: [inkDevtoolsStub, lazyBuiltins, yogaNoFetch],
		external: ['pg-native', 'node-pty', 'cpu-features'],
		define: {'process.env.NODE_ENV': '"production"'},
		banner: {js: ["import {createRequire as __dcCreateRequire} from 'node:module';", 'const require = __dcCreateRequire(import.meta.url);'].join('\n')},
	};
}
