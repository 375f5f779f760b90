import {afterEach, describe, expect, it} from 'vitest';
import stringWidth from 'string-width';
import {computeRegions} from '../../source/ui/layout-math.js';
import {outputWindow, sanitizeLine} from '../../source/ui/panes/output-lines.js';
import {MemorySession} from './memory-session.js';
import {fixtureChecklist, KEYS, renderCockpit, type Rendered} from './render-cockpit.js';

let r: Rendered | undefined;
afterEach(() => {
	r?.unmount();
	r = undefined;
});

function assertFits(frame: string, columns: number, rows: number) {
	const lines = frame.split('\n');
	expect(lines.length, 'frame height').toBeLessThanOrEqual(rows - 1);
	for (const line of lines) expect(stringWidth(line), `line too wide: ${line}`).toBeLessThanOrEqual(columns);
}

describe('layout math', () => {
	it('never plans a frame taller than rows - 1, at any size', () => {
		for (const columns of [40, 60, 80, 99, 100, 120, 200, 300]) {
			for (const rows of [10, 16, 24, 30, 40, 60]) {
				for (const tiles of [false, true]) {
					const g = computeRegions(columns, rows, {tiles, banner: true});
					expect(1 + g.tiles + g.banner + g.body + 1).toBeLessThanOrEqual(rows - 1);
					if (g.wide) expect(g.sections.width + g.steps.width + g.detail.width + 2).toBeLessThanOrEqual(columns);
					else expect(g.steps.height + g.detail.height).toBeLessThanOrEqual(g.body);
				}
			}
		}
	});

	it('stacks the panes below 100 columns', () => {
		expect(computeRegions(99, 40, {tiles: false, banner: false}).wide).toBe(false);
		expect(computeRegions(100, 40, {tiles: false, banner: false}).wide).toBe(true);
	});
});

describe('rendered sizes', () => {
	for (const [columns, rows] of [
		[80, 24],
		[60, 20],
		[120, 40],
		[200, 60],
	] as const) {
		it(`fits ${columns}×${rows} with the selection, detail and hints visible`, async () => {
			const session = new MemorySession(fixtureChecklist('basic.md'));
			r = await renderCockpit(session, {columns, rows});
			await r.press('jj');
			const frame = r.frame();
			assertFits(frame, columns, rows);
			expect(frame).toContain('Print the build number');
			expect(frame).toContain('echo "build 42"');
			expect(frame).toMatch(/Enter run/);
			await r.press('?');
			assertFits(r.frame(), columns, rows);
			await r.press(KEYS.escape);
		});
	}

	it('follows a resize from wide to narrow and back', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session, {columns: 140, rows: 40});
		expect(r.frame()).toContain('Sections');
		r.stdout.resize(80, 24);
		await r.waitFor(f => f.split('\n').length <= 23 && !f.includes('Sections'), 'narrow layout');
		assertFits(r.frame(), 80, 24);
		r.stdout.resize(140, 40);
		await r.waitFor(f => f.includes('Sections'), 'wide layout');
		assertFits(r.frame(), 140, 40);
	});

	it('in a narrow terminal the sections list takes the top pane when focused', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session, {columns: 80, rows: 24});
		await r.press(KEYS.shiftTab);
		await r.waitFor(f => f.includes('▸ Sections'), 'sections pane');
		expect(r.frame()).toContain('Rollback plan');
	});

	it('a 500-step checklist: G reaches the last step, the frame still fits', async () => {
		const session = new MemorySession(fixtureChecklist('gen500.md'));
		r = await renderCockpit(session, {columns: 120, rows: 40});
		await r.press('G');
		const last = session.checklist.steps.at(-1)!;
		expect(r.store.getState().selectedStepId).toBe(last.id);
		expect(r.frame()).toContain(last.title.slice(0, 20));
		assertFits(r.frame(), 120, 40);
	});

	it('keeps the selected step visible in a long list', async () => {
		const session = new MemorySession(fixtureChecklist('long.md'));
		r = await renderCockpit(session, {columns: 80, rows: 24});
		for (let i = 0; i < 15; i++) await r.press('j');
		expect(r.frame()).toMatch(/›○ Item 16/);
		await r.press(KEYS.pageDown);
		const id = r.store.getState().selectedStepId;
		const title = session.checklist.steps.find(s => s.id === id)!.title;
		expect(r.frame()).toContain(title);
		assertFits(r.frame(), 80, 24);
	});
});

describe('output pane', () => {
	it('keeps colours, drops cursor movement and screen clears, cuts to the pane', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session, {columns: 120, rows: 30});
		await r.press('jj');
		await r.press(KEYS.enter);
		const id = session.runs[0]!.stepId;
		session.output(id, '\x1b[2J\x1b[Hcleared?\n\x1b]0;title\x07\x1b[32mgreen\x1b[0m ok\n' + 'x'.repeat(500) + '\n');
		await r.waitFor(f => f.includes('green ok'), 'output');
		const raw = r.stdout.frames.at(-1)!;
		expect(raw).not.toContain('\x1b[2J');
		expect(raw).not.toContain('\x1b]0;');
		expect(raw).toContain('\x1b[32m');
		assertFits(r.frame(), 120, 30);
	});

	it('PgUp/PgDn in the detail pane scroll back through the tail', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session, {columns: 120, rows: 30});
		await r.press('jj');
		await r.press(KEYS.enter);
		const id = session.runs[0]!.stepId;
		session.output(id, Array.from({length: 300}, (_, i) => `out-line-${i}`).join('\n') + '\n');
		session.finish(id, 0);
		await r.waitFor(f => f.includes('out-line-299'), 'end of output');
		await r.press(KEYS.tab);
		expect(r.store.getState().pane).toBe('detail');
		await r.press(KEYS.pageUp);
		await r.press(KEYS.pageUp);
		const frame = await r.waitFor(f => !f.includes('out-line-299'), 'scrolled');
		expect(frame).toMatch(/↑\d+ back/);
		await r.press('G');
		await r.waitFor(f => f.includes('out-line-299'), 'back at the end');
	});

	it('a flood of output is coalesced: the store changes far fewer times than output events', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session, {columns: 120, rows: 30});
		await r.press('jj');
		await r.press(KEYS.enter);
		const id = session.runs[0]!.stepId;
		const before = r.store.getState().outputRev;
		for (let i = 0; i < 5000; i++) session.output(id, `flood ${i}\n`);
		await r.waitFor(f => f.includes('flood 4999'), 'flood end');
		expect(r.store.getState().outputRev - before).toBeLessThan(20);
	});
});

describe('output lines', () => {
	it('sanitizes controls and keeps progress-bar overwrites readable', () => {
		expect(sanitizeLine('50%\r100%', true)).toBe('100%');
		expect(sanitizeLine('a\tb', false)).toBe('a   b');
		expect(sanitizeLine('\x1b[1mbold\x1b[0m', false)).toBe('bold');
		expect(sanitizeLine('\x1b[1mbold', true)).toBe('\x1b[1mbold\x1b[0m');
		expect(sanitizeLine('\x1b[5Aup', true)).toBe('up');
	});

	it('takes the last lines of a large tail without walking all of it', () => {
		const tail = Array.from({length: 100_000}, (_, i) => `line ${i}`).join('\n');
		const view = outputWindow(tail, 40, 5, 0, true);
		expect(view.lines).toEqual(['line 99995', 'line 99996', 'line 99997', 'line 99998', 'line 99999']);
		const back = outputWindow(tail, 40, 5, 10, true);
		expect(back.lines.at(-1)).toBe('line 99989');
	});

	it('wraps long lines to the width and clamps the scroll to what exists', () => {
		const view = outputWindow('short\n' + 'y'.repeat(25), 10, 10, 0, false);
		expect(view.lines).toEqual(['short', 'yyyyyyyyyy', 'yyyyyyyyyy', 'yyyyy']);
		expect(outputWindow('a\nb\nc', 10, 2, 99, false)).toMatchObject({lines: ['a', 'b'], scroll: 1});
	});
});

describe('hard wrap', () => {
	it('cuts at the width, counts wide characters, carries colours over', async () => {
		const {hardWrap} = await import('../../source/ui/panes/output-lines.js');
		expect(hardWrap('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
		expect(hardWrap('日本語です', 4)).toEqual(['日本', '語で', 'す']);
		expect(hardWrap('\x1b[31mredred\x1b[0m', 3)).toEqual(['\x1b[31mred\x1b[0m', '\x1b[31mred\x1b[0m']);
	});
});

describe('credentials written in the checklist', () => {
	it('are masked in the detail pane (the rest of the command stays readable)', async () => {
		const {parseChecklist} = await import('../../source/checklist/parse.js');
		const checklist = parseChecklist(
			"# Rotate\n\n## Steps\n\n- [ ] Check the replica\n  ```bash\n  mysql -u root -pScreen-pw-0101 -e 'SHOW SLAVE STATUS'\n  curl -u deploy:Screen-pw-0202 https://ci.invalid/api\n  ```\n",
			'/tmp/rotate.md',
		);
		r = await renderCockpit(new MemorySession(checklist), {columns: 120, rows: 40});
		await r.press('j');
		const frame = r.frame();
		expect(frame).toContain('mysql -u root -p****');
		expect(frame).toContain('curl -u deploy:****');
		expect(frame).not.toContain('Screen-pw');
	});
});
