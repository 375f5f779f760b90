// Stub: the rollback part owns this file and replaces the body.
import type {StateCreator} from 'zustand/vanilla';
import type {CockpitState, CockpitStore, StoreDeps} from './index.js';

export interface RollbackSlice {
	/** The active trigger banner text, or null. */
	triggerBanner: string | null;
}

export function createRollbackSlice(_deps: StoreDeps): StateCreator<CockpitState, [], [], RollbackSlice> {
	return () => ({
		triggerBanner: null,
	});
}

export function startRollback(_store: CockpitStore, _deps: StoreDeps): () => void {
	return () => {};
}
