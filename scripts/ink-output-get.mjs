// A faster Output#get for Ink's output.js, patched in by the bundle
// (bundle-options.mjs, patchOutputGet). Ink's get() builds a frame as a grid
// of one object per cell: every line of every write is split into graphemes
// with Intl.Segmenter (ansi-tokenize's tokenize), each grapheme becomes an
// object holding its own copy of the style list, and each row is turned back
// into text cell by cell, comparing style lists. At the first frame all of
// that runs in cold code: ~30 ms of a 120x40 cockpit's first frame, more than
// React's render (measured with marks in Ink's renderer).
//
// This get() draws the same frame from two flat arrays per row: a cell's
// character and its style list, shared by every cell of a run. It takes only
// what it can place exactly as Ink does: whole-number positions and lines
// whose characters are each one column and one UTF-16 unit (printable ASCII
// and the narrow symbols, as in the clip patch) with nothing but SGR colour
// codes between them. For anything else (wide or zero-width characters,
// tabs, links, other escapes) it returns undefined and the caller runs Ink's
// own get(). The style lists come from ansi-tokenize's own functions, so a
// run's styles are exactly those Ink gives each of its cells, and the row's
// text uses the same style-difference codes Ink writes between cells.
// test/build/hot-paths.test.ts compares both on random frames.

/** An SGR sequence, as ansi-tokenize's findSGRSequenceEndIndex reads one. */
const SGR = /\x1b\[[0-9;]*m/g;

/**
 * The get() for Ink's Output, given what output.js imports (so the same
 * copies of the packages): slice-ansi, ansi-tokenize's tokenize,
 * reduceAnsiCodesIncremental, ansiCodesToString and diffAnsiCodes, and the
 * expression of a plain line (printable ASCII and the narrow symbols).
 */
export function createFastGet({sliceAnsi, tokenize, reduceAnsiCodesIncremental, ansiCodesToString, diffAnsiCodes, plainLine}) {
	const none = [];
	/** Each escape's tokens: a frame repeats the same few dozen. */
	const escapes = new Map();
	const sameStyles = (a, b) => a === b || (a.length === b.length && a.every((code, i) => code.code === b[i].code && code.endCode === b[i].endCode));

	/** `line` as runs [styles, text, styles, text, ...], or undefined when a character of it may not be one cell. */
	function runsOf(line) {
		if (!line.includes('\x1b')) return plainLine.test(line) ? [none, line] : undefined;
		const runs = [];
		let styles = [];
		let at = 0;
		SGR.lastIndex = 0;
		for (let found = SGR.exec(line); ; found = SGR.exec(line)) {
			const end = found ? found.index : line.length;
			if (end > at) {
				const text = line.slice(at, end);
				if (!plainLine.test(text)) return undefined;
				runs.push(styles, text);
			}
			if (!found) return runs;
			const code = found[0];
			let tokens = escapes.get(code);
			if (tokens === undefined) {
				tokens = tokenize(code);
				escapes.set(code, tokens);
			}
			for (const token of tokens) {
				if (token.type !== 'ansi') return undefined;
				styles = reduceAnsiCodesIncremental(styles, [token]);
			}
			at = found.index + code.length;
		}
	}

	/** One row's text, as ansi-tokenize's styledCharsToString writes its cells (holes left out, as Ink filters them). */
	function rowText(chars, styles) {
		let text = '';
		let last;
		for (let k = 0; k < chars.length; k++) {
			const char = chars[k];
			if (char === undefined) continue;
			const style = styles[k];
			if (last === undefined) text += ansiCodesToString(style);
			else if (style !== last && !sameStyles(last, style)) text += ansiCodesToString(diffAnsiCodes(last, style));
			text += char;
			last = style;
		}
		if (last !== undefined) text += ansiCodesToString(diffAnsiCodes(last, []));
		return text.trimEnd();
	}

	/** Output#get for `output`, or undefined when its frame holds something only Ink's own get() places right. */
	return function fastGet(output) {
		const {width, height, caches} = output;
		if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) return undefined;
		const chars = [];
		const styles = [];
		for (let y = 0; y < height; y++) {
			chars.push(new Array(width).fill(' '));
			styles.push(new Array(width).fill(none));
		}
		const clips = [];
		for (const operation of output.operations) {
			if (operation.type === 'clip') clips.push(operation.clip);
			if (operation.type === 'unclip') clips.pop();
			if (operation.type !== 'write') continue;
			const {text, transformers} = operation;
			let {x, y} = operation;
			let lines = text.split('\n');
			// Ink's clipping, as patched (rows first, plain lines that fit kept as they are).
			const clip = clips.at(-1);
			if (clip) {
				const clipHorizontally = typeof clip?.x1 === 'number' && typeof clip?.x2 === 'number';
				const clipVertically = typeof clip?.y1 === 'number' && typeof clip?.y2 === 'number';
				if (clipHorizontally) {
					const widest = caches.getWidestLine(text);
					if (x + widest < clip.x1 || x > clip.x2) continue;
				}
				if (clipVertically) {
					if (y + lines.length < clip.y1 || y > clip.y2) continue;
				}
				if (clipVertically) {
					const from = y < clip.y1 ? clip.y1 - y : 0;
					const to = y + lines.length > clip.y2 ? clip.y2 - y : lines.length;
					lines = lines.slice(from, to);
					if (y < clip.y1) y = clip.y1;
				}
				if (clipHorizontally) {
					lines = lines.map(line => {
						const from = x < clip.x1 ? clip.x1 - x : 0;
						const lineWidth = caches.getStringWidth(line);
						const to = x + lineWidth > clip.x2 ? clip.x2 - x : lineWidth;
						return from === 0 && to === lineWidth && plainLine.test(line) ? line : sliceAnsi(line, from, to);
					});
					if (x < clip.x1) x = clip.x1;
				}
			}
			if (!Number.isInteger(x)) return undefined;
			let offsetY = 0;
			for (let index = 0; index < lines.length; index++) {
				const rowChars = chars[y + offsetY];
				// A row outside the frame: Ink skips the line and keeps offsetY, so the rest land there too.
				if (!rowChars) continue;
				const rowStyles = styles[y + offsetY];
				let line = lines[index];
				for (const transformer of transformers) line = transformer(line, index);
				const runs = runsOf(line);
				if (runs === undefined) return undefined;
				let at = x;
				for (let r = 0; r < runs.length; r += 2) {
					const style = runs[r];
					const run = runs[r + 1];
					for (let c = 0; c < run.length; c++, at++) {
						// A cell left of the frame: Ink sets an array property that its filter never sees.
						if (at < 0) continue;
						rowChars[at] = run[c];
						rowStyles[at] = style;
					}
				}
				offsetY++;
			}
		}
		const rows = [];
		for (let y = 0; y < height; y++) rows.push(rowText(chars[y], styles[y]));
		return {output: rows.join('\n'), height};
	};
}
