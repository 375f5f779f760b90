// Typing into running steps: one control connection per run (control.ts),
// found through the run's pid file, so a cockpit restarted while a step waits
// for input connects again and types. What is typed is never kept or
// logged: the audit log gets "input sent" entries with byte counts,
// coalesced per run (one entry per line typed, or after a pause).
import {readJson} from '../engine/await-run.js';
import {ControlClient} from '../engine/control.js';
import {runFiles, type PidFile} from '../engine/run-files.js';
import {TypedLines} from '../engine/typed-lines.js';
import type {RunTerminal} from './types.js';

const AUDIT_PAUSE_MS = 2000;
const PID_WAIT_MS = 3000;

interface Pending {
	stepId: string;
	bytes: number;
	timer: NodeJS.Timeout;
}

export class RunInputs {
	private readonly clients = new Map<string, {client: ControlClient; terminal: RunTerminal}>();
	private readonly pending = new Map<string, Pending>();
	/** What was typed through this process (memory only): withheld and masked as secrets. */
	readonly typed = new TypedLines();

	constructor(
		private readonly runsDir: string,
		private readonly audit: (entry: {stepId: string; runId: string; bytes: number}) => void,
	) {}

	async terminal(runId: string, segment = 0): Promise<RunTerminal | undefined> {
		return (await this.connect(runId, segment))?.terminal;
	}

	async send(stepId: string, runId: string, segment: number, data: string): Promise<boolean> {
		const found = await this.connect(runId, segment);
		if (!found) return false;
		this.typed.feed(data);
		const ok = await found.client.input(data);
		if (!ok) {
			this.forget(runId);
			return false;
		}
		this.count(stepId, runId, Buffer.byteLength(data), /[\r\n]/.test(data));
		return true;
	}

	async resize(runId: string, segment: number, cols: number, rows: number): Promise<boolean> {
		const found = await this.connect(runId, segment);
		return found ? found.client.resize(cols, rows) : false;
	}

	/** The run ended (or the session closes): its last count goes to the audit log. */
	forget(runId: string): void {
		this.flush(runId);
		this.clients.get(runId)?.client.close();
		this.clients.delete(runId);
	}

	close(): void {
		for (const runId of [...this.clients.keys(), ...this.pending.keys()]) this.forget(runId);
	}

	private count(stepId: string, runId: string, bytes: number, lineEnded: boolean): void {
		let entry = this.pending.get(runId);
		if (entry) clearTimeout(entry.timer);
		entry = {stepId, bytes: (entry?.bytes ?? 0) + bytes, timer: setTimeout(() => this.flush(runId), AUDIT_PAUSE_MS)};
		entry.timer.unref();
		this.pending.set(runId, entry);
		if (lineEnded) this.flush(runId);
	}

	private flush(runId: string): void {
		const entry = this.pending.get(runId);
		if (!entry) return;
		clearTimeout(entry.timer);
		this.pending.delete(runId);
		this.audit({stepId: entry.stepId, runId, bytes: entry.bytes});
	}

	private async connect(runId: string, segment: number): Promise<{client: ControlClient; terminal: RunTerminal} | undefined> {
		const known = this.clients.get(runId);
		if (known) return known;
		// A run that has just started may not have written its pid file yet.
		const path = runFiles(this.runsDir, runId, segment).pid;
		let pid = await readJson<PidFile>(path);
		for (let waited = 0; !pid && waited < PID_WAIT_MS; waited += 50) {
			await new Promise(resolve => setTimeout(resolve, 50));
			pid = await readJson<PidFile>(path);
		}
		if (!pid?.sock) return undefined;
		const found = {client: new ControlClient(pid.sock), terminal: {runId, cols: pid.terminal?.cols ?? 80, rows: pid.terminal?.rows ?? 24}};
		this.clients.set(runId, found);
		return found;
	}
}
