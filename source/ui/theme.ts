// Themes are JSON files of semantic tokens (themes/*.json) holding the 16
// basic ANSI colour names, so they work in 16-colour terminals. When colour
// is off (NO_COLOR → FORCE_COLOR=0) chalk drops every colour; selection and
// status stay readable because they also have glyphs.
import {createContext, useContext} from 'react';
import {existsSync, readFileSync} from 'node:fs';
import {bundled} from '../bundled.js';

export interface Theme {
	name: string;
	ok: string;
	warn: string;
	crit: string;
	muted: string;
	accent: string;
	selection: string;
	selectionText: string;
	border: string;
	/** false under NO_COLOR / FORCE_COLOR=0: output ANSI is stripped too. */
	color: boolean;
}

export const THEME_NAMES = ['dark', 'light', 'high-contrast'] as const;
const TOKENS = ['ok', 'warn', 'crit', 'muted', 'accent', 'selection', 'border'] as const;
const themesDir = new URL('../../themes/', import.meta.url);

export function colorEnabled(env: Record<string, string | undefined> = process.env): boolean {
	if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
	if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
	return true;
}

/** Loads a theme by name (themes/NAME.json) or path; throws a one-line error. */
export function loadTheme(nameOrPath = 'dark', env: Record<string, string | undefined> = process.env): Theme {
	const isPath = nameOrPath.includes('/') || nameOrPath.endsWith('.json');
	// The bundle carries the built-in themes; there is no themes/ beside it.
	const builtIn = !isPath && bundled && Object.hasOwn(bundled.themes, nameOrPath) ? bundled.themes[nameOrPath] : undefined;
	const url = isPath ? nameOrPath : new URL(`${nameOrPath}.json`, themesDir);
	if (!builtIn && !existsSync(url)) throw new Error(`unknown theme "${nameOrPath}" (themes: ${THEME_NAMES.join(', ')}, or a path to a .json file)`);
	let raw: Record<string, unknown>;
	try {
		raw = builtIn ?? (JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>);
	} catch (error) {
		throw new Error(`theme "${nameOrPath}": ${error instanceof Error ? error.message : String(error)}`);
	}
	for (const token of TOKENS) {
		if (typeof raw[token] !== 'string') throw new Error(`theme "${nameOrPath}": missing colour "${token}"`);
	}
	return {
		name: typeof raw.name === 'string' ? raw.name : nameOrPath,
		ok: raw.ok as string,
		warn: raw.warn as string,
		crit: raw.crit as string,
		muted: raw.muted as string,
		accent: raw.accent as string,
		selection: raw.selection as string,
		selectionText: typeof raw.selectionText === 'string' ? raw.selectionText : 'white',
		border: raw.border as string,
		color: colorEnabled(env),
	};
}

export const ThemeContext = createContext<Theme | null>(null);

export function useTheme(): Theme {
	const theme = useContext(ThemeContext);
	if (!theme) throw new Error('useTheme outside <ThemeContext.Provider>');
	return theme;
}
