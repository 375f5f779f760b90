// Contract used by the store's run flow and by headless `run`. The safety
// work owns this file and fills in the rules; the signatures stay.
import type {Block, Step} from '../checklist/model.js';

export interface DangerFinding {
	/** The exact command text (one line or statement) that is dangerous. */
	command: string;
	/** Why: 'rm -rf', 'DROP', 'DELETE without WHERE', 'marked in the checklist', ... */
	reason: string;
	line: number;
}

export interface Preflight {
	dangerous: DangerFinding[];
	/** Variables the commands read that are neither set in env nor assigned earlier in the block. */
	unsetVars: string[];
	/** `<pod>`-style placeholders still in the commands. */
	placeholders: string[];
}

export function dangerousIn(_block: Block, _extraPatterns: string[] = []): DangerFinding[] {
	return [];
}

export function preflight(step: Step, env: Record<string, string | undefined>, extraPatterns: string[] = []): Preflight {
	void env;
	return {
		dangerous: step.blocks.flatMap(block => dangerousIn(block, extraPatterns)),
		unsetVars: [],
		placeholders: [...step.placeholders],
	};
}

/** Replaces `<name>` placeholders with the given values. */
export function fillPlaceholders(code: string, values: Record<string, string>): string {
	return code.replace(/<([A-Za-z_][\w-]*)>/g, (whole, name: string) => values[name] ?? whole);
}
