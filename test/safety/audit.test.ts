import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {appendAudit, auditPath, openAudit, readAudit} from '../../source/session/audit.js';

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'dc-audit-'));
});
afterEach(async () => {
	await rm(dir, {recursive: true, force: true});
});

describe('audit log', () => {
	it('appends masked JSON lines in call order, file mode 0600', async () => {
		const log = openAudit(dir, 'ops@host', {API_TOKEN: 'tok-abcdef-123'});
		await Promise.all([
			log.write('run-start', {stepId: 'a', command: 'curl -H "Authorization: Bearer tok-abcdef-123" https://x'}),
			log.write('run-end', {stepId: 'a', exitCode: 0, durationMs: 12}),
			log.write('trigger', {kind: 'threshold', message: 'error rate 6.2% > 5%', value: 0.062}),
			log.write('run-start', {stepId: 'b', command: 'psql postgres://app:dbpw99@db/app', vars: {DB_PASSWORD: 'x-unknown-1'}}),
		]);
		const text = await readFile(auditPath(dir), 'utf8');
		expect(text).not.toContain('tok-abcdef-123');
		expect(text).not.toContain('dbpw99');
		expect(text).not.toContain('x-unknown-1');
		const entries = await readAudit(dir);
		expect(entries.map(e => e.type)).toEqual(['run-start', 'run-end', 'trigger', 'run-start']);
		expect(entries[0]).toMatchObject({by: 'ops@host', stepId: 'a', command: 'curl -H "Authorization: Bearer ****" https://x'});
		expect(entries[2]).toMatchObject({value: 0.062});
		expect(typeof entries[0]!.at).toBe('string');
		expect((await stat(auditPath(dir))).mode & 0o777).toBe(0o600);
	});

	it('tightens the mode of a pre-existing file and keeps entries after a torn last line readable', async () => {
		await writeFile(auditPath(dir), '{"at":"x","type":"session","by":"a"}\n{"at":"y","ty', {mode: 0o644});
		await appendAudit(dir, {at: 'z', type: 'mark', by: 'b', stepId: 's'});
		expect((await stat(auditPath(dir))).mode & 0o777).toBe(0o600);
		const entries = await readAudit(dir);
		expect(entries.map(e => e.type)).toEqual(['session', 'mark']);
	});
});
