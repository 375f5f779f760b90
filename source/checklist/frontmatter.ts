import {createRequire} from 'node:module';
import type {CockpitSettings, Warning} from './model.js';

// yaml is loaded only for files that have frontmatter: it is a third of `outline`'s import time.
// In the bundle (which defines `require`) the literal require('yaml') is what
// esbuild bundles, as a lazily initialised part; per-file ESM has no require.
let yamlParse: typeof import('yaml').parse | undefined;
function loadYaml(): typeof import('yaml') {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: the bundle's lazy require
	return (typeof require === 'function' ? require('yaml') : createRequire(import.meta.url)('yaml')) as typeof import('yaml');
}
function parseYaml(text: string, options: import('yaml').ParseOptions & import('yaml').DocumentOptions & import('yaml').SchemaOptions & import('yaml').ToJSOptions): unknown {
	yamlParse ??= loadYaml().parse;
	return yamlParse(text, options);
}

export interface Frontmatter {
	/** The text with the frontmatter lines blanked, so markdown line numbers stay right. */
	body: string;
	settings: CockpitSettings;
	warnings: Warning[];
	/** Number of lines the frontmatter took (0 when none). */
	lines: number;
}

/**
 * A leading `---` … `---` (or `...`) YAML block. Only the `deploycockpit:` key is
 * read; a broken block is a warning, never a failure.
 */
export function splitFrontmatter(text: string): Frontmatter {
	const none: Frontmatter = {body: text, settings: {}, warnings: [], lines: 0};
	if (!/^---[ \t]*\n/.test(text)) return none;
	const close = /\n(?:---|\.\.\.)[ \t]*(?:\n|$)/g;
	const match = close.exec(text);
	if (!match) return none;
	const yamlText = text.slice(text.indexOf('\n') + 1, match.index + 1);
	const headEnd = match.index + match[0].length;
	const headLines = text.slice(0, headEnd).split('\n').length - (text.slice(0, headEnd).endsWith('\n') ? 1 : 0);
	const body = '\n'.repeat(headLines) + text.slice(headEnd);
	const warnings: Warning[] = [];
	let data: unknown;
	try {
		data = parseYaml(yamlText, {prettyErrors: false, maxAliasCount: 100});
	} catch (error) {
		const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
		const linePos = (error as {linePos?: Array<{line: number}>}).linePos?.[0]?.line;
		warnings.push({line: linePos ? linePos + 1 : 1, message: `frontmatter is not valid YAML (ignored): ${message}`});
		return {body, settings: {}, warnings, lines: headLines};
	}
	if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
		if (data !== null && data !== undefined) warnings.push({line: 1, message: 'frontmatter is not a YAML mapping (ignored)'});
		return {body, settings: {}, warnings, lines: headLines};
	}
	const cockpit = (data as Record<string, unknown>).deploycockpit;
	if (cockpit === undefined || cockpit === null) return {body, settings: {}, warnings, lines: headLines};
	if (typeof cockpit !== 'object' || Array.isArray(cockpit)) {
		warnings.push({line: 1, message: 'frontmatter key deploycockpit must be a mapping (ignored)'});
		return {body, settings: {}, warnings, lines: headLines};
	}
	return {body, settings: cockpit as CockpitSettings, warnings, lines: headLines};
}
