// How a step's blocks are run: consecutive shell blocks share one detached
// bash (a segment); every other block gets a detached runner of its own.
import type {Block} from '../checklist/model.js';
import type {ExitFile} from '../engine/run-files.js';
import type {StepStatus} from '../engine/types.js';

export function statusFromExit(exit: ExitFile, cancelled: boolean): StepStatus {
	if (cancelled || exit.cancelled) return 'cancelled';
	return exit.exitCode === 0 && !exit.error ? 'done' : 'failed';
}

/** Groups consecutive shell blocks: they run in one detached bash; each other block runs alone (runner-executors.ts). */
export function segments(blocks: Block[]): Array<{kind: 'shell'; blocks: Block[]} | {kind: 'other'; block: Block}> {
	const out: Array<{kind: 'shell'; blocks: Block[]} | {kind: 'other'; block: Block}> = [];
	for (const block of blocks) {
		if (block.executor === 'shell') {
			const last = out.at(-1);
			if (last?.kind === 'shell') last.blocks.push(block);
			else out.push({kind: 'shell', blocks: [block]});
		} else if (block.executor) {
			out.push({kind: 'other', block});
		}
	}
	return out;
}
