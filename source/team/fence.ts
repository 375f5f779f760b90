// Which events of other members this one takes, and how. Pure.
import type {RecordEvent, RecordEventKind} from '../session/events.js';
import type {SessionState} from '../session/types.js';

/**
 * Kinds shared with the team. The others stay on the machine they happened
 * on: the carried shell (its cwd and variables are this machine's), tiles'
 * baselines and triggers (each member has its own Prometheus view), take-overs
 * of the local lock.
 */
export const SHARED: ReadonlySet<RecordEventKind> = new Set<RecordEventKind>([
	'window-started',
	'run-started',
	'run-segment',
	'cancel-requested',
	'run-ended',
	'marked',
	'rollback-started',
	'rollback-step',
	'rollback-ended',
	'rollback-picked',
]);

/**
 * undefined: take it. Otherwise why not: a run whose claim's fencing token
 * is older than the step's current one (its claim expired and another member
 * has claimed the step since) is refused, so a stale holder cannot overwrite
 * a newer run; its run-ended then matches no run and changes nothing.
 */
export function rejectRemote(state: SessionState, event: RecordEvent): string | undefined {
	if (!SHARED.has(event.kind)) return `${event.kind} is not shared`;
	if (event.kind === 'run-started' && event.fence !== undefined) {
		const current = state.steps[event.stepId]?.fence;
		if (current !== undefined && event.fence < current) return `stale fencing token ${event.fence} < ${current} for step ${event.stepId}`;
	}
	return undefined;
}
