// The checklist model: what every other part reads. `outline --json` prints
// exactly this shape (minus `frontmatter` and `file`), so changes here are
// changes to a documented public format.

export type Executor = 'shell' | 'sql' | 'promql' | 'redis';

export interface Block {
	/** Info string's first word, lower-cased ('' when none). */
	lang: string;
	/** null = display only. Follows the info string alone. */
	executor: Executor | null;
	/** 1-based line of the opening fence (or of the inline code's line). */
	line: number;
	/** The block's content; for `console` blocks, only the `$ ` commands (prompt stripped). */
	code: string;
	/** true for a runnable inline `code` span in a task item. */
	inline: boolean;
	/** The block as written, when `code` differs from it (console blocks: prompts and output). */
	raw?: string;
	/** true when the fence was never closed (it runs to the end of its container). */
	unclosed?: boolean;
	/** true for an indented (4-space) code block: always display only. */
	indented?: boolean;
	/** An unlabeled fence that reads as shell commands: runs only after the code was shown and confirmed. */
	guessed?: boolean;
	/** Holds a command that does not end by itself (`watch`, `tail -f`, `while true` …): runs until cancelled. */
	endless?: boolean;
	/** A promql block with a comparison: passes when the answer is not empty, fails otherwise. */
	gate?: boolean;
}

export interface SectionMeta {
	/** Raw bold-label values: `**Risk**: Medium` → {risk: 'Medium'} (keys lower-cased). */
	[label: string]: string | number | undefined;
	/** `**Duration**: 30 minutes` → 30. */
	durationMinutes?: number;
}

export type RollbackRole = 'procedure' | 'trigger' | null;

export interface Section {
	id: string;
	title: string;
	/** Heading level 1–6. */
	depth: number;
	line: number;
	/** Id of the enclosing section, null at the top. */
	parent: string | null;
	rollback: RollbackRole;
	meta: SectionMeta;
	/** Display-only blocks that belong to no step. */
	blocks: Block[];
}

export interface Step {
	id: string;
	/** Id of the section the step is in (null before the first heading). */
	section: string | null;
	/** Id of the parent step for nested task items. */
	parent: string | null;
	title: string;
	line: number;
	/** true for `- [ ]` items; false for list items / standalone blocks that became steps. */
	checkbox: boolean;
	/** `[x]` in the source. */
	checked: boolean;
	blocks: Block[];
	/** `# Expected: ...` / `# Should be 0` comment lines of its shell blocks. */
	expect: string[];
	/** `<pod>`-style placeholders found in its runnable code, without brackets. */
	placeholders: string[];
	/** Plain text under the step that is not a step itself (sub-bullets, paragraphs), for display. */
	notes?: string[];
	/** The item's number in its numbered list (`3.` → 3); numbering restarts per list. */
	number?: number;
}

export interface RollbackInfo {
	/** Section id of the default (most immediate) procedure, or null. */
	default: string | null;
	/** Section ids of all rollback procedures, document order. */
	procedures: string[];
	/** Links or paths to external rollback documents. */
	references: Array<{text: string; target: string; line: number}>;
	/** Numbered rollback lists inside a section ("To roll back:" + 1. 2. 3.): candidate procedures made of steps. */
	lists?: RollbackList[];
	/** true when the whole document is a rollback runbook (its H1 says so): its sections are the procedures. */
	runbook?: boolean;
}

export interface RollbackList {
	/** `list:` + the first step's id. */
	id: string;
	/** The paragraph that introduces the list. */
	title: string;
	line: number;
	/** Section the list is in (null before any heading). */
	section: string | null;
	/** Step ids, in order. */
	steps: string[];
}

export interface Warning {
	line: number;
	message: string;
}

export interface TileSpec {
	title: string;
	query?: string;
	/** A plain /metrics URL scraped directly (with `metric`). */
	url?: string;
	metric?: string;
	unit?: 'percent' | 'ratio' | 'seconds' | 'ms' | 'bytes' | 'reqps' | 'plain';
	/** Number, or relative to the baseline as a string like '2x'. */
	warn?: number | string;
	crit?: number | string;
	/** e.g. '5s'. */
	interval?: string;
	/** How several series are combined: 'sum' (default) or 'top3'-style 'topN'. */
	combine?: string;
	/** A host tile read locally: 'cpu' | 'mem' | 'load' | 'disk'. */
	host?: 'cpu' | 'mem' | 'load' | 'disk';
	/** Filesystem watched by a `host: disk` tile (default: the checklist's directory). */
	path?: string;
}

/** The `deploycockpit:` key of the YAML frontmatter. Unknown keys are kept. */
export interface CockpitSettings {
	prometheus?: string;
	tiles?: TileSpec[];
	/** Rollback section (title or id) or a path to a separate rollback runbook. */
	rollback?: string;
	/** Planned window length, e.g. '4h' or minutes. */
	window?: string | number;
	/** Default connection env var names. */
	db?: string;
	redis?: string;
	/** Feature flags for the F panel: redis SCAN patterns and/or env files (relative to the checklist). */
	flags?: {redis?: string | string[]; env?: string | string[]; prefix?: string; connection?: string; interval?: string | number};
	/** sql steps' statement_timeout: '30s', '5m', '500ms' or seconds (default 30 s). */
	sqlTimeout?: string | number;
	/** redis steps' per-command timeout (default 30 s). */
	redisTimeout?: string | number;
	/** Connect timeout of sql and redis steps (default 5 s). */
	connectTimeout?: string | number;
	/** Extra patterns (regex source) that mark a command dangerous. */
	dangerous?: string[];
	[key: string]: unknown;
}

export interface Checklist {
	title: string;
	sections: Section[];
	steps: Step[];
	rollback: RollbackInfo;
	warnings: Warning[];
	settings: CockpitSettings;
	/** Absolute path when loaded from a file. */
	file?: string;
	/** sha256 of the file's bytes. */
	hash?: string;
	/** Planned window length in minutes: frontmatter `window`, else a `**Schedule**`/`**Window**` time range. */
	windowMinutes?: number;
}
