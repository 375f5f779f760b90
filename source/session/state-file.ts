// state.json: the session as it was last written. Writes are atomic (temp,
// fsync, rename) and masked; reads never throw on bad content: a corrupt
// file is moved aside and reported, and the session starts fresh.
import {readFile, rename} from 'node:fs/promises';
import {join} from 'node:path';
import {writeFileAtomic} from '../engine/atomic-write.js';
import type {Masker} from '../safety/mask.js';
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

/** Enough structure that the rest of the program can rely on it. */
export function validState(value: unknown): value is SessionState {
	if (!isObject(value) || value.version !== 1 || typeof value.id !== 'string' || typeof value.file !== 'string') return false;
	if (!isObject(value.steps) || !isObject(value.shell) || typeof value.shell.cwd !== 'string' || !isObject(value.shell.vars)) return false;
	return Object.values(value.steps).every(r => isObject(r) && typeof r.status === 'string');
}

export type ReadResult = {kind: 'missing'} | {kind: 'ok'; state: SessionState} | {kind: 'corrupt'; reason: string};

export async function readState(dir: string): Promise<ReadResult> {
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
	if (!validState(value)) return {kind: 'corrupt', reason: 'not a deploycockpit session state'};
	const state = value;
	state.triggers ??= [];
	state.rollbacks ??= [];
	state.cursor ??= {};
	upgradeWindow(state);
	return {kind: 'ok', state};
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
