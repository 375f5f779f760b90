// The deployment window starts when the work starts: at the first run or
// mark of a step (or an explicit key in the cockpit), not when the checklist
// is opened. Reviewing a checklist in the afternoon must not make the header
// say "4:00:03 / 2:00:00 over" at night before anything ran.
import type {SessionState} from './types.js';

/** Starts the window at `at` unless it already started. Returns true when it started now. */
export function startWindow(state: SessionState, at: string): boolean {
	if (state.windowStartedAt) return false;
	state.windowStartedAt = at;
	return true;
}

/**
 * Sessions written before the window started with the work stored the
 * creation time as the window start. For those, the window starts at the
 * earliest recorded run or mark instead, or not at all when nothing ran.
 */
export function upgradeWindow(state: SessionState): void {
	if (!state.windowStartedAt || state.windowStartedAt !== state.createdAt) return;
	const times: number[] = [];
	for (const r of Object.values(state.steps)) for (const t of [r.startedAt, r.endedAt]) if (t) times.push(Date.parse(t));
	for (const rb of state.rollbacks ?? []) if (rb.startedAt) times.push(Date.parse(rb.startedAt));
	const first = Math.min(...times.filter(Number.isFinite));
	if (Number.isFinite(first)) state.windowStartedAt = new Date(first).toISOString();
	else delete state.windowStartedAt;
}
