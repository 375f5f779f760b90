// The output side of a session's runs: each step's bounded tail and the log
// follower that fills it and tells the listeners. Keyed by step id (one run
// per step at a time); the RunSupervisor owns one and says when to follow.
// Followed output stays bytes until someone wants text: the tail is read back
// from the log when asked for (followed-tail.ts), and an output event decodes
// its chunk only when a listener reads it (`run` prints the bytes; a flood
// makes no text at all there).
import {LogFollower} from '../engine/follow.js';
import {BoundedTail, defaultTailLimits} from '../engine/tail.js';
import {FollowedTail} from './followed-tail.js';
import {fileSize, lastScreenReset, readLogEnd, screenStartBefore} from './log-end.js';
import type {SessionEvent, SessionState} from './types.js';

/** An output event whose text is decoded from its bytes on first read (during the event only). */
function outputEvent(stepId: string, runId: string, bytes: Buffer, text: () => string): SessionEvent {
	return {
		type: 'output',
		stepId,
		runId,
		bytes,
		get chunk() {
			return text();
		},
	};
}

export class RunOutputs {
	private readonly tails = new Map<string, BoundedTail | FollowedTail>();
	private readonly followers = new Map<string, LogFollower>();

	constructor(
		private readonly emit: (event: SessionEvent) => void,
		private readonly pollMs: number,
	) {}

	/** The step's tail; read from the end of its log when nothing followed it in this process. */
	text(stepId: string, logPath: string | undefined): string {
		let tail = this.tails.get(stepId);
		if (!tail) {
			if (!logPath) return '';
			tail = new BoundedTail();
			tail.push(readLogEnd(logPath, defaultTailLimits.maxChars));
			this.tails.set(stepId, tail);
		}
		return tail.text();
	}

	/**
	 * What to replay into a fresh screen for the step: its tail, preceded by the log from the last screen
	 * reset before the tail when the tail holds none (so a program that drew its screen long ago and only
	 * repaints parts of it since is shown whole).
	 */
	screenText(stepId: string, logPath: string | undefined): string {
		const tail = this.text(stepId, logPath);
		if (!logPath || lastScreenReset(tail) >= 0) return tail;
		const follower = this.followers.get(stepId);
		// The tail ends where the follower has read to (or at the log's end when nothing follows it).
		const end = follower ? follower.offset : fileSize(logPath);
		const tailStart = end - Buffer.byteLength(tail, 'utf8');
		if (tailStart <= 0) return tail;
		return (screenStartBefore(logPath, tailStart) ?? '') + tail;
	}

	/** A new run of the step: its tail starts empty. */
	reset(stepId: string): void {
		this.tails.set(stepId, new BoundedTail());
	}

	/** Forgets the step's tail: the next read takes it from the end of the run's log. */
	drop(stepId: string): void {
		this.tails.delete(stepId);
	}

	/** Tails the log into the step's bounded buffer and to the listeners. */
	follow(stepId: string, runId: string, logPath: string, fromTail = false): LogFollower {
		this.followers.get(stepId)?.stop();
		// Reattached: the tail starts with what was printed while away (the log's end), then follows.
		const from = fromTail ? fileSize(logPath) : 0;
		const follower = new LogFollower(logPath, () => undefined, {
			from,
			pollMs: Math.max(this.pollMs, 100),
			onBytes: (bytes, text) => this.emit(outputEvent(stepId, runId, bytes, text)),
		});
		this.tails.set(stepId, new FollowedTail(logPath, () => follower.offset));
		follower.start();
		this.followers.set(stepId, follower);
		return follower;
	}

	/** The step's run ended and its follower has read the log to the end. */
	forget(stepId: string): void {
		this.followers.delete(stepId);
	}

	/** Read-only: follow the logs of the runs the writer has going. */
	sync(steps: SessionState['steps']): void {
		for (const [stepId, record] of Object.entries(steps)) {
			const follower = this.followers.get(stepId);
			if (record.status === 'running' && record.logPath && record.runId) {
				if (!follower || follower.path !== record.logPath) this.follow(stepId, record.runId, record.logPath, true);
			} else if (follower) {
				this.followers.delete(stepId);
				void follower.finish();
			}
		}
	}

	/** Stops following (the runs go on). */
	async stop(): Promise<void> {
		await Promise.all([...this.followers.values()].map(f => f.stop()));
		this.followers.clear();
	}
}
