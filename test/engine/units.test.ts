import {appendFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {execFileSync} from 'node:child_process';
import {afterEach, describe, expect, it} from 'vitest';
import {LogFollower} from '../../source/engine/follow.js';
import {applyChange, diffDumps, parseDumps} from '../../source/engine/shell-state.js';
import {BoundedTail} from '../../source/engine/tail.js';
import {identify, isSameProcessAlive} from '../../source/engine/proc.js';
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
