import type {TeamConfig} from '../team/config.js';
import type {TileSpec} from '../checklist/model.js';

/** Flags of `deploycockpit open` as the store sees them. */
export interface OpenOptions {
	file: string;
	theme?: string;
	prometheus?: string;
	/** A separate rollback runbook (`--rollback FILE`). */
	rollbackFile?: string;
	/** Show what would run; run nothing. */
	dryRun: boolean;
	/** Start a fresh session instead of resuming (`--new`). */
	newSession?: boolean;
	/** Take the writer lock from a cockpit that is gone or stuck (`--take-over`). */
	takeOver?: boolean;
	/** Team mode (`--team URL --session NAME`): docs/team.md. */
	team?: TeamConfig;
}

/** Key name (see source/ui/input/keys.ts) or several, per action. */
export type Keymap = Partial<Record<string, string | string[]>>;

/** The user config (conf, projectName 'deploycockpit'). Every key optional. */
export interface UserConfig {
	theme?: string;
	keymap?: Keymap;
	prometheus?: string;
	/** Tiles every checklist gets (the metrics part reads them). */
	tiles?: TileSpec[];
	defaults?: {
		/** Per-step timeout for runs started from the cockpit, e.g. '30m' or ms. */
		timeout?: string | number;
		[key: string]: unknown;
	};
	[key: string]: unknown;
}
