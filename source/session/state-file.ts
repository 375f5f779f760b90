// state.json: the session as it was last written. Writes are atomic (temp,
// fsync, rename) and masked; reads never throw on bad content: a corrupt
// file is moved aside and reported, and the session starts fresh; a file
// that parses is checked field by field (state-schema.ts) and repaired.
import {readFile, rename} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {writeFileAtomic} from '../engine/atomic-write.js';
import type {Masker} from '../safety/mask.js';
import {checkState, Findings, type StateDefaults} from './state-schema.js';
import type {SessionState} from './types.js';
import {upgradeWindow} from './window.js';

export function statePath(dir: string): string {
	return join(dir, 'state.json');
}

export function freshState(id: string, file: string, hash: string, cwd: string, now = new Date()): SessionState {
	return {
		version: 1,
		id,
		file,
		hash,
		createdAt: now.toISOString(),
		steps: {},
		shell: {cwd, vars: {}, exported: []},
		cursor: {},
		triggers: [],
		rollbacks: [],
	};
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type ReadResult =
	| {kind: 'missing'}
	/** problems: wrong-typed fields repaired or set aside (setAside: path → the original value). */
	| {kind: 'ok'; state: SessionState; problems: string[]; setAside: Record<string, unknown>}
	| {kind: 'corrupt'; reason: string};

/** Reads and checks state.json field by field (state-schema.ts); defaults fill what cannot be used. */
export async function readState(dir: string, defaults: Partial<StateDefaults> = {}): Promise<ReadResult> {
	let text: string;
	try {
		text = await readFile(statePath(dir), 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {kind: 'missing'};
		return {kind: 'corrupt', reason: (error as Error).message};
	}
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		return {kind: 'corrupt', reason: text.trim() === '' ? 'empty file' : `not valid JSON (${(error as Error).message})`};
	}
	const found = new Findings();
	const fallback: StateDefaults = {id: basename(dir), file: '', hash: '', cwd: process.cwd(), createdAt: new Date(0).toISOString(), ...defaults};
	const state = checkState(value, fallback, found);
	if (!state) return {kind: 'corrupt', reason: 'not a deploycockpit session state'};
	upgradeWindow(state);
	return {kind: 'ok', state, problems: found.problems, setAside: found.setAside};
}

/** Keeps the values a check could not use next to the state (state.json.set-aside-<time>); returns its name. */
export async function keepSetAside(dir: string, values: Record<string, unknown>, now = new Date()): Promise<string> {
	const path = `${statePath(dir)}.set-aside-${now.toISOString().replace(/[:.]/g, '-')}`;
	await writeFileAtomic(path, JSON.stringify(values, null, '\t') + '\n');
	return path;
}

/** Moves a corrupt state.json aside; returns the new name. */
export async function setAside(dir: string, now = new Date()): Promise<string> {
	const aside = `${statePath(dir)}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
	await rename(statePath(dir), aside);
	return aside;
}

function maskDeep(value: unknown, mask: Masker): unknown {
	if (typeof value === 'string') return mask(value);
	if (Array.isArray(value)) return value.map(v => maskDeep(v, mask));
	if (isObject(value)) {
		const out: Record<string, unknown> = {};
		for (const [key, v] of Object.entries(value)) out[key] = maskDeep(v, mask);
		return out;
	}
	return value;
}

export async function writeState(dir: string, state: SessionState, mask: Masker): Promise<void> {
	await writeFileAtomic(statePath(dir), JSON.stringify(maskDeep(state, mask), null, '\t') + '\n');
}
