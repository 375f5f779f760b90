import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createHash} from 'node:crypto';
import {afterAll, describe, expect, it} from 'vitest';
import {ChecklistError, loadChecklist, parseChecklist} from '../../source/checklist/load.js';
import {fixture, fixtureDir, invariantProblems} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'dc-checklist-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe('robust input', () => {
	it('BOM + CRLF parse like the LF file, same lines', () => {
		const raw = fixture('crlf-bom.md');
		expect(raw.startsWith('\uFEFF')).toBe(true);
		expect(raw).toContain('\r\n');
		const c = parseChecklist(raw);
		const lf = parseChecklist(raw.slice(1).replace(/\r\n/g, '\n'));
		expect(c).toEqual(lf);
		expect(c.title).toBe('CRLF and BOM');
		expect(c.steps.map(s => [s.title, s.line, s.checked])).toEqual([['First', 5, false], ['Second', 9, true]]);
		expect(c.steps[0]!.blocks[0]!.code).toBe('echo first');
		expect(c.sections[1]!.meta.durationMinutes).toBe(10);
	});
	it('tabs', () => {
		const c = parseChecklist(fixture('tabs.md'));
		expect(c.steps.map(s => s.title)).toEqual(['Tab after the bullet', 'Parent', 'Tab-indented child']);
		expect(c.steps[0]!.blocks[0]!.code).toBe('echo tab indented fence');
	});
	it('emoji kept, mojibake in titles repaired with a warning, code untouched', () => {
		const c = parseChecklist(fixture('emoji-mojibake.md'));
		expect(c.title).toBe('Emoji ✅ and mojibake');
		expect(c.sections[1]!.title).toBe('✅ Done items');
		expect(c.steps[0]!.title).toBe('🚀 Launch');
		expect(c.steps[0]!.blocks[0]!.code).toContain('âœ…');
		expect(c.steps[1]!.title).toBe('Café stays café');
		expect(c.warnings.map(w => w.line)).toEqual([3]);
	});
	it('unclosed fences: a warning naming the line, the block runs to the end of its container', () => {
		const c = parseChecklist(fixture('unclosed-fence.md'));
		expect(c.warnings.map(w => w.line)).toEqual([10, 15]);
		expect(c.warnings[0]!.message).toMatch(/line 10 is never closed.*list item/);
		expect(c.warnings[1]!.message).toMatch(/line 15 is never closed.*end of the document/);
		const last = c.steps.at(-1)!;
		expect(last.blocks[0]).toMatchObject({unclosed: true, code: 'echo never closed\n- [ ] not a task, still inside the fence'});
		expect(c.steps.some(s => s.title.includes('not a task'))).toBe(false);
		expect(c.steps[0]!.blocks[0]!.unclosed).toBeUndefined();
	});
	it('empty and whitespace-only files', () => {
		for (const text of [fixture('empty.md'), fixture('whitespace-only.md'), '']) {
			const c = parseChecklist(text, '/x/release-notes.md');
			expect(c).toMatchObject({title: 'release-notes', sections: [], steps: [], warnings: []});
		}
		expect(parseChecklist('').title).toBe('Untitled checklist');
	});
	it('no H1: the first heading titles it, with a warning', () => {
		const c = parseChecklist(fixture('no-h1.md'));
		expect(c.title).toBe('Only second-level headings');
		expect(c.warnings[0]!.message).toMatch(/no "# Title" heading/);
	});
	it('steps before the first heading have no section', () => {
		const c = parseChecklist(fixture('preamble.md'));
		expect(c.steps.map(s => [s.title, s.section])).toEqual([['Task before any heading', null], ['Some text.', null], ['After', 'title-after']]);
		expect(c.steps[0]!.id).toBe('task-before-any-heading');
	});
	it('NUL bytes and other junk in a string never throw', () => {
		for (const text of ['\0\0\0', '# a\0b\n- [ ] c\0', '```\0', '\uFFFF\uD800', '<!--', '---\n', '---\n---\n', '> '.repeat(5000) + 'x', '- '.repeat(5000) + '[ ] deep', '['.repeat(10000)]) {
			const c = parseChecklist(text);
			expect(c.warnings.some(w => w.message.startsWith('internal'))).toBe(false);
			expect(invariantProblems(text, c)).toEqual([]);
		}
		expect(() => parseChecklist(undefined as unknown as string)).not.toThrow();
	});
	it('a 10 MB file loads (generated here, not committed)', async () => {
		const unit = fixture('runbook-ledger.md').replace(/^---[\s\S]*?\n---\n/, '');
		const parts: string[] = [];
		let size = 0;
		while (size < 10 * 1024 * 1024) {
			parts.push(unit);
			size += unit.length;
		}
		const file = join(dir, 'big.md');
		writeFileSync(file, parts.join('\n'));
		const c = await loadChecklist(file);
		const per = parseChecklist(unit).steps.length;
		expect(c.steps.length).toBe(per * parts.length);
		expect(new Set(c.steps.map(s => s.id)).size).toBe(c.steps.length);
	}, 60_000);
});

describe('loadChecklist', () => {
	it('sets the absolute file and the sha256 of the bytes', async () => {
		const c = await loadChecklist(join(fixtureDir, 'crlf-bom.md'));
		expect(c.file).toBe(join(fixtureDir, 'crlf-bom.md'));
		const bytes = Buffer.from(fixture('crlf-bom.md'), 'utf8');
		expect(c.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
	});
	it('reads non-UTF-8 text as Windows-1252 with a warning', async () => {
		const file = join(dir, 'latin1.md');
		writeFileSync(file, Buffer.from('# Caf\xe9 rollout\n\n- [ ] R\xe9sum\xe9\n', 'latin1'));
		const c = await loadChecklist(file);
		expect(c.title).toBe('Café rollout');
		expect(c.warnings[0]!.message).toMatch(/not valid UTF-8/);
	});
	const failing: Array<[string, () => string, RegExp]> = [
		['missing path', () => join(dir, 'nope.md'), /nope\.md: no such file/],
		['directory', () => dir, /is a directory/],
		['binary (NUL bytes)', () => { const f = join(dir, 'bin.md'); writeFileSync(f, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0])); return f; }, /binary/],
		['mostly non-text', () => { const f = join(dir, 'noise.md'); writeFileSync(f, Buffer.from(Array.from({length: 4000}, (_, i) => (i * 7919) % 255 + 1))); return f; }, /binary/],
		['empty path', () => '', /no checklist file/],
	];
	for (const [name, path, message] of failing) {
		it(`${name} → one-line ChecklistError`, async () => {
			const error = await loadChecklist(path()).then(() => null, (e: unknown) => e);
			expect(error).toBeInstanceOf(ChecklistError);
			expect((error as Error).message).toMatch(message);
			expect((error as Error).message).not.toContain('\n');
		});
	}
	it.skipIf(process.getuid?.() === 0)('unreadable file → ChecklistError', async () => {
		const f = join(dir, 'secret.md');
		writeFileSync(f, '# x\n');
		chmodSync(f, 0o000);
		await expect(loadChecklist(f)).rejects.toThrow(/permission denied/);
	});
});
