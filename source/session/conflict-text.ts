// How a team conflict (a step that ran on more than one machine with no claim
// ordering the runs: a partition, `--offline`) reads, the same in `status`,
// the cockpit and the report. Pure.
import type {StepConflictRun} from './types.js';

/** One line: "ran on more than one machine without a claim ordering them: ana on h1 at … ; bo on h2 at … (unclaimed)". */
export function conflictText(runs: StepConflictRun[], at: (iso: string) => string = iso => iso): string {
	const each = runs.map(r => `${r.by}${r.host ? ` on ${r.host}` : ''} at ${at(r.at)}${r.fence === undefined ? ' (unclaimed)' : ` (claim #${r.fence})`}`);
	return `ran on more than one machine without a claim ordering them: ${each.join('; ')}`;
}
