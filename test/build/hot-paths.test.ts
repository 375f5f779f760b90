// The single file changes three hot paths of its dependencies so that the
// first frame costs less (scripts/bundle-options.mjs, hotPathPatches). They
// must give exactly what the originals give: both versions are built here
// with esbuild from the installed packages and compared on every candidate
// character and on many random strings (seeded, so a failure repeats).
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {build} from 'esbuild';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
// @ts-expect-error a plain .mjs build script without types
import {hotPathPatches, narrowSymbols, patchOutputClip, patchOutputGet, patchStringWidth, patchStyledChars} from '../../scripts/bundle-options.mjs';

type Width = (text: string, options?: {ambiguousIsNarrow?: boolean}) => number;
interface Tokenize {
	tokenize(text: string): unknown[];
	styledCharsFromTokens(tokens: unknown[]): {value: string; styles: unknown[]}[];
	styledCharsToString(chars: {value: string; styles: unknown[]}[]): string;
}

// The copies the bundle takes (resolved from the project's root).
const root = fileURLToPath(new URL('../..', import.meta.url));
const stringWidthFile = join(root, 'node_modules', 'string-width', 'index.js');
const tokenizeDir = join(root, 'node_modules', '@alcalzone', 'ansi-tokenize', 'build');
const inkBuild = join(root, 'node_modules', 'ink', 'build');

let dir: string;
beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'dc-hot-paths-'));
});
afterAll(() => {
	if (dir) rmSync(dir, {recursive: true, force: true});
});

/** Bundles `contents` (resolved as if it were in `resolveDir`) and imports it. */
async function load<T>(name: string, contents: string, resolveDir: string): Promise<T> {
	const outfile = join(dir, `${name}.mjs`);
	await build({stdin: {contents, resolveDir, sourcefile: name, loader: 'js'}, bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'error'});
	return (await import(pathToFileURL(outfile).href)) as T;
}

/** Bundles `contents` as `load` does, through the bundle's hotPathPatches plugin (every patch, as the program gets them). */
async function loadPatched<T>(name: string, contents: string, resolveDir: string, beforeImport = () => {}): Promise<T> {
	const outfile = join(dir, `${name}.mjs`);
	await build({stdin: {contents, resolveDir, sourcefile: name, loader: 'js'}, bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'error', plugins: [hotPathPatches]});
	beforeImport();
	return (await import(pathToFileURL(outfile).href)) as T;
}

/** A small seeded generator (mulberry32). */
function random(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

describe('string-width with the narrow fast path', () => {
	let original: Width;
	let patched: Width;
	let narrow: string[];
	beforeAll(async () => {
		const text = readFileSync(stringWidthFile, 'utf8');
		original = (await import(pathToFileURL(stringWidthFile).href)).default as Width;
		const source = patchStringWidth(text, narrowSymbols(original)) as string | undefined;
		expect(source, 'the patch applies to the installed string-width').toBeDefined();
		patched = (await load<{default: Width}>('string-width', source!, dirname(stringWidthFile))).default;
		const set = new RegExp(`^[${narrowSymbols(original)}]$`, 'u');
		narrow = [];
		for (let cp = 0xa0; cp <= 0x2bff; cp++) if (set.test(String.fromCodePoint(cp))) narrow.push(String.fromCodePoint(cp));
	});

	it('takes the fast path for the cockpit\'s glyphs', () => {
		expect(narrow.length).toBeGreaterThan(1000);
		for (const glyph of '│─›✓○⚑⟲…·§▸▁⏱↓↑—–→⚠◐∞✗•×»') expect(narrow, glyph).toContain(glyph);
		// Wide, emoji-presentation and zero-width characters never.
		for (const other of ['⌚', '⏩', '☕', '\u200b', '\u200d', '\u00ad', '\u20dd', '中']) expect(narrow).not.toContain(other);
	});

	it('gives what the original gives for every character of the blocks it covers', () => {
		for (let cp = 0xa0; cp <= 0x2bff; cp++) {
			const ch = String.fromCodePoint(cp);
			expect(patched(ch), ch).toBe(original(ch));
			expect(patched(ch, {ambiguousIsNarrow: false}), ch).toBe(original(ch, {ambiguousIsNarrow: false}));
		}
	});

	it('gives what the original gives for random strings, styled or not, with and without other scripts and emoji', () => {
		const next = random(12);
		const others = ['中', '한', '\u1100\u1161', 'é', 'e\u0301', '⚠\ufe0f', '👍🏽', '👩\u200d💻', '#\u20e3', '\u200b', '\t', '\x1b[31m', '\x1b[0m', '\x1b]8;;x\x07', 'ﾞ', 'ｱ'];
		const ascii = ' abcXYZ019[]{}|~-_';
		for (let i = 0; i < 4000; i++) {
			let text = '';
			const length = Math.floor(next() * 30);
			const mix = next() < 0.5;
			for (let j = 0; j < length; j++) {
				const r = next();
				if (r < 0.45) text += narrow[Math.floor(next() * narrow.length)];
				else if (r < 0.9 || !mix) text += ascii[Math.floor(next() * ascii.length)];
				else text += others[Math.floor(next() * others.length)];
			}
			expect(patched(text), JSON.stringify(text)).toBe(original(text));
			expect(patched(text, {ambiguousIsNarrow: false}), JSON.stringify(text)).toBe(original(text, {ambiguousIsNarrow: false}));
		}
	});
});

describe('ansi-tokenize writing no style change between equally styled cells', () => {
	let original: Tokenize;
	let patched: Tokenize;
	beforeAll(async () => {
		const index = `export {tokenize} from './tokenize.js'; export {styledCharsFromTokens, styledCharsToString} from './styledChars.js';`;
		original = await load<Tokenize>('tokenize-original', index, tokenizeDir);
		const styled = patchStyledChars(readFileSync(join(tokenizeDir, 'styledChars.js'), 'utf8')) as string | undefined;
		expect(styled, 'the patch applies to the installed ansi-tokenize').toBeDefined();
		// The patched styledChars.js, beside the package's other files.
		const patchedIndex = `export {tokenize} from './tokenize.js';\n${styled!}`;
		patched = await load<Tokenize>('tokenize-patched', patchedIndex, tokenizeDir);
	});

	it('gives the same text for random styled lines, also when cells of separate writes meet (as in Ink\'s Output)', () => {
		const next = random(34);
		const codes = ['\x1b[1m', '\x1b[2m', '\x1b[22m', '\x1b[3m', '\x1b[23m', '\x1b[4m', '\x1b[24m', '\x1b[7m', '\x1b[27m', '\x1b[31m', '\x1b[32m', '\x1b[39m', '\x1b[38;5;208m', '\x1b[38;2;10;20;30m', '\x1b[41m', '\x1b[49m', '\x1b[48;5;17m', '\x1b[0m', '\x1b]8;;https://x\x07', '\x1b]8;;\x07'];
		const chars = 'ab │›✓…中';
		const line = () => {
			let text = '';
			const n = Math.floor(next() * 25);
			for (let j = 0; j < n; j++) text += next() < 0.3 ? codes[Math.floor(next() * codes.length)] : chars[Math.floor(next() * chars.length)];
			return text;
		};
		for (let i = 0; i < 3000; i++) {
			const text = line();
			const a = original.styledCharsToString(original.styledCharsFromTokens(original.tokenize(text)));
			const b = patched.styledCharsToString(patched.styledCharsFromTokens(patched.tokenize(text)));
			expect(b, JSON.stringify(text)).toBe(a);
			// A row of cells from several writes, as Ink's Output builds one: equal styles in distinct arrays.
			const row = [...original.styledCharsFromTokens(original.tokenize(line())), ...original.styledCharsFromTokens(original.tokenize(text)), {value: ' ', styles: []}];
			expect(patched.styledCharsToString(row), JSON.stringify(row)).toBe(original.styledCharsToString(row));
		}
	});
});

interface InkOutput {
	write(x: number, y: number, text: string, options: {transformers: Array<(line: string, index: number) => string>}): void;
	clip(clip: {x1?: number; x2?: number; y1?: number; y2?: number}): void;
	unclip(): void;
	get(): {output: string; height: number};
}
type OutputClass = new (options: {width: number; height: number}) => InkOutput;

describe('Ink\'s Output cutting clipped text to the rows first, keeping plain lines that fit, and drawing from flat rows', () => {
	let original: OutputClass;
	let patched: OutputClass;
	let cellGets = 0;
	beforeAll(async () => {
		original = (await load<{default: OutputClass}>('output-original', `export {default} from './output.js';`, inkBuild)).default;
		const stringWidth = (await import(pathToFileURL(join(root, 'node_modules', 'string-width', 'index.js')).href)).default as Width;
		const clipped = patchOutputClip(readFileSync(join(inkBuild, 'output.js'), 'utf8'), narrowSymbols(stringWidth)) as string | undefined;
		expect(clipped, 'the clip patch applies to the installed Ink').toBeDefined();
		const source = patchOutputGet(clipped, join(root, 'scripts', 'ink-output-get.mjs')) as string | undefined;
		expect(source, 'the get patch applies to the installed Ink').toBeDefined();
		patched = (await load<{default: OutputClass}>('output-patched', source!, inkBuild)).default;
		// Count the frames the fast get leaves to Ink's own.
		const prototype = patched.prototype as unknown as {__dcCellGet(this: InkOutput): unknown};
		const cellGet = prototype.__dcCellGet;
		prototype.__dcCellGet = function () {
			cellGets++;
			return cellGet.call(this);
		};
	});

	it('draws the same frame for random styled, wide and multi-line texts under nested clips', async () => {
		const next = random(56);
		const int = (n: number) => Math.floor(next() * n);
		const stringWidth = (await import(pathToFileURL(join(root, 'node_modules', 'string-width', 'index.js')).href)).default as Width;
		const set = new RegExp(`^[${narrowSymbols(stringWidth)}]$`, 'u');
		const narrow: string[] = [];
		for (let cp = 0xa0; cp <= 0x2bff; cp++) if (set.test(String.fromCodePoint(cp))) narrow.push(String.fromCodePoint(cp));
		const codes = ['\x1b[1m', '\x1b[22m', '\x1b[2m', '\x1b[31m', '\x1b[39m', '\x1b[38;5;208m', '\x1b[38;2;1;2;3m', '\x1b[44m', '\x1b[49m', '\x1b[7m', '\x1b[27m', '\x1b[4m', '\x1b[24m', '\x1b[0m', '\x1b[m'];
		const others = ['中', '👍', 'e\u0301', '\u200b', '⚠\ufe0f', '\x1b]8;;https://x\x07', '\x1b]8;;\x07', '\t'];
		// Plain lines (what the cockpit draws: ASCII, its glyphs) mostly; colour codes in some, anything in others.
		// kind 0: plain; 1: with colour codes; 2: with anything.
		const piece = (kind: number) => {
			const r = next();
			if (r < 0.25) return narrow[int(narrow.length)];
			if (kind > 0 && r < 0.45) return codes[int(codes.length)];
			if (kind > 1 && r < 0.6) return others[int(others.length)];
			return 'ab -|xyz019'[int(11)];
		};
		const text = () => {
			const lines: string[] = [];
			for (let l = 0, n = 1 + int(12); l < n; l++) {
				let line = '';
				const kind = next() < 0.6 ? 0 : next() < 0.5 ? 1 : 2;
				for (let j = 0, m = int(40); j < m; j++) line += piece(kind);
				lines.push(line);
			}
			return lines.join('\n');
		};
		// Ink's Text colours each line in a transformer (chalk: open codes, the line, close codes).
		const colour = () => {
			const open = Array.from({length: 1 + int(3)}, () => codes[int(codes.length)]).join('');
			const close = next() < 0.8 ? '\x1b[39m\x1b[22m' : next() < 0.5 ? '\x1b[0m' : '';
			return (line: string) => `${open}${line}${close}`;
		};
		const transformers = () => {
			const r = next();
			if (r < 0.4) return [];
			if (r < 0.8) return [colour()];
			if (r < 0.9) return [colour(), colour()];
			return [(line: string, index: number) => (index % 2 === 0 ? line : `\x1b[2m${line}\x1b[22m`)];
		};
		cellGets = 0;
		const rounds = 1500;
		for (let round = 0; round < rounds; round++) {
			const width = 10 + int(50);
			const height = 4 + int(20);
			const a = new original({width, height});
			const b = new patched({width, height});
			let depth = 0;
			for (let op = 0, n = 1 + int(12); op < n; op++) {
				const r = next();
				if (r < 0.3) {
					const clip = next() < 0.2 ? {x1: int(width), x2: int(width * 1.5)} : next() < 0.2 ? {y1: int(height), y2: int(height * 1.5)} : {x1: int(width) - 3, x2: int(width) + 3, y1: int(height) - 3, y2: int(height) + 3};
					a.clip(clip);
					b.clip(clip);
					depth++;
				} else if (r < 0.4 && depth > 0) {
					a.unclip();
					b.unclip();
					depth--;
				} else {
					// Also past the right edge (Ink leaves holes there, then drops them) and above the top.
					const [x, y, t, f] = [int(width + 10) - 4, int(height + 6) - 6, text(), transformers()];
					a.write(x, y, t, {transformers: f});
					b.write(x, y, t, {transformers: f});
				}
			}
			expect(b.get(), `round ${round}`).toEqual(a.get());
		}
		// Both ways were compared: most frames here hold only plain and coloured lines.
		expect(cellGets).toBeGreaterThan(rounds * 0.1);
		expect(cellGets).toBeLessThan(rounds * 0.7);
	});
});

const oldStringWidthFile = join(inkBuild, '..', 'node_modules', 'wrap-ansi', 'node_modules', 'string-width', 'index.js');
interface Texts {
	oldStringWidth: Width;
	tokenize(text: string): unknown[];
	sliceAnsi(text: string, start?: number, end?: number): string;
	stringWidth: Width;
	wrapAnsi(text: string, columns: number, options?: {hard?: boolean; trim?: boolean}): string;
}

describe('the text functions without Intl.Segmenter for plain and colour-coded text', () => {
	// The project's tokenize, slice-ansi and string-width, and the wrap-ansi Ink
	// loads (with its own older string-width), as they are and as bundled.
	const entry = [
		"export {tokenize} from '@alcalzone/ansi-tokenize';",
		"export {default as sliceAnsi} from 'slice-ansi';",
		"export {default as stringWidth} from 'string-width';",
		`export {default as wrapAnsi} from ${JSON.stringify(join(inkBuild, '..', 'node_modules', 'wrap-ansi', 'index.js'))};`,
		`export {default as oldStringWidth} from ${JSON.stringify(oldStringWidthFile)};`,
	].join('\n');
	let original: Texts;
	let patched: Texts;
	let made = 0;
	const RealSegmenter = Intl.Segmenter;
	beforeAll(async () => {
		original = await load<Texts>('texts-original', entry, root);
		// Count the segmenters the patched modules make, from their loading on (the build itself loads the originals).
		patched = await loadPatched<Texts>('texts-patched', entry, root, () => {
			(Intl as {Segmenter: typeof Intl.Segmenter}).Segmenter = class extends RealSegmenter {
				constructor(...options: ConstructorParameters<typeof Intl.Segmenter>) {
					super(...options);
					made++;
				}
			};
		});
	});
	afterAll(() => {
		(Intl as {Segmenter: typeof Intl.Segmenter}).Segmenter = RealSegmenter;
	});

	const next = random(78);
	const int = (n: number) => Math.floor(next() * n);
	const codes = ['\x1b[1m', '\x1b[22m', '\x1b[2m', '\x1b[31m', '\x1b[39m', '\x1b[1;31m', '\x1b[38;5;208m', '\x1b[38;2;1;2;3m', '\x1b[44m', '\x1b[49m', '\x1b[7m', '\x1b[0m', '\x1b[m'];
	const others = ['中', '👍', 'e\u0301', '\u0301', '\u200b', '⚠\ufe0f', '\x1b]8;;https://x\x07', '\x1b]8;;\x07', '\t', '\x1b[', '\x1b[1', '\x1b', '\x9b31m', '\x1b[?25l', '\r\n', '🇩🇪'];
	const plainChars = 'ab -|xyz019│›✓…─·—→';
	/** kind 0: plain; 1: with colour codes; 2: with anything. */
	const text = (kind: number) => {
		let t = '';
		for (let j = 0, n = int(30); j < n; j++) {
			const r = next();
			if (kind > 0 && r < 0.2) t += codes[int(codes.length)];
			else if (kind > 1 && r < 0.35) t += others[int(others.length)];
			else t += plainChars[int(plainChars.length)];
		}
		return t;
	};

	it('segments nothing while measuring, cutting, tokenizing and wrapping plain and colour-coded text', () => {
		expect(made, 'no segmenter is made when the modules load').toBe(0);
		for (let i = 0; i < 200; i++) {
			const t = text(1);
			patched.tokenize(t);
			patched.sliceAnsi(t, int(5), 5 + int(20));
			patched.stringWidth(t);
			patched.oldStringWidth(t);
			patched.wrapAnsi(t.replace(/\x1b\[[0-9;]*m/g, ''), 8, {hard: true, trim: false});
		}
		expect(made).toBe(0);
		patched.tokenize('a中b');
		expect(made, 'a wide character is segmented as before').toBeGreaterThan(0);
	});

	it('tokenizes, cuts, measures and wraps random strings as the originals do', () => {
		for (let i = 0; i < 4000; i++) {
			const t = text(i % 3);
			expect(patched.tokenize(t), JSON.stringify(t)).toEqual(original.tokenize(t));
			const start = next() < 0.1 ? -int(3) : int(t.length + 3);
			const end = next() < 0.2 ? undefined : next() < 0.1 ? -int(3) : int(t.length + 6);
			expect(patched.sliceAnsi(t, start, end), `${JSON.stringify(t)} ${start} ${end}`).toBe(original.sliceAnsi(t, start, end));
			expect(patched.stringWidth(t), JSON.stringify(t)).toBe(original.stringWidth(t));
			expect(patched.oldStringWidth(t), JSON.stringify(t)).toBe(original.oldStringWidth(t));
			expect(patched.oldStringWidth(t, {ambiguousIsNarrow: false}), JSON.stringify(t)).toBe(original.oldStringWidth(t, {ambiguousIsNarrow: false}));
			const columns = 1 + int(12);
			expect(patched.wrapAnsi(t, columns, {hard: true, trim: false}), `${JSON.stringify(t)} ${columns}`).toBe(original.wrapAnsi(t, columns, {hard: true, trim: false}));
		}
	});

	it('measures every character of the narrow blocks with the older string-width as the original does', () => {
		for (let cp = 0xa0; cp <= 0x2bff; cp++) {
			const t = `a${String.fromCodePoint(cp)}b`;
			expect(patched.oldStringWidth(t), t).toBe(original.oldStringWidth(t));
			expect(patched.oldStringWidth(t, {ambiguousIsNarrow: false}), t).toBe(original.oldStringWidth(t, {ambiguousIsNarrow: false}));
		}
	});

	it('cuts every narrow symbol as the original does', async () => {
		const stringWidth = (await import(pathToFileURL(stringWidthFile).href)).default as Width;
		const set = new RegExp(`^[${narrowSymbols(stringWidth)}]$`, 'u');
		for (let cp = 0xa0; cp <= 0x2bff; cp++) {
			const ch = String.fromCodePoint(cp);
			if (!set.test(ch)) continue;
			const t = `a${ch}b${ch}`;
			for (const [start, end] of [[0, 2], [1, 3], [1, undefined], [2, 4]] as const) expect(patched.sliceAnsi(t, start, end), `${ch} ${start} ${end}`).toBe(original.sliceAnsi(t, start, end));
			expect(patched.tokenize(`\x1b[31m${t}`), ch).toEqual(original.tokenize(`\x1b[31m${t}`));
		}
	});
});
