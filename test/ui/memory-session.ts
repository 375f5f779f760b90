// A small in-memory SessionHandle for UI flow tests: runs are driven by the
// test (emit output, finish), so flows are deterministic and need no shell.
import type {Checklist} from '../../source/checklist/model.js';
import type {StepStatus} from '../../source/engine/types.js';
import type {RunOptions, SessionEvent, SessionHandle, SessionState} from '../../source/session/types.js';
import {startWindow} from '../../source/session/window.js';
import type {RecordEvent} from '../../source/session/events.js';
import {reduce} from '../../source/session/reducer.js';

interface ActiveRun {
	runId: string;
	resolve(result: {status: StepStatus; exitCode: number | null}): void;
}

export class MemorySession implements SessionHandle {
	readonly dir = '/nonexistent/memory-session';
	readonly notices: string[] = [];
	readonly runs: Array<{stepId: string; options?: RunOptions}> = [];
	readonly cancels: string[] = [];
	readonly marks: Array<{stepId: string; status: StepStatus}> = [];
	private state: SessionState;
	private tails = new Map<string, string>();
	private listeners = new Set<(event: SessionEvent) => void>();
	private active = new Map<string, ActiveRun>();
	private seq = 0;

	constructor(
		readonly checklist: Checklist,
		readonly readOnly = false,
		initial: Partial<SessionState> = {},
	) {
		const now = new Date().toISOString();
		this.state = {
			version: 1,
			id: 'memsession0001',
			file: checklist.file ?? '/tmp/checklist.md',
			hash: checklist.hash ?? 'hash',
			createdAt: now,
			steps: {},
			shell: {cwd: '/tmp', vars: {}},
			cursor: {},
			triggers: [],
			rollbacks: [],
			...initial,
		};
	}

	getState(): SessionState {
		return this.state;
	}

	readonly inputs: Array<{stepId: string; data: string}> = [];
	/** Record runs started with a terminal size as terminal runs (the detail pane then draws a screen), as Session does. */
	terminalRuns = false;

	terminalSize: {cols: number; rows: number} | undefined;

	setTerminalSize(size: {cols: number; rows: number} | undefined): void {
		this.terminalSize = size;
	}

	async runTerminal(): Promise<undefined> {
		return undefined;
	}

	async sendInput(stepId: string, data: string): Promise<boolean> {
		this.inputs.push({stepId, data});
		return this.state.steps[stepId]?.status === 'running';
	}

	async resizeRun(): Promise<boolean> {
		return false;
	}

	outputTail(stepId: string): string {
		return this.tails.get(stepId) ?? '';
	}

	subscribe(listener: (event: SessionEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private emit(event: SessionEvent) {
		for (const l of this.listeners) l(event);
	}

	private setState(mutate: (s: SessionState) => void) {
		const next = structuredClone(this.state);
		mutate(next);
		this.state = next;
		this.emit({type: 'state', state: next});
	}

	runStep(stepId: string, options?: RunOptions): Promise<{status: StepStatus; exitCode: number | null}> {
		this.runs.push({stepId, options});
		const runId = `run${++this.seq}`;
		this.tails.set(stepId, '');
		this.setState(s => {
			startWindow(s, new Date().toISOString());
			s.steps[stepId] = {status: 'running', exitCode: null, startedAt: new Date().toISOString(), runId, logPath: `${this.dir}/runs/${runId}.log`, ...(this.terminalRuns && (options?.terminal ?? this.terminalSize) ? {terminal: options?.terminal ?? this.terminalSize} : {})};
		});
		this.emit({type: 'run-start', stepId, runId});
		return new Promise(resolve => this.active.set(stepId, {runId, resolve}));
	}

	/** Test control: output from the step's current run. */
	output(stepId: string, chunk: string) {
		const run = this.active.get(stepId);
		this.tails.set(stepId, (this.tails.get(stepId) ?? '') + chunk);
		this.emit({type: 'output', stepId, runId: run?.runId ?? 'none', chunk});
	}

	/** Test control: the run ends. */
	finish(stepId: string, exitCode: number | null, status: StepStatus = exitCode === 0 ? 'done' : 'failed') {
		const run = this.active.get(stepId);
		if (!run) throw new Error(`${stepId} is not running`);
		this.active.delete(stepId);
		this.setState(s => {
			const r = s.steps[stepId]!;
			r.status = status;
			r.exitCode = exitCode;
			r.endedAt = new Date().toISOString();
			r.durationMs = 1234;
		});
		this.emit({type: 'run-end', stepId, runId: run.runId, status, exitCode});
		run.resolve({status, exitCode});
	}

	async cancel(stepId: string): Promise<void> {
		this.cancels.push(stepId);
		if (this.active.has(stepId)) this.finish(stepId, null, 'cancelled');
	}

	async mark(stepId: string, status: StepStatus): Promise<void> {
		this.marks.push({stepId, status});
		this.setState(s => {
			if (status !== 'pending') startWindow(s, new Date().toISOString());
			s.steps[stepId] = {...(s.steps[stepId] ?? {exitCode: null}), status};
		});
	}

	setCursor(cursor: SessionState['cursor']): void {
		this.state = {...this.state, cursor};
	}

	async apply(events: RecordEvent | RecordEvent[]): Promise<void> {
		const next = (Array.isArray(events) ? events : [events]).reduce(reduce, this.state);
		this.state = next;
		this.emit({type: 'state', state: next});
	}

	/** What a follower sees when the writer (another process) changes the state. */
	fromWriter(mutator: (state: SessionState) => void): void {
		this.setState(mutator);
	}

	async close(): Promise<void> {
		this.listeners.clear();
	}
}
