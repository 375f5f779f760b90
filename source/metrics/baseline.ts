// The session baseline: each tile's value at session start (or when the
// operator presses the baseline key), persisted in the session state so
// `status --json` and the report can show baseline vs latest.
import type {TileSnapshot} from './poller.js';

export interface BaselineEntry {
	value: number | null;
	at: string;
}

export interface BaselineCapture {
	baseline: Record<string, BaselineEntry>;
	/** Keys of the alerts firing at capture time. */
	alerts: string[] | undefined;
}

/** Values of the tiles that have a fresh reading now; the others are left out (captured on their first value). */
export function captureBaseline(snaps: Record<string, TileSnapshot>, at: Date, ids?: readonly string[]): BaselineCapture {
	const baseline: Record<string, BaselineEntry> = {};
	let alerts: string[] | undefined;
	for (const [id, snap] of Object.entries(snaps)) {
		if (ids && !ids.includes(id)) continue;
		// Stale or never-read tiles keep whatever baseline they had: an old number is no baseline.
		if (snap.stale || (snap.updatedAt === null && snap.error?.kind !== 'no-data')) continue;
		baseline[id] = {value: snap.value === null || !Number.isFinite(snap.value) ? null : snap.value, at: at.toISOString()};
		if (snap.alerts) alerts = snap.alerts.map(a => a.key);
	}
	return {baseline, alerts};
}

/** Latest values for the session file, each with the time it was read (NaN/Inf become null: JSON has no such numbers). */
export function latestValues(snaps: Record<string, TileSnapshot>, clockToDate: (ms: number) => Date = ms => new Date(ms)): Record<string, BaselineEntry> {
	const out: Record<string, BaselineEntry> = {};
	for (const [id, snap] of Object.entries(snaps)) {
		if (snap.updatedAt === null) continue;
		out[id] = {value: snap.value !== null && Number.isFinite(snap.value) ? snap.value : null, at: clockToDate(snap.updatedAt).toISOString()};
	}
	return out;
}
