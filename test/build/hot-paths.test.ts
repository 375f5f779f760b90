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
import {narrowSymbols, patchOutputClip, patchStringWidth, patchStyledChars} from '../../scripts/bundle-options.mjs';

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

describe('Ink\'s Output cutting clipped text to the rows first and keeping plain lines that fit', () => {
	let original: OutputClass;
	let patched: OutputClass;
	beforeAll(async () => {
		original = (await load<{default: OutputClass}>('output-original', `export {default} from './output.js';`, inkBuild)).default;
		const stringWidth = (await import(pathToFileURL(join(root, 'node_modules', 'string-width', 'index.js')).href)).default as Width;
		const source = patchOutputClip(readFileSync(join(inkBuild, 'output.js'), 'utf8'), narrowSymbols(stringWidth)) as string | undefined;
		expect(source, 'the patch applies to the installed Ink').toBeDefined();
		patched = (await load<{default: OutputClass}>('output-patched', source!, inkBuild)).default;
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
		for (let round = 0; round < 1500; round++) {
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
					const [x, y, t] = [int(width + 4) - 4, int(height + 6) - 6, text()];
					a.write(x, y, t, {transformers: []});
					b.write(x, y, t, {transformers: []});
				}
			}
			expect(b.get(), `round ${round}`).toEqual(a.get());
		}
	});
});
