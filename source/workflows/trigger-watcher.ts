// Raises rollback triggers: a tile crossing crit, a NEW firing alert (both
// reported by the metrics part as crossings), a failed step in a high-risk
// section. Each is a `trigger-fired` event of the session (state + audit
// log); the banner is shown at once. Items of a trigger list checked (Space)
// go into the audit log. A plain class built where the cockpit is assembled.
import type {Checklist, Step} from '../checklist/model.js';
import type {StepStatus} from '../engine/types.js';
import {openAudit, type AuditLog} from '../session/audit.js';
import {whoAmI} from '../session/identity.js';
import type {SessionHandle, TriggerRecord} from '../session/types.js';

/** A tile's crit crossing (fresh values only) or a NEW alert, as the metrics part reports it once. */
export interface Crossing {
	kind: 'threshold' | 'alert';
	message: string;
	value: number | null;
	/** The alert's label key (kind 'alert'). */
	crossed?: string;
}

export interface TriggerSources {
	/** Subscribes to crossings; returns the unsubscribe. */
	crossings(listener: (crossing: Crossing) => void): () => void;
	/** A step of the rollback that runs now (its failure is the rollback's, not a trigger). */
	isRollbackStep(stepId: string): boolean;
	/** Shows the banner at once (the state write lands a moment later). */
	banner(trigger: TriggerRecord): void;
	report(error: unknown, what?: string): void;
}

export function bannerText(trigger: TriggerRecord | null): string | null {
	return trigger ? `rollback trigger: ${trigger.message} — R to roll back` : null;
}

export class TriggerWatcher {
	private audit: AuditLog | null = null;

	constructor(
		private readonly session: SessionHandle,
		private readonly now: () => number,
		env?: Record<string, string | undefined>,
	) {
		try {
			this.audit = openAudit(session.dir, whoAmI(), env ?? process.env);
		} catch {
			this.audit = null;
		}
	}

	/** Starts watching; returns the stop function. */
	start(sources: TriggerSources): () => void {
		const {session} = this;
		const checklist = session.checklist;
		const raise = (trigger: TriggerRecord) => {
			if (session.readOnly) return;
			sources.banner(trigger);
			void session.apply({kind: 'trigger-fired', trigger}).catch(error => sources.report(error, 'record the trigger'));
		};
		const at = () => new Date(this.now()).toISOString();
		const unsubscribeCrossings = sources.crossings(c => {
			if (c.kind === 'threshold') raise({at: at(), kind: 'threshold', message: c.message.replace(/\s+/g, ' ').trim(), ...(c.value !== null && Number.isFinite(c.value) ? {value: c.value} : {})});
			else raise({at: at(), kind: 'alert', message: `new firing alert: ${c.crossed}`});
		});

		const previous = new Map<string, StepStatus>();
		for (const [id, r] of Object.entries(session.getState().steps)) previous.set(id, r.status);
		const unsubscribeSession = session.subscribe(event => {
			if (event.type === 'run-end' && event.status === 'failed') {
				const step = checklist.steps.find(s => s.id === event.stepId);
				if (!step || !isHighRisk(checklist, step) || inRollbackSection(checklist, step, 'procedure')) return;
				if (sources.isRollbackStep(step.id)) return;
				raise({at: at(), kind: 'step-failed', message: `high-risk step failed: ${step.title}${event.exitCode !== null ? ` (exit ${event.exitCode})` : ''}`, ...(event.exitCode !== null ? {value: event.exitCode} : {})});
			}
			if (event.type === 'state') {
				// Items of a trigger list ticked (Space) as they are checked: into the audit log.
				for (const [id, r] of Object.entries(event.state.steps)) {
					const before = previous.get(id);
					previous.set(id, r.status);
					if (before === r.status || r.status !== 'done' || session.readOnly) continue;
					const step = checklist.steps.find(s => s.id === id);
					if (step && inRollbackSection(checklist, step, 'trigger') && this.audit) this.audit.write('trigger-tick', {stepId: id, title: step.title}).catch(error => sources.report(error, 'write the audit log'));
				}
			}
		});
		return () => {
			unsubscribeCrossings();
			unsubscribeSession();
		};
	}
}

function isHighRisk(checklist: Checklist, step: Step): boolean {
	const byId = new Map(checklist.sections.map(s => [s.id, s]));
	for (let id = step.section; id !== null; ) {
		const section = byId.get(id);
		if (!section) return false;
		const risk = section.meta.risk;
		if (risk !== undefined) return /^\s*(high|critical|very high|severe)\b/i.test(String(risk));
		id = section.parent;
	}
	return false;
}

function inRollbackSection(checklist: Checklist, step: Step, role: 'procedure' | 'trigger'): boolean {
	const byId = new Map(checklist.sections.map(s => [s.id, s]));
	for (let id = step.section; id !== null; ) {
		const section = byId.get(id);
		if (!section) return false;
		if (section.rollback === role) return true;
		id = section.parent;
	}
	return false;
}
