// esbuild settings. commonOptions: a plain one-file ESM bundle, the bench's
// bundled minimal Ink app (its baseline, kept as any Ink app would be bundled)
// and the base of the program's. programOptions: what the program's file
// adds on top, the app part as a classic script for V8's code cache.
//  - ESM output (commonOptions): yoga-layout and Ink's reconciler use
//    top-level await.
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
//  - minified: V8 compiles the whole file on every start when there is no
//    code cache yet, and that time grows with its size.
// programOptions, the two programs of dist/deploycockpit.mjs (scripts/bundle.mjs
// wraps them in scripts/launcher-core.cjs):
//  - CommonJS-style output wrapped as `(function (require, __dcUrl) {…})`:
//    a classic script, which node:vm compiles with a V8 code cache on Node 20
//    as on 22/24. The launcher hands in require and its own import.meta.url
//    (import.meta.url is defined as __dcUrl).
//  - no top-level await: yoga-layout becomes scripts/stubs/yoga-deferred.mjs
//    (loads the wasm asynchronously, source/ui/yoga-ready.ts awaits it), and
//    Ink's reconciler loses its two DEV-only awaits (the devtools import,
//    which the stub above makes fail anyway, and reading its package.json for
//    the devtools).
//  - the hot paths of the first frame, changed so that they give the same
//    result with less work (hotPathPatches below; test/build/hot-paths.test.ts
//    compares them with the originals). Text made of printable ASCII and of
//    single-width symbols (box drawing, arrows, the cockpit's glyphs), with
//    or without colour codes, is measured, cut and tokenized without the
//    emoji regular expression (its first use compiles a very large automaton,
//    tens of ms) and without Intl.Segmenter (the first one a process makes
//    loads ICU's break rules, ~13 ms), which is made only when some text
//    needs it; Ink's Output draws a frame of such text from flat rows
//    (scripts/ink-output-get.mjs) instead of one object per cell; and
//    ansi-tokenize writes no style change between two cells with the same
//    styles without computing the (empty) difference.
import {builtinModules, createRequire} from 'node:module';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

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

const STRING_WIDTH_ASCII = 'if (/^[\\u0020-\\u007E]*$/.test(string)) {';
const STRING_WIDTH_RGI = 'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;';
const STRING_WIDTH_RGI_USE = 'rgiEmojiRegex.test(segment)';
const STYLED_DIFF = 'ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));';

/**
 * The code points (in Latin-1 and the symbol blocks U+2000-U+2BFF) that the
 * given string-width measures as 1 on their own and that always form a
 * grapheme of their own (a grapheme base, not a spacing mark; these blocks
 * hold no prepend or Hangul characters), as a regular expression character
 * class body. A string of only these and printable ASCII is one grapheme per
 * code point, so its width is its length.
 */
export function narrowSymbols(stringWidth) {
	const ranges = [];
	for (const [from, to] of [[0xa0, 0xff], [0x2000, 0x2bff]]) {
		for (let cp = from; cp <= to; cp++) {
			const ch = String.fromCodePoint(cp);
			if (stringWidth(ch) !== 1 || !/^\p{Grapheme_Base}$/u.test(ch) || /^\p{Mc}$/u.test(ch)) continue;
			const last = ranges.at(-1);
			if (last && last[1] === cp - 1) last[1] = cp;
			else ranges.push([cp, cp]);
		}
	}
	const hex = cp => `\\u${cp.toString(16).padStart(4, '0')}`;
	return ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('');
}

/**
 * Source text of a regular expression for a string of printable ASCII and the
 * narrow symbols, its name `name` (each patched module gets its own copy).
 */
const plainTextRegExp = (name, narrow) => `const ${name} = /^[\\u0020-\\u007E${narrow}]*$/u;`;
/** The same with SGR sequences between the characters. */
const unitsOnlyRegExp = narrow => `const __dcUnitsOnly = /^(?:\\x1b\\[[0-9;]*m|[\\u0020-\\u007E${narrow}])*$/u;`;

/** string-width's source with the narrow fast path and a lazily built emoji expression. */
export function patchStringWidth(text, narrow) {
	if (!text.includes(STRING_WIDTH_ASCII) || !text.includes(STRING_WIDTH_RGI) || !text.includes(STRING_WIDTH_RGI_USE)) return undefined;
	return text
		.replace(STRING_WIDTH_ASCII, `if (/^[\\u0020-\\u007E]*$/.test(string) || (ambiguousIsNarrow && /^[\\u0020-\\u007E${narrow}]*$/.test(string))) {`)
		.replace(STRING_WIDTH_RGI, 'let rgiEmojiRegex;')
		.replace(STRING_WIDTH_RGI_USE, '(rgiEmojiRegex ??= /^\\p{RGI_Emoji}$/v).test(segment)');
}

const OLD_STRING_WIDTH = '\tlet width = 0;\n\tconst eastAsianWidthOptions = {ambiguousAsWide: !ambiguousIsNarrow};\n';

/**
 * An older string-width without an ASCII fast path (the one in Ink's own
 * wrap-ansi, which segments every text it measures): a text of printable
 * ASCII and `narrow` (that copy's own narrowSymbols) is as wide as it is long.
 */
export function patchOldStringWidth(text, narrow) {
	if (!text.includes(OLD_STRING_WIDTH)) return undefined;
	const plain = `${plainTextRegExp('__dcNarrowText', narrow)}\n`;
	// After the escape codes are stripped, where the original starts measuring.
	const fast = '\tif (ambiguousIsNarrow && __dcNarrowText.test(string)) return string.length;\n';
	return plain + text.replace(OLD_STRING_WIDTH, fast + OLD_STRING_WIDTH);
}

/** ansi-tokenize's styledChars.js: no difference computed between equal style lists. */
export function patchStyledChars(text) {
	if (!text.includes(STYLED_DIFF)) return undefined;
	const same = 'const __dcSameStyles = (a, b) => a === b || (a.length === b.length && a.every((code, i) => code.code === b[i].code && code.endCode === b[i].endCode));\n';
	return same + text.replace(STYLED_DIFF, 'if (!__dcSameStyles(chars[i - 1].styles, char.styles)) ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));');
}

const OUTPUT_CLIP = `                    if (clipHorizontally) {
                        lines = lines.map(line => {
                            const from = x < clip.x1 ? clip.x1 - x : 0;
                            const width = this.caches.getStringWidth(line);
                            const to = x + width > clip.x2 ? clip.x2 - x : width;
                            return sliceAnsi(line, from, to);
                        });
                        if (x < clip.x1) {
                            x = clip.x1;
                        }
                    }
                    if (clipVertically) {
                        const from = y < clip.y1 ? clip.y1 - y : 0;
                        const height = lines.length;
                        const to = y + height > clip.y2 ? clip.y2 - y : height;
                        lines = lines.slice(from, to);
                        if (y < clip.y1) {
                            y = clip.y1;
                        }
                    }`;

/**
 * Ink's output.js: a clipped text's lines are cut to the clip's rows first,
 * then to its columns, and a line that fits the columns and holds nothing but
 * printable ASCII and the narrow symbols (`narrow`, see narrowSymbols) is kept
 * as it is (Ink colours a text's lines after this cut, so most are plain).
 * Ink cut every line of the text to the columns (slice-ansi tokenizes each,
 * in code that is still cold at the first frame) before dropping the rows
 * outside the clip, so a pane showing 40 rows of a 300-line text paid for 300,
 * and a line that fits was cut to itself. The two cuts are independent per
 * line. (Only plain lines are kept: for zero-width, emoji and other wide
 * characters slice-ansi's idea of a fitting line is not string-width's, and it
 * rewrites style codes, e.g. drops a dim that a bold follows: the frame would
 * change.)
 */
export function patchOutputClip(text, narrow) {
	if (!text.includes(OUTPUT_CLIP)) return undefined;
	const [horizontal, vertical] = OUTPUT_CLIP.split('\n                    if (clipVertically) {');
	const kept = horizontal.replace('return sliceAnsi(line, from, to);', 'return from === 0 && to === width && __dcPlainLine.test(line) ? line : sliceAnsi(line, from, to);');
	const plain = `${plainTextRegExp('__dcPlainLine', narrow)}\n`;
	return plain + text.replace(OUTPUT_CLIP, `                    if (clipVertically) {${vertical}\n${kept}`);
}

const OUTPUT_GET = '    get() {\n';
const OUTPUT_TOKENIZE_IMPORT = "import { styledCharsFromTokens, styledCharsToString, tokenize, } from '@alcalzone/ansi-tokenize';";

/**
 * Ink's output.js (already through patchOutputClip): get() draws the frame
 * with scripts/ink-output-get.mjs, from flat per-row arrays instead of one
 * object per cell, and falls back to Ink's own (renamed __dcCellGet) for a
 * frame that holds something it does not place (see that file). `fastGet`
 * is the path to import it from.
 */
export function patchOutputGet(text, fastGet) {
	if (!text.includes(OUTPUT_GET) || !text.includes(OUTPUT_TOKENIZE_IMPORT) || !text.includes('const __dcPlainLine = ')) return undefined;
	const imports = [
		"import { reduceAnsiCodesIncremental as __dcReduce, ansiCodesToString as __dcCodesToString, diffAnsiCodes as __dcDiff } from '@alcalzone/ansi-tokenize';",
		`import { createFastGet as __dcCreateFastGet } from ${JSON.stringify(fastGet)};`,
	].join('\n');
	const create = 'const __dcFastGet = __dcCreateFastGet({sliceAnsi, tokenize, reduceAnsiCodesIncremental: __dcReduce, ansiCodesToString: __dcCodesToString, diffAnsiCodes: __dcDiff, plainLine: __dcPlainLine});\n';
	return text
		.replace(OUTPUT_TOKENIZE_IMPORT, `${OUTPUT_TOKENIZE_IMPORT}\n${imports}`)
		.replace(OUTPUT_GET, `    get() {\n        return __dcFastGet(this) ?? this.__dcCellGet();\n    }\n    __dcCellGet() {\n`) + `\n${create}`;
}

/**
 * Defers a module's `new Intl.Segmenter(...)` to the first segment() call.
 * The first segmenter a process creates loads ICU's break rules, ~13 ms on
 * this project's machine, and string-width (both copies), slice-ansi and
 * ansi-tokenize each create one when they are loaded; with the fast paths
 * here the cockpit's first frame segments nothing.
 */
export function patchLazySegmenter(text) {
	if (!text.includes('new Intl.Segmenter(')) return undefined;
	const lazy = 'const __dcLazySegmenter = (...options) => { let made; return {segment: text => (made ??= new Intl.Segmenter(...options)).segment(text)}; };\n';
	return lazy + text.replaceAll('new Intl.Segmenter(', '__dcLazySegmenter(');
}

const TOKENIZE_LOOP = 'for (const { segment, index } of segmenter.segment(str)) {';

/**
 * ansi-tokenize's tokenize.js: a string of printable ASCII, the narrow
 * symbols (`narrow`, see narrowSymbols) and SGR sequences is walked one UTF-16
 * unit at a time instead of through Intl.Segmenter: each of those units is a
 * grapheme of its own (an escape is a control, which always stands alone).
 */
export function patchTokenize(text, narrow) {
	if (!text.includes(TOKENIZE_LOOP)) return undefined;
	const units = [
		unitsOnlyRegExp(narrow),
		'const __dcSegments = str => {',
		'    if (!__dcUnitsOnly.test(str)) return segmenter.segment(str);',
		'    const units = [];',
		'    for (let index = 0; index < str.length; index++) units.push({ segment: str[index], index });',
		'    return units;',
		'};',
		'',
	].join('\n');
	return units + text.replace(TOKENIZE_LOOP, 'for (const { segment, index } of __dcSegments(str)) {');
}

const TOKENIZE_ANSI_SEGMENTS = 'const graphemeSegments = GRAPHEME_SEGMENTER.segment(string);';
const TOKENIZE_ANSI_PAIR = 'function areValuesInSameGrapheme(leftValue, rightValue) {\n';

/**
 * slice-ansi's tokenize-ansi.js, for a string of printable ASCII, the narrow
 * symbols and SGR sequences (see patchTokenize): the graphemes of each unit
 * are the unit itself, found without Intl.Segmenter (tokenizeAnsi asks its
 * segments only for the one containing an index), and two such characters
 * are never one grapheme.
 */
export function patchTokenizeAnsi(text, narrow) {
	if (!text.includes(TOKENIZE_ANSI_SEGMENTS) || !text.includes(TOKENIZE_ANSI_PAIR)) return undefined;
	const units = [
		unitsOnlyRegExp(narrow),
		plainTextRegExp('__dcPlainText', narrow),
		'const __dcUnitSegments = string => ({containing: index => (index >= 0 && index < string.length ? {segment: string[index], index, input: string} : undefined)});',
		'',
	].join('\n');
	return units + text
		.replace(TOKENIZE_ANSI_SEGMENTS, 'const graphemeSegments = __dcUnitsOnly.test(string) ? __dcUnitSegments(string) : GRAPHEME_SEGMENTER.segment(string);')
		.replace(TOKENIZE_ANSI_PAIR, `${TOKENIZE_ANSI_PAIR}\tif (__dcPlainText.test(leftValue) && __dcPlainText.test(rightValue) && leftValue.length === 1 && rightValue.length === 1) return false;\n`);
}

const SLICE_ANSI = 'export default function sliceAnsi(string, start, end) {\n';

/**
 * slice-ansi's index.js: a string of printable ASCII and the narrow symbols,
 * cut at whole non-negative columns, is cut with String#slice (each of its
 * characters is one column, one grapheme and one UTF-16 unit). Ink cuts with
 * it the lines of a clipped text and cli-truncate the truncated ones.
 */
export function patchSliceAnsi(text, narrow) {
	if (!text.includes(SLICE_ANSI)) return undefined;
	const plain = `${plainTextRegExp('__dcPlainText', narrow)}\n`;
	const fast = '\tif (Number.isInteger(start) && start >= 0 && (end === undefined || (Number.isInteger(end) && end >= 0)) && __dcPlainText.test(string)) return string.slice(start, end);\n';
	return plain + text.replace(SLICE_ANSI, SLICE_ANSI + fast);
}

/** The patches as an esbuild plugin; a dependency that changed is bundled as it is, with a warning. */
export const hotPathPatches = {
	name: 'hot-path-patches',
	setup(b) {
		/** The patched text, or the original with a warning when the patch no longer applies. */
		const orAsIs = (text, patched, what) => (patched ? {contents: patched, loader: 'js'} : {contents: text, loader: 'js', warnings: [{text: `hot-path-patches: ${what} changed, left as is`}]});
		const lazy = (text, what) => {
			const patched = patchLazySegmenter(text);
			if (!patched) return {contents: text, loader: 'js', warnings: [{text: `hot-path-patches: ${what} creates no Intl.Segmenter any more, left as is`}]};
			return {contents: patched, loader: 'js'};
		};
		// narrowSymbols measures ~11,000 code points: once per string-width copy, not once per patched file.
		const narrowOf = new Map();
		const narrow = stringWidth => {
			if (!narrowOf.has(stringWidth)) narrowOf.set(stringWidth, narrowSymbols(stringWidth));
			return narrowOf.get(stringWidth);
		};
		// The string-width the program measures text with (the project's).
		const projectNarrow = async () => narrow((await import('string-width')).default);
		b.onLoad({filter: /[\\/]string-width[\\/]index\.js$/}, async args => {
			const text = await readFile(args.path, 'utf8');
			// Each copy measures the narrow symbols as its own release does.
			const {default: stringWidth} = await import(pathToFileURL(args.path).href);
			// Ink's nested older copy has no ASCII fast path: it gets one for ASCII and the narrow symbols.
			const patched = text.includes(STRING_WIDTH_ASCII) ? patchStringWidth(text, narrow(stringWidth)) : patchOldStringWidth(text, narrow(stringWidth));
			return patched ? lazy(patched, 'string-width') : orAsIs(text, undefined, args.path);
		});
		b.onLoad({filter: /[\\/]slice-ansi[\\/]tokenize-ansi\.js$/}, async args => {
			const text = await readFile(args.path, 'utf8');
			const patched = patchTokenizeAnsi(text, await projectNarrow());
			return patched ? lazy(patched, 'slice-ansi') : orAsIs(text, undefined, 'slice-ansi\'s tokenizer');
		});
		b.onLoad({filter: /[\\/]slice-ansi[\\/]index\.js$/}, async args => {
			const text = await readFile(args.path, 'utf8');
			return orAsIs(text, patchSliceAnsi(text, await projectNarrow()), 'slice-ansi');
		});
		b.onLoad({filter: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/}, async args => {
			const text = await readFile(args.path, 'utf8');
			const patched = patchTokenize(text, await projectNarrow());
			return patched ? lazy(patched, 'ansi-tokenize') : orAsIs(text, undefined, 'ansi-tokenize');
		});
		b.onLoad({filter: /[\\/]ink[\\/]build[\\/]output\.js$/}, async args => {
			const text = await readFile(args.path, 'utf8');
			// The string-width Ink's output.js measures lines with.
			const {default: stringWidth} = await import(pathToFileURL(createRequire(args.path).resolve('string-width')).href).catch(() => import('string-width'));
			const clipped = patchOutputClip(text, narrow(stringWidth));
			return orAsIs(text, clipped && patchOutputGet(clipped, fileURLToPath(new URL('ink-output-get.mjs', import.meta.url))), 'Ink\'s output.js');
		});
		b.onLoad({filter: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/}, async args => {
			const text = await readFile(args.path, 'utf8');
			return orAsIs(text, patchStyledChars(text), 'ansi-tokenize');
		});
	},
};

/** The program's app part: commonOptions as a classic script (see the top). */
export function programOptions(root) {
	const common = commonOptions(root);
	const yogaDeferred = {
		name: 'yoga-deferred',
		setup(b) {
			const shim = join(root, 'scripts', 'stubs', 'yoga-deferred.mjs');
			b.onResolve({filter: /^yoga-layout$/}, args => (args.importer === shim ? undefined : {path: shim}));
		},
	};
	const inkNoTopLevelAwait = {
		name: 'ink-no-top-level-await',
		setup(b) {
			b.onLoad({filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/}, async args => {
				const text = await readFile(args.path, 'utf8');
				const devtools = "await import('./devtools.js');";
				const packageJson = '? await loadPackageJson()';
				// Another Ink release: stop here rather than ship a file that cannot load.
				if (!text.includes(devtools) || !text.includes(packageJson)) throw new Error('ink-no-top-level-await: Ink\'s reconciler changed; update scripts/bundle-options.mjs');
				const contents = text
					.replace(devtools, "throw Object.assign(new Error(\"Cannot find package 'react-devtools-core' (not part of the deploycockpit bundle)\"), {code: 'ERR_MODULE_NOT_FOUND'});")
					.replace(packageJson, '? {name: undefined, version: undefined}');
				return {contents, loader: 'js'};
			});
		},
	};
	return {
		...common,
		format: 'cjs',
		plugins: [yogaDeferred, inkNoTopLevelAwait, hotPathPatches, ...common.plugins],
		define: {...common.define, 'import.meta.url': '__dcUrl'},
		banner: {js: '(function (require, __dcUrl) {'},
		footer: {js: '})'},
	};
}
