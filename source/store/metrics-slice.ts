// Stub: the metrics part owns this file and replaces the body.
import type {StateCreator} from 'zustand/vanilla';
import type {CockpitState, CockpitStore, StoreDeps} from './index.js';

export interface MetricsSlice {
	tiles: unknown[];
	/** Recapture every tile's baseline (key `b`). */
	recaptureBaseline(): void;
}

export function createMetricsSlice(_deps: StoreDeps): StateCreator<CockpitState, [], [], MetricsSlice> {
	return () => ({
		tiles: [],
		recaptureBaseline: () => {},
	});
}

export function startMetrics(_store: CockpitStore, _deps: StoreDeps): () => void {
	return () => {};
}
