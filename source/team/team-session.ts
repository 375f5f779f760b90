// A session joined to a team: the local session does everything it always
// did; this wrapper claims a step before it starts, applies the other
// members' events through the same reducer (Session.apply), and tells the
// cockpit when the link is down. Everything else passes through.
import type {RecordEvent} from '../session/events.js';
import type {RecordLog} from '../session/record-log.js';
import type {ProcedureFile} from '../engine/procedure-files.js';
import type {ProcedureRequest, RunOptions, RunTerminal, SessionEvent, SessionHandle, SessionState} from '../session/types.js';
import {BoundedTail} from '../engine/tail.js';
import type {StepStatus} from '../engine/types.js';
import {claimRollback, ClaimRefused, claimStep, type Claim} from './claims.js';
import {WrongTeamKey} from './seal.js';
import type {TeamConfig} from './config.js';
import {remoteEvents} from './fence.js';
import type {TeamMember, Wire} from './member.js';

export class TeamLinkDown extends Error {}

/** The record log, publishing every event this member appends (not the ones it received). */
export function publishing(inner: RecordLog, kick: () => void): RecordLog {
	return {
		append: async (entry, extra) => {
			await inner.append(entry, extra);
			if (!extra?.origin) kick();
		},
		read: from => inner.read(from),
		lastSeq: () => inner.lastSeq(),
		snapshot: state => inner.snapshot(state),
		restore: () => inner.restore(),
	};
}

export class TeamSession implements SessionHandle {
	private readonly listeners = new Set<(event: SessionEvent) => void>();
	private readonly running = new Set<string>();
	/** Rollbacks started while the link was down: their steps run unclaimed (the engineer saw it in the panel). */
	private unclaimedRollbacks = 0;
	private applying: Promise<void> = Promise.resolve();
	/** Output of other members' runs seen live (their logs are on their machines). */
	private readonly remoteTails = new Map<string, {runId: string; tail: BoundedTail}>();
	private readonly offOutput: () => void;
	// The optional SessionHandle methods exist here only where the local session has them (their absence
	// is what callers test: no procedure → a cockpit-driven rollback; no pinSize → no attached `!` run).
	readonly screenTail?: (stepId: string) => string;
	readonly pinSize?: (stepId: string, size: {cols: number; rows: number} | null) => Promise<boolean>;
	readonly startProcedure?: (request: ProcedureRequest) => Promise<string>;
	readonly adoptProcedure?: (rollbackId: string) => Promise<ProcedureFile | undefined>;

	constructor(
		private readonly inner: SessionHandle,
		readonly member: TeamMember,
		private readonly config: TeamConfig,
		/** Steps whose text differs from the team's checklist: this member follows, never runs. */
		readonly differing: string[],
		private readonly flushMs: number,
		/** `run`: refuse at once (no second start to ask with); --offline runs anyway. */
		private readonly headless: boolean,
	) {
		member.onLink = downSince => this.emit({type: 'team-link', downSince});
		const {screenTail, pinSize, startProcedure, adoptProcedure} = inner;
		if (screenTail) {
			// Another member's run: what came over the link, as outputTail gives it.
			this.screenTail = stepId => (this.inner.getState().steps[stepId]?.origin ? this.outputTail(stepId) : screenTail.call(inner, stepId));
		}
		if (pinSize) this.pinSize = (stepId, size) => (this.inner.getState().steps[stepId]?.origin ? Promise.resolve(false) : pinSize.call(inner, stepId, size));
		if (startProcedure) {
			// The procedure's runs go on without runStep: a step that differs from the team's text must not be among them.
			this.startProcedure = request => {
				const differing = request.stepIds.slice(request.from).filter(id => this.differing.includes(id));
				if (differing.length > 0) return Promise.reject(new Error(`steps differ from the team's checklist: ${differing.join(', ')}`));
				return startProcedure.call(inner, request);
			};
		}
		if (adoptProcedure) this.adoptProcedure = rollbackId => adoptProcedure.call(inner, rollbackId);
		member.onFatal = error => {
			this.inner.notices.push(error.message);
			this.emit({type: 'write-failed', what: 'audit', message: `team: ${error.message}`});
		};
		member.running = () => [...this.running];
		member.receive = wire => this.receive(wire);
		member.onOutput = wire => {
			let tail = this.remoteTails.get(wire.stepId);
			if (!tail || tail.runId !== wire.runId) this.remoteTails.set(wire.stepId, (tail = {runId: wire.runId, tail: new BoundedTail()}));
			tail.tail.push(wire.chunk);
			this.emit({type: 'output', stepId: wire.stepId, runId: wire.runId, chunk: wire.chunk});
		};
		// This member's runs' output goes to the others as it comes (masked: it is read from the masked log).
		this.offOutput = inner.subscribe(event => {
			if (event.type === 'output' && this.running.has(event.stepId)) member.sendOutput(event.stepId, event.runId, event.chunk);
		});
	}

	get checklist() {
		return this.inner.checklist;
	}
	get dir() {
		return this.inner.dir;
	}
	get readOnly() {
		return this.inner.readOnly;
	}
	get readOnlyReason() {
		return this.inner.readOnlyReason;
	}
	get notices() {
		return this.inner.notices;
	}
	/** When the link went down (ms epoch), null while it is up. */
	get linkDownSince(): number | null {
		return this.member.health.downSince;
	}

	getState(): SessionState {
		return this.inner.getState();
	}
	carriedNames(): string[] {
		return this.inner.carriedNames?.() ?? [];
	}
	outputTail(stepId: string): string {
		const record = this.inner.getState().steps[stepId];
		const remote = this.remoteTails.get(stepId);
		// Another member's run: only what came over the link (its log path is on its machine).
		if (record?.origin) return remote && remote.runId === record.runId ? remote.tail.text() : '';
		return this.inner.outputTail(stepId);
	}
	setCursor(cursor: SessionState['cursor']): void {
		this.inner.setCursor(cursor);
	}
	mark(stepId: string, status: StepStatus, note?: string): Promise<void> {
		return this.inner.mark(stepId, status, note);
	}
	cancel(stepId: string): Promise<void> {
		return this.inner.cancel(stepId);
	}
	setTerminalSize(size: {cols: number; rows: number} | undefined): void {
		this.inner.setTerminalSize(size);
	}
	/** Another member's run has its terminal on that member's machine: none here. */
	runTerminal(stepId: string): Promise<RunTerminal | undefined> {
		if (this.inner.getState().steps[stepId]?.origin) return Promise.resolve(undefined);
		return this.inner.runTerminal(stepId);
	}
	sendInput(stepId: string, data: string): Promise<boolean> {
		if (this.inner.getState().steps[stepId]?.origin) return Promise.resolve(false);
		return this.inner.sendInput(stepId, data);
	}
	resizeRun(stepId: string, cols: number, rows: number): Promise<boolean> {
		if (this.inner.getState().steps[stepId]?.origin) return Promise.resolve(false);
		return this.inner.resizeRun(stepId, cols, rows);
	}
	apply(events: RecordEvent | RecordEvent[], audit?: Record<string, unknown>): Promise<void> {
		return this.inner.apply(events, audit);
	}

	subscribe(listener: (event: SessionEvent) => void): () => void {
		this.listeners.add(listener);
		const off = this.inner.subscribe(listener);
		return () => {
			this.listeners.delete(listener);
			off();
		};
	}

	async runStep(stepId: string, options: RunOptions = {}): Promise<{status: StepStatus; exitCode: number | null}> {
		if (this.differing.includes(stepId)) {
			throw new Error(`step ${stepId} differs from the team's checklist (steps that differ: ${this.differing.join(', ')}); following only until the texts match`);
		}
		const claim = await this.tryClaim(() => claimStep(this.member.cmd, this.member.keys, this.member.sealer, stepId, this.me()));
		if (!claim) {
			// The cockpit asks first (a pop-up: RunOptions.unclaimed); `run` needs --offline.
			const allowed = this.config.offline || options.unclaimed === true || (this.unclaimedRollbacks > 0 && options.confirmed === true);
			if (!allowed) {
				const then = this.headless ? 'not run (--offline runs it on your own)' : 'not started (Enter again asks whether to run it on your own)';
				throw new TeamLinkDown(`team link down: step ${stepId} cannot be claimed and another member may run it too; ${then}`);
			}
			return this.inner.runStep(stepId, options);
		}
		this.running.add(stepId);
		void this.member.writePresence().catch(() => undefined);
		try {
			return await this.inner.runStep(stepId, {...options, fence: claim.token});
		} finally {
			this.running.delete(stepId);
			await claim.release();
			void this.member.writePresence().catch(() => undefined);
		}
	}

	/**
	 * The whole rollback's claim (SessionHandle.claimRollback). With the link
	 * down the rollback is not held back (it is what an incident needs): it
	 * runs unclaimed, its steps too, and the panel says so.
	 */
	async claimRollback(): Promise<{release(): Promise<void>; note?: string}> {
		const claim = await this.tryClaim(() => claimRollback(this.member.cmd, this.member.keys, this.member.sealer, this.me()));
		if (claim) return {release: () => claim.release()};
		this.unclaimedRollbacks++;
		let released = false;
		return {
			note: 'team link down: this rollback is not claimed and its steps run unclaimed — another member could start them too',
			release: async () => {
				if (!released) this.unclaimedRollbacks--;
				released = true;
			},
		};
	}

	private me() {
		return {member: this.member.id, by: this.config.as, host: this.member.host};
	}

	/** The claim, or undefined when Redis cannot give one (down, hung); a refusal or a wrong key throws. */
	private async tryClaim(take: () => Promise<Claim>): Promise<Claim | undefined> {
		if (!this.member.health.isUp) return undefined;
		try {
			return await take();
		} catch (error) {
			if (error instanceof ClaimRefused || error instanceof WrongTeamKey) throw error;
			// Redis failed the claim (gone, hung): the link is down, whatever the last PING said.
			this.member.health.down();
			return undefined;
		}
	}

	/** Another member's event: checked (fence.ts), then reduced into the local session like any other. */
	private receive(wire: Wire): Promise<void> {
		this.applying = this.applying.then(async () => {
			if (this.inner.readOnly) return;
			const {events, rejected} = remoteEvents(this.inner.getState(), wire.event, {member: wire.member, by: wire.by, host: wire.host});
			if (rejected) {
				if (wire.event.kind === 'run-started') this.inner.notices.push(`team: ignored ${wire.by}'s run of ${wire.event.stepId}: ${rejected}`);
				return;
			}
			const [event, ...found] = events;
			await this.inner.apply(event!, {by: wire.by, host: wire.host, origin: wire.member, uid: wire.uid});
			// Found here, logged as this member's own (not published: each member finds it for itself).
			if (found.length) await this.inner.apply(found);
		});
		return this.applying.catch(() => undefined);
	}

	async close(): Promise<void> {
		this.offOutput();
		await this.applying.catch(() => undefined);
		const {unpublished} = await this.member.close(this.flushMs);
		if (unpublished > 0) this.inner.notices.push(`team: ${unpublished} event${unpublished === 1 ? '' : 's'} not yet published (Redis unreachable); they go out the next time this session joins`);
		await this.inner.close();
	}

	private emit(event: SessionEvent): void {
		for (const listener of this.listeners) {
			try {
				listener(event);
			} catch {
				// a listener's failure must not stop the link
			}
		}
	}
}
