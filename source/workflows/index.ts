// Workflows: what the cockpit does over time with the session (run a step
// through preflight and confirmation, run a rollback, watch for triggers), as
// plain classes. Layering: workflows/ sits between session/ + engine/ and
// store/: it may import checklist, engine, session, safety, metrics (and
// flags/ for the watcher's type); never store or ui. They are built once where
// the cockpit is assembled (commands/open.ts, via store/index.ts cockpitDeps)
// and injected into the store, whose slices keep only state and thin actions.
import type {FlagWatcher} from '../flags/watcher.js';
import type {SessionHandle} from '../session/types.js';
import {RollbackRunner, type RollbackRunnerDeps} from './rollback-runner.js';
import {RunFlow, type TerminalControl} from './run-flow.js';
import {TriggerWatcher} from './trigger-watcher.js';

export interface Workflows {
	run: RunFlow;
	rollback: RollbackRunner;
	triggers: TriggerWatcher;
	/** The flag watcher once startFlags loaded it (after the first frame); the flag panel's actions use it. */
	flags: {watcher: FlagWatcher | null};
}

export interface WorkflowDeps {
	session: SessionHandle;
	now(): number;
	env?: Record<string, string | undefined>;
	terminal?: TerminalControl;
	openRunbook?: RollbackRunnerDeps['openRunbook'];
	runEnv?: Record<string, string>;
}

export function createWorkflows(deps: WorkflowDeps): Workflows {
	return {
		run: new RunFlow({session: deps.session, ...(deps.env ? {env: deps.env} : {}), ...(deps.terminal ? {terminal: deps.terminal} : {})}),
		rollback: new RollbackRunner({session: deps.session, ...(deps.env ? {env: deps.env} : {}), ...(deps.openRunbook ? {openRunbook: deps.openRunbook} : {}), ...(deps.runEnv ? {runEnv: deps.runEnv} : {})}),
		triggers: new TriggerWatcher(deps.session, deps.now, deps.env),
		flags: {watcher: null},
	};
}
