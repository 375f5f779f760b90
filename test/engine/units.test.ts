import {appendFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {execFileSync} from 'node:child_process';
import {afterEach, describe, expect, it} from 'vitest';
import {LogFollower} from '../../source/engine/follow.js';
import {applyChange, diffDumps, parseDumps} from '../../source/engine/shell-state.js';
import {BoundedTail} from '../../source/engine/tail.js';
import {identify, isSameProcessAlive} from '../../source/engine/proc.js';
import {FollowedTail} from '../../source/session/followed-tail.js';
import {RunOutputs} from '../../source/session/run-output.js';
import {until} from '../session/helpers.js';

let dirs: string[] = [];
afterEach(() => {
	for (const d of dirs) rmSync(d, {recursive: true, force: true});
	dirs = [];
});

function dump(tag: string, cwd: string, vars: Array<[string, string, string]>): string {
	return [tag, '0', '0', cwd, ...vars.flat(), ''].join('\0') + '\0';
}

describe('shell state', () => {
	it('parses dumps, ignores an incomplete one, and diffs set, exported and unset names', () => {
		const start = dump('start', '/a', [['KEEP', 'x', '1'], ['GONE', '', 'g'], ['SECONDS', 'i', '1']]);
		const end = dump('end', '/b', [['KEEP', 'x', '1'], ['NEW', '', 'multi\nline'], ['EXP', 'x', 'e'], ['RO', 'r', 'v'], ['SECONDS', 'i', '9']]);
		const parsed = parseDumps(Buffer.from(start + end + 'end\0'));
		expect(parsed.map(d => d.tag)).toEqual(['start', 'end']);
		const change = diffDumps(parsed[0]!, parsed[1]!, ['KEEP']);
		expect(change).toEqual({cwd: '/b', set: {KEEP: '1', NEW: 'multi\nline', EXP: 'e'}, exported: ['KEEP', 'EXP'], unset: ['GONE']});
		const next = applyChange({cwd: '/a', vars: {GONE: 'g', KEEP: '1'}, exported: ['KEEP']}, change);
		expect(next).toEqual({cwd: '/b', vars: {KEEP: '1', NEW: 'multi\nline', EXP: 'e'}, exported: ['EXP', 'KEEP']});
	});
});

describe('bounded tail', () => {
	it('keeps at most the line and size limits and the latest text', () => {
		const tail = new BoundedTail({maxChars: 1000, maxLines: 10});
		for (let i = 0; i < 100; i++) tail.push(`line ${i}\n`);
		expect(tail.text()).toBe(Array.from({length: 10}, (_, i) => `line ${90 + i}\n`).join(''));
		tail.push('y'.repeat(5000));
		expect(tail.text()).toBe('y'.repeat(1000));
		const many = new BoundedTail({maxChars: 100, maxLines: 1000});
		for (let i = 0; i < 10_000; i++) many.push('ab');
		expect(many.text()).toBe('ab'.repeat(50));
	});

	it('is always an end of all the output pushed, within both limits, whenever it is read', () => {
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		for (let round = 0; round < 300; round++) {
			const limits = {maxChars: 20 + Math.floor(random() * 200), maxLines: 1 + Math.floor(random() * 10)};
			const tail = new BoundedTail(limits);
			let all = '';
			for (let i = 0; i < 50; i++) {
				const text = Array.from({length: Math.floor(random() * 30)}, () => 'ab\n '[Math.floor(random() * 4)]).join('');
				tail.push(text);
				all += text;
				if (random() < 0.3) {
					const got = tail.text();
					expect(all.endsWith(got)).toBe(true);
					expect(got.length).toBeLessThanOrEqual(limits.maxChars);
					expect(got.split('\n').length - 1).toBeLessThanOrEqual(limits.maxLines);
					// When the last maxLines lines fit the size limit, they are exactly what is kept.
					const ends = [...all.matchAll(/\n/g)].map(m => m.index);
					const lastLines = ends.length > limits.maxLines ? all.slice(ends[ends.length - limits.maxLines - 1]! + 1) : all;
					if (lastLines.length <= limits.maxChars) expect(got).toBe(lastLines);
				}
			}
		}
	});
});

describe('followed tail (a followed log\'s end, read back from the log)', () => {
	it('is the end of the log up to where the follower has read, cut like a BoundedTail, with multi-byte text', () => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-tail-'));
		dirs.push(dir);
		let seed = 11;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		const pieces = ['a', 'b', '\n', ' ', '€', 'ü', '日本'];
		for (let round = 0; round < 100; round++) {
			const limits = {maxChars: 64 + Math.floor(random() * 300), maxLines: 1 + Math.floor(random() * 12)};
			const path = join(dir, `${round}.log`);
			writeFileSync(path, '');
			let offset = 0;
			const tail = new FollowedTail(path, () => offset, limits);
			let all = '';
			for (let i = 0; i < 40; i++) {
				const text = Array.from({length: Math.floor(random() * 40)}, () => pieces[Math.floor(random() * pieces.length)]).join('');
				// Written, not yet read by the follower: not in the tail.
				appendFileSync(path, `${text}UNREAD`);
				const got = tail.text();
				expect(got).not.toContain('UNREAD');
				expect(all.endsWith(got), `round ${round}`).toBe(true);
				all += text;
				writeFileSync(path, all);
				offset = Buffer.byteLength(all);
				if (random() < 0.3) {
					const now = tail.text();
					expect(all.endsWith(now), `round ${round}`).toBe(true);
					expect(Buffer.byteLength(now)).toBeLessThanOrEqual(limits.maxChars);
					expect(now.split('\n').length - 1).toBeLessThanOrEqual(limits.maxLines);
					// What fits is all kept: the last maxLines lines when their bytes fit the limit.
					const ends = [...all.matchAll(/\n/g)].map(m => m.index);
					const lastLines = ends.length > limits.maxLines ? all.slice(ends[ends.length - limits.maxLines - 1]! + 1) : all;
					if (Buffer.byteLength(all) <= limits.maxChars) expect(now).toBe(lastLines);
				}
			}
		}
	});

	it('follows a run in a session: the tail is what was printed, while it runs and after', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-tail-'));
		dirs.push(dir);
		const path = join(dir, 'run.log');
		writeFileSync(path, 'before\n');
		const seen: string[] = [];
		const outputs = new RunOutputs(event => {
			if (event.type === 'output') seen.push(event.chunk);
		}, 20);
		// Reattached: what was printed while away comes first.
		const follower = outputs.follow('s', 'r', path, true);
		expect(outputs.text('s', path)).toBe('before\n');
		appendFileSync(path, 'after\n');
		await until(() => seen.join('') === 'after\n');
		expect(outputs.text('s', path)).toBe('before\nafter\n');
		await follower.finish();
		outputs.forget('s');
		expect(outputs.text('s', path)).toBe('before\nafter\n');
	});
});

describe('log follower', () => {
	it('reads only new bytes, across partial UTF-8 sequences, and finishes at the end of the file', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-follow-'));
		dirs.push(dir);
		const path = join(dir, 'x.log');
		writeFileSync(path, 'old\n');
		let seen = '';
		const follower = new LogFollower(path, t => (seen += t), {from: 4, pollMs: 20}).start();
		const euro = Buffer.from('€');
		appendFileSync(path, Buffer.concat([Buffer.from('new '), euro.subarray(0, 1)]));
		await until(() => seen === 'new ');
		appendFileSync(path, Buffer.concat([euro.subarray(1), Buffer.from(' end\n')]));
		await follower.finish();
		expect(seen).toBe('new € end\n');
	});

	it('as bytes: slices end at whole characters, text is decoded on demand and only during the call', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-follow-'));
		dirs.push(dir);
		const path = join(dir, 'x.log');
		const euro = Buffer.from('€');
		writeFileSync(path, Buffer.concat([Buffer.from('a '), euro.subarray(0, 2)]));
		const slices: string[] = [];
		const decoded: Array<() => string> = [];
		const undecoded: Array<() => string> = [];
		const follower = new LogFollower(path, () => undefined, {
			pollMs: 20,
			sliceBytes: 4,
			onBytes: (bytes, text) => {
				slices.push(bytes.toString('hex'));
				if (slices.length % 2 === 1) {
					expect(text()).toBe(bytes.toString('utf8'));
					decoded.push(text);
				} else undecoded.push(text);
			},
		}).start();
		await until(() => slices.length === 1);
		// The cut euro sign waits for its last byte.
		expect(slices).toEqual([Buffer.from('a ').toString('hex')]);
		appendFileSync(path, Buffer.concat([euro.subarray(2), Buffer.from(' b\n')]));
		await follower.finish();
		expect(Buffer.from(slices.join(''), 'hex').toString('utf8')).toBe('a € b\n');
		for (const slice of slices) expect(Buffer.from(slice, 'hex').toString('utf8')).not.toContain('\ufffd');
		// A text() kept past its call gives its text if it was decoded then, else throws (its bytes were reused).
		expect(decoded[0]!()).toBe('a ');
		expect(undecoded.length).toBeGreaterThan(0);
		expect(() => undecoded[0]!()).toThrow(/read after/);
	});
});

describe('waiting for a run to end', () => {
	it('returns as soon as the runner reports and leaves no poll timer behind (the process can exit at once)', () => {
		const dir = mkdtempSync(join(tmpdir(), 'dc-await-'));
		dirs.push(dir);
		// In a process of its own: no other timers there. A poll of a minute, the report after the first poll has begun.
		const script = `
			import {awaitRunEnd} from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'dist', 'engine', 'await-run.js'))};
			const d = ${JSON.stringify(dir)};
			const exit = {exitCode: 0, signal: null, startedAt: '', endedAt: '', durationMs: 0, block: 0};
			const report = new Promise(resolve => setImmediate(() => setImmediate(() => resolve({exit}))));
			const outcome = await awaitRunEnd({log: d + '/r.log', pid: d + '/r.pid.json', exit: d + '/r.exit.json'}, {report, pollMs: 60000});
			console.log(JSON.stringify({kind: outcome.kind, left: process.getActiveResourcesInfo().filter(r => r === 'Timeout').length}));
		`;
		const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'});
		expect(JSON.parse(out)).toEqual({kind: 'exit', left: 0});
	});
});

describe('process identity', () => {
	it('tells a live process from a dead one and from a reused pid', () => {
		const me = identify(process.pid);
		expect(isSameProcessAlive(me)).toBe(true);
		expect(isSameProcessAlive({...me, startTime: '1'})).toBe(false);
		const pid = Number(execFileSync('bash', ['-c', 'echo $$'], {encoding: 'utf8'}).trim());
		expect(isSameProcessAlive({pid})).toBe(false);
	});
});
