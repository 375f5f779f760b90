// One member's link to the team: publishes this member's events to the
// session's Redis stream and hands the others' events to `receive`. The local
// session stays complete on its own: audit.jsonl is the outbox too (an event
// of this member with a seq above `published` in team.json is still to be
// sent), so events made while Redis was away, or before a crash, go out when
// the link is back. An `epoch` key tells when Redis lost the session's data
// (restarted empty, failed over to a replica that missed writes): members
// then republish everything they hold, and readers skip what they have by id.
import {randomBytes} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import type {Redis} from 'ioredis';
import {writeFileAtomic} from '../engine/atomic-write.js';
import {createMasker} from '../safety/mask.js';
import {readAudit} from '../session/audit.js';
import type {RecordEvent} from '../session/events.js';
import type {TeamConfig} from './config.js';
import {SHARED} from './fence.js';
import {teamKeys, type TeamKeys} from './keys.js';
import {OutputQueue} from './held-output.js';
import {connect, LinkHealth} from './link.js';
import {makeSealer, WrongTeamKey, type Sealer} from './seal.js';
import {Compactor, idAfter, type Snapshot} from './snapshot.js';

/** What travels in a stream entry (sealed as one value). */
export interface Wire {
	/** member id : seq on that member: the same event republished is skipped by it. */
	uid: string;
	member: string;
	by: string;
	host: string;
	event: RecordEvent;
}

export interface MemberInfo {
	member: string;
	name: string;
	host: string;
	at: string;
	running?: string[];
}

interface Saved {
	member: string;
	/** The team session's key prefix (keys.ts): which team this local session belongs to (`sessions --team`). */
	team?: string;
	epoch?: string;
	published: number;
}

const STREAM_MAXLEN = 10_000;
const OUTPUT_MAXLEN = 5_000;
/** Output chunks of a run are sent together at most this often. */
const OUTPUT_FLUSH_MS = 100;

/** A piece of a run's output on the wire. */
export interface OutputWire {
	member: string;
	stepId: string;
	runId: string;
	chunk: string;
}
const HEARTBEAT_MS = 2000;
/** How often a member writes the snapshot (also when it leaves). */
const SNAPSHOT_MS = 30_000;
export const MEMBER_STALE_MS = 10_000;

async function readSaved(dir: string): Promise<Saved> {
	try {
		const saved = JSON.parse(await readFile(join(dir, 'team.json'), 'utf8')) as Partial<Saved>;
		if (typeof saved.member === 'string') return {member: saved.member, published: Number(saved.published) || 0, ...(saved.epoch ? {epoch: saved.epoch} : {})};
	} catch {
		// first join from this session dir
	}
	return {member: randomBytes(6).toString('hex'), published: 0};
}

export class TeamMember {
	readonly keys: TeamKeys;
	readonly sealer: Sealer;
	readonly cmd: Redis;
	private readonly reader: Redis;
	readonly health: LinkHealth;
	private saved!: Saved;
	private lastId = '0';
	private lastOutputId = '0';
	/** This member's runs' output not sent yet (held while the link is down). */
	private readonly outbound = new OutputQueue();
	private outputTimer: NodeJS.Timeout | undefined;
	/** Called with each output chunk of another member's run. */
	onOutput: (wire: OutputWire) => void = () => undefined;
	private closed = false;
	private seen = new Set<string>();
	private publishing: Promise<void> = Promise.resolve();
	private republishAll = false;
	private heartbeat: NodeJS.Timeout | undefined;
	private snapshotTimer: NodeJS.Timeout | undefined;
	/** Everything read from the stream, compacted: what this member writes as the snapshot. */
	private readonly compactor = new Compactor();
	/** The snapshot and the stream were read once: from now on XREAD from lastId, and this member's snapshot is complete. */
	private caughtUp = false;
	private catching: Promise<void> | undefined;
	private readLoop: Promise<void> | undefined;
	/** Called for each event of another member, in stream order; resolves once applied. */
	receive: (wire: Wire) => Promise<void> = async () => undefined;
	onLink: (downSince: number | null) => void = () => undefined;
	onFatal: (error: Error) => void = () => undefined;
	running: () => string[] = () => [];

	constructor(
		readonly config: TeamConfig,
		private readonly dir: string | undefined,
		readonly host: string,
	) {
		this.keys = teamKeys(config.session);
		this.sealer = makeSealer(config.key, this.keys.root);
		this.cmd = connect(config);
		this.reader = connect(config, {commandTimeout: 4000});
		this.health = new LinkHealth(this.cmd, downSince => {
			this.onLink(downSince);
			if (downSince === null) void this.onUp();
		});
	}

	get id(): string {
		return this.saved.member;
	}

	/** Connects (a Redis that is away is not an error: the member works on its own), checks the key. */
	async join(): Promise<boolean> {
		this.saved = this.dir ? await readSaved(this.dir) : {member: `viewer-${randomBytes(4).toString('hex')}`, published: 0};
		this.saved.team = this.keys.root;
		if (this.dir) for (const entry of await readAudit(this.dir)) if (typeof field(entry, 'uid') === 'string') this.seen.add(field(entry, 'uid') as string);
		const up = await Promise.all([this.cmd.connect(), this.reader.connect()]).then(
			() => true,
			() => false,
		);
		if (!up) this.health.down();
		this.health.start();
		return up;
	}

	/** Throws WrongTeamKey when what is in Redis was sealed with another key (or none). */
	async checkKey(): Promise<void> {
		const probe = `${this.keys.root}:keycheck`;
		await this.cmd.set(probe, this.sealer.seal('deploycockpit'), 'NX');
		const value = await this.cmd.get(probe);
		if (value) this.sealer.open(value);
	}

	/** The epoch: a new one means Redis lost the session's data since this member last published. */
	private async checkEpoch(): Promise<void> {
		await this.cmd.set(this.keys.epoch, randomBytes(8).toString('hex'), 'NX');
		const epoch = (await this.cmd.get(this.keys.epoch)) ?? '';
		if (this.saved.epoch && this.saved.epoch !== epoch) {
			this.republishAll = true;
			this.saved.published = 0;
			this.lastId = '0';
		}
		this.saved.epoch = epoch;
		await this.save();
	}

	private async onUp(): Promise<void> {
		try {
			// Joined while Redis was away: what the team did comes in now, snapshot first.
			if (!this.caughtUp) await this.catchUp();
			else await this.checkEpoch();
			await this.writePresence();
		} catch (error) {
			if (error instanceof WrongTeamKey) this.onFatal(error);
			return;
		}
		this.kick();
		// Output printed while the link was down.
		if (this.outbound.length > 0) void this.flushOutput();
	}

	/** The snapshot, then the stream after it (the stream is capped: its start may be gone). */
	private catchUp(): Promise<void> {
		this.catching ??= (async () => {
			await this.checkEpoch();
			const snapshot = await this.readSnapshot();
			if (snapshot) {
				this.compactor.load(snapshot);
				for (const entry of snapshot.entries) await this.take(entry.id, entry.wire);
				if (idAfter(snapshot.upTo, this.lastId === '0' ? '0-0' : this.lastId)) this.lastId = snapshot.upTo;
			}
			await this.drain(await this.tail());
			// Output is read from the start of its capped stream (lastOutputId stays where it is, '0' at a
			// join): a run that is already going shows what it printed before this member joined.
			this.caughtUp = true;
		})().finally(() => (this.catching = undefined));
		return this.catching;
	}

	/** Reads what the team holds now (join), then follows the stream with XREAD BLOCK. */
	async follow(): Promise<void> {
		if (this.health.isUp) {
			try {
				await this.catchUp();
			} catch (error) {
				if (error instanceof WrongTeamKey) throw error;
				this.health.down();
			}
		}
		this.readLoop = this.loop();
		this.heartbeat = setInterval(() => void this.writePresence().catch(() => undefined), HEARTBEAT_MS);
		this.heartbeat.unref();
		if (this.dir) {
			this.snapshotTimer = setInterval(() => void this.writeSnapshot().catch(() => undefined), SNAPSHOT_MS);
			this.snapshotTimer.unref();
		}
		await this.writePresence().catch(() => undefined);
		this.kick();
	}

	private async loop(): Promise<void> {
		while (!this.closed) {
			if (!this.health.isUp || !this.caughtUp) {
				await sleep(250);
				continue;
			}
			try {
				const result = (await this.reader.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', this.keys.stream, this.keys.output, this.lastId, this.lastOutputId)) as Array<[string, Array<[string, string[]]>]> | null;
				for (const [key, entries] of result ?? []) {
					if (key === this.keys.stream) await this.drain(entries);
					else this.drainOutput(entries);
				}
			} catch (error) {
				if (error instanceof WrongTeamKey) {
					this.onFatal(error);
					return;
				}
				if (!this.closed) await sleep(250);
			}
		}
	}

	private async drain(entries: Array<[string, string[]]>): Promise<void> {
		for (const [id, fields] of entries) {
			if (this.lastId !== '0' && !idAfter(id, this.lastId)) continue;
			this.lastId = id;
			const sealed = fields[fields.indexOf('p') + 1];
			if (!sealed) continue;
			const wire = JSON.parse(this.sealer.open(sealed)) as Wire;
			this.compactor.add(id, wire);
			await this.take(id, wire);
		}
	}

	/** Another member's event not seen yet goes to `receive`. */
	private async take(_id: string, wire: Wire): Promise<void> {
		if (wire.member === this.saved.member || this.seen.has(wire.uid)) return;
		this.seen.add(wire.uid);
		await this.receive(wire);
	}

	/** The stream from after lastId (XRANGE's start is inclusive; Redis < 6.2 has no exclusive one). */
	private async tail(): Promise<Array<[string, string[]]>> {
		const entries = await this.cmd.xrange(this.keys.stream, this.lastId === '0' ? '-' : this.lastId, '+');
		return this.lastId === '0' ? entries : entries.filter(([id]) => idAfter(id, this.lastId));
	}

	private async readSnapshot(): Promise<Snapshot | undefined> {
		const sealed = await this.cmd.get(this.keys.snapshot);
		return sealed ? (JSON.parse(this.sealer.open(sealed)) as Snapshot) : undefined;
	}

	/**
	 * Writes the compacted stream as the snapshot unless the one in Redis is
	 * newer. Two members writing at once may leave the older of two complete
	 * snapshots: still complete up to its own id, and the stream keeps far more
	 * than 30 s of events after it.
	 */
	async writeSnapshot(): Promise<void> {
		if (!this.dir || !this.health.isUp || !this.caughtUp || this.compactor.size === 0) return;
		const stored = await this.readSnapshot().catch(() => undefined);
		if (stored && !idAfter(this.compactor.upTo, stored.upTo)) return;
		await this.cmd.set(this.keys.snapshot, this.sealer.seal(JSON.stringify(this.compactor.snapshot())));
	}

	private drainOutput(entries: Array<[string, string[]]>): void {
		for (const [id, fields] of entries) {
			this.lastOutputId = id;
			const sealed = fields[fields.indexOf('p') + 1];
			if (!sealed) continue;
			const wire = JSON.parse(this.sealer.open(sealed)) as OutputWire;
			if (wire.member !== this.saved.member) this.onOutput(wire);
		}
	}

	/**
	 * A chunk of this member's run (the log is masked already): sent with the
	 * others of the next 100 ms; while the link is down held (bounded,
	 * held-output.ts) and sent when it is back.
	 */
	sendOutput(stepId: string, runId: string, chunk: string): void {
		if (!this.dir || this.closed) return;
		this.outbound.push({member: this.saved.member, stepId, runId, chunk});
		if (this.health.isUp) this.outputTimer ??= setTimeout(() => void this.flushOutput(), OUTPUT_FLUSH_MS);
	}

	private async flushOutput(): Promise<void> {
		if (this.outputTimer) clearTimeout(this.outputTimer);
		this.outputTimer = undefined;
		const batch = this.outbound.take();
		if (batch.length === 0) return;
		const pipeline = this.cmd.pipeline();
		for (const wire of batch) pipeline.xadd(this.keys.output, 'MAXLEN', '~', OUTPUT_MAXLEN, '*', 'p', this.sealer.seal(JSON.stringify(wire)));
		// What Redis did not take (the link went down meanwhile) is held for the next time it is up.
		const results = await pipeline.exec().catch(() => null);
		const failed = results ? batch.filter((_wire, i) => results[i]?.[0]) : batch;
		if (failed.length > 0) this.outbound.putBack(failed);
	}

	/** Publishes what this member holds and Redis has not got (own events; all, after Redis lost them). */
	kick(): void {
		if (!this.dir || this.closed) return;
		this.publishing = this.publishing.then(() => this.publish()).catch(() => this.health.down());
	}

	/** Resolves when everything is published, or after `ms` (false: some is left for the next join). */
	async flush(ms: number): Promise<boolean> {
		const deadline = Date.now() + ms;
		while (Date.now() < deadline) {
			await this.publishing;
			if ((await this.pending()) === 0) return true;
			await sleep(200);
			if (this.health.isUp) this.kick();
		}
		return (await this.pending()) === 0;
	}

	private async pending(): Promise<number> {
		return (await this.outbox()).length;
	}

	private async outbox(top = Infinity): Promise<Wire[]> {
		if (!this.dir) return [];
		const out: Wire[] = [];
		for (const entry of await readAudit(this.dir)) {
			const {seq, event, origin, uid, by, host} = entry as unknown as {seq?: number; event?: RecordEvent; origin?: string; uid?: string; by: string; host?: string};
			if (typeof seq !== 'number' || !event || seq <= this.saved.published || seq > top || !SHARED.has(event.kind)) continue;
			if (origin && !this.republishAll) continue;
			out.push({uid: uid ?? `${this.saved.member}:${seq}`, member: origin ?? this.saved.member, by, host: host ?? this.host, event});
		}
		return out;
	}

	private async publish(): Promise<void> {
		if (!this.health.isUp || !this.dir) return;
		const top = publishedUpTo(this.saved.published, await readAudit(this.dir));
		const wires = await this.outbox(top);
		if (wires.length > 0) {
			// Masked at the source, before it leaves the machine (the log is masked already; the env may know more now).
			const mask = createMasker(process.env);
			const pipeline = this.cmd.pipeline();
			for (const wire of wires) pipeline.xadd(this.keys.stream, 'MAXLEN', '~', STREAM_MAXLEN, '*', 'p', this.sealer.seal(mask(JSON.stringify(wire))));
			const results = await pipeline.exec();
			if (!results || results.some(([error]) => error)) throw new Error('publish failed');
		}
		this.republishAll = false;
		this.saved.published = top;
		await this.save();
	}

	private async save(): Promise<void> {
		if (this.dir) await writeFileAtomic(join(this.dir, 'team.json'), JSON.stringify(this.saved));
	}

	/** Who this member is and what it runs, in the members hash (heartbeat; also at once when that changes). */
	async writePresence(): Promise<void> {
		if (!this.dir || this.closed) return;
		const running = this.running();
		const info: MemberInfo = {member: this.saved.member, name: this.config.as, host: this.host, at: new Date().toISOString(), ...(running.length ? {running} : {})};
		await this.cmd.hset(this.keys.members, this.saved.member, this.sealer.seal(JSON.stringify(info)));
	}

	async members(): Promise<MemberInfo[]> {
		const all = await this.cmd.hgetall(this.keys.members);
		const now = Date.now();
		const out: MemberInfo[] = [];
		for (const value of Object.values(all)) {
			const info = JSON.parse(this.sealer.open(value)) as MemberInfo;
			if (now - Date.parse(info.at) < MEMBER_STALE_MS) out.push(info);
		}
		return out.sort((a, b) => a.name.localeCompare(b.name));
	}

	/** Every event the team holds: the snapshot, then the stream after it (status: no local session to apply them to). */
	async readAll(): Promise<Wire[]> {
		const out: Wire[] = [];
		const snapshot = await this.readSnapshot();
		if (snapshot) {
			out.push(...snapshot.entries.map(e => e.wire));
			this.lastId = snapshot.upTo;
		}
		for (const [, fields] of await this.tail()) {
			const sealed = fields[fields.indexOf('p') + 1];
			if (sealed) out.push(JSON.parse(this.sealer.open(sealed)) as Wire);
		}
		return out;
	}

	/** What Redis holds of the session now (`sessions --team`). */
	async describe(): Promise<{events: number; snapshot?: {at: string; entries: number}; lastEventAt?: string}> {
		const events = await this.cmd.xlen(this.keys.stream);
		const snapshot = await this.readSnapshot();
		const [last] = await this.cmd.xrevrange(this.keys.stream, '+', '-', 'COUNT', 1);
		return {
			events,
			...(snapshot ? {snapshot: {at: snapshot.at, entries: snapshot.entries.length}} : {}),
			...(last ? {lastEventAt: new Date(Number(last[0].split('-')[0])).toISOString()} : {}),
		};
	}

	async close(flushMs: number): Promise<{unpublished: number}> {
		if (this.health.isUp) await this.flushOutput();
		const done = await this.flush(flushMs).catch(() => false);
		this.closed = true;
		if (this.outputTimer) clearTimeout(this.outputTimer);
		if (this.heartbeat) clearInterval(this.heartbeat);
		if (this.snapshotTimer) clearInterval(this.snapshotTimer);
		// Leaving: the snapshot takes in what this member just published (read back from the stream, not applied).
		if (this.dir && this.health.isUp && this.caughtUp) {
			try {
				for (const [id, fields] of await this.tail()) {
					const sealed = fields[fields.indexOf('p') + 1];
					if (sealed) this.compactor.add(id, JSON.parse(this.sealer.open(sealed)) as Wire);
				}
				await this.writeSnapshot();
			} catch {
				// the next member's snapshot covers it
			}
		}
		if (this.dir && this.health.isUp) await this.cmd.hdel(this.keys.members, this.saved.member).catch(() => undefined);
		this.health.stop();
		this.cmd.disconnect();
		this.reader.disconnect();
		await this.readLoop?.catch(() => undefined);
		return {unpublished: done ? 0 : await this.pending().catch(() => 0)};
	}
}

function field(entry: unknown, name: string): unknown {
	return (entry as Record<string, unknown>)[name];
}

/**
 * The seq up to which the log is complete: a run's start is appended after
 * its runner is spawned, so a later event can be in the log before it; that
 * gap is waited for (a gap left by a failed write is passed after 20 more).
 */
function publishedUpTo(published: number, audit: unknown[]): number {
	const seqs = new Set<number>();
	let max = published;
	for (const entry of audit) {
		const seq = field(entry, 'seq');
		if (typeof seq === 'number' && seq > published) {
			seqs.add(seq);
			max = Math.max(max, seq);
		}
	}
	let top = published;
	while (seqs.has(top + 1)) top++;
	return max - top > 20 ? max : top;
}

function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}
