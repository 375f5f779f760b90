// Stub: the flags part owns this file and replaces the body.
import type {StateCreator} from 'zustand/vanilla';
import type {CockpitState, CockpitStore, StoreDeps} from './index.js';

export interface FlagsSlice {
	flags: unknown[];
}

export function createFlagsSlice(_deps: StoreDeps): StateCreator<CockpitState, [], [], FlagsSlice> {
	return () => ({
		flags: [],
	});
}

export function startFlags(_store: CockpitStore, _deps: StoreDeps): () => void {
	return () => {};
}
