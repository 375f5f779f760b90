// Pure parts of issue 13's UI half: wrapping with a continuation mark,
// progress lines and grep colours in output, the kept-tail hint, key names,
// the window start of old sessions, the header's order of giving way.
import {describe, expect, it} from 'vitest';
import {statusJson} from '../../source/commands/status.js';
import {parseChecklist} from '../../source/checklist/parse.js';
import type {SessionState} from '../../source/session/types.js';
import {startWindow, upgradeWindow} from '../../source/session/window.js';
import {windowClockText} from '../../source/ui/header.js';
import {buildBindings, validKeyId} from '../../source/ui/keymap.js';
import {computeRegions} from '../../source/ui/layout-math.js';
import {tailIsFull} from '../../source/ui/panes/detail-pane.js';
import {countVisual, outputWindow, overprint, sanitizeLine} from '../../source/ui/panes/output-lines.js';
import {wordWrap, wrapLine} from '../../source/ui/wrap.js';

describe('wrapping', () => {
	it('wraps long code lines with a continuation mark and never cuts them', () => {
		const line = 'kubectl -n payments rollout restart deployment/edge-router --context prod-eu-west-1';
		const rows = wrapLine(line, 30);
		expect(rows.length).toBeGreaterThan(2);
		expect(rows.slice(1).every(r => r.startsWith('↪ '))).toBe(true);
		expect(rows.map((r, k) => (k === 0 ? r : r.slice(2))).join('')).toBe(line);
		expect(rows.every(r => r.length <= 30)).toBe(true);
	});

	it('word-wraps titles', () => {
		expect(wordWrap('Update feature flag to 100% of traffic', 20)).toEqual(['Update feature flag', 'to 100% of traffic']);
		expect(wordWrap('short', 20)).toEqual(['short']);
	});
});

describe('output rendering', () => {
	it('a \\r progress line never renders blank or partial', () => {
		expect(overprint('progress 10%\r')).toBe('progress 10%');
		expect(overprint('progress 10%\rprog')).toBe('progress 10%');
		expect(overprint('progress 10%\rprogress 20%')).toBe('progress 20%');
		expect(sanitizeLine('50%\r100%', true)).toBe('100%');
		expect(outputWindow('start\nprogress 90%\r', 40, 2, 0, false).lines).toEqual(['start', 'progress 90%']);
	});

	it('ESC[m ESC[K from grep --color ends the colour where grep ended it', () => {
		const line = sanitizeLine('a \x1b[01;31m\x1b[Kmatch\x1b[m\x1b[K rest of the line', true);
		expect(line).toBe('a \x1b[01;31mmatch\x1b[0m rest of the line\x1b[0m');
	});

	it('counts visual lines the way the window wraps them', () => {
		const tail = 'short\n' + 'x'.repeat(25) + '\n\x1b[31mred\x1b[0m\n';
		expect(countVisual(tail, 10, true)).toBe(1 + 3 + 1);
		expect(outputWindow(tail, 10, 99, 0, true).lines).toHaveLength(5);
	});

	it('knows when the kept tail is full (the log has more)', () => {
		expect(tailIsFull(Array.from({length: 2000}, (_, i) => `l${i}`).join('\n') + '\n')).toBe(true);
		expect(tailIsFull('a\nb\n')).toBe(false);
	});
});

describe('keymap', () => {
	it('validates key names', () => {
		for (const ok of ['j', 'G', '?', '/', 'enter', 'ctrl+x', 'shift+tab', 'alt+f5', 'pageup']) expect(validKeyId(ok), ok).toBe(true);
		for (const bad of ['ctrl+nn', 'enterr', '', 'hyper+x', 'ctrl+']) expect(validKeyId(bad), bad).toBe(false);
	});

	it('a bad entry keeps the default keys and is reported', () => {
		const {keysOf, problems, bindings} = buildBindings({down: 'ctrl+nn', run: 'r'});
		expect(keysOf('down')).toEqual(['down', 'j']);
		expect(bindings.get('j')).toBe('down');
		expect(bindings.get('r')).toBe('run');
		expect(problems).toHaveLength(1);
		expect(problems[0]).toContain('ctrl+nn');
	});
});

describe('window start', () => {
	const base = (over: Partial<SessionState>): SessionState => ({
		version: 1,
		id: 's',
		file: '/x.md',
		hash: 'h',
		createdAt: '2026-11-22T12:00:00.000Z',
		steps: {},
		shell: {cwd: '/', vars: {}},
		cursor: {},
		triggers: [],
		rollbacks: [],
		...over,
	});

	it('an old session where nothing ran has not started; one where something ran starts at the first run', () => {
		const idle = base({windowStartedAt: '2026-11-22T12:00:00.000Z'});
		upgradeWindow(idle);
		expect(idle.windowStartedAt).toBeUndefined();
		const ran = base({windowStartedAt: '2026-11-22T12:00:00.000Z', steps: {a: {status: 'done', exitCode: 0, startedAt: '2026-11-22T22:00:05.000Z', endedAt: '2026-11-22T22:00:06.000Z'}}});
		upgradeWindow(ran);
		expect(ran.windowStartedAt).toBe('2026-11-22T22:00:05.000Z');
		const started = base({windowStartedAt: '2026-11-22T21:00:00.000Z'});
		upgradeWindow(started);
		expect(started.windowStartedAt).toBe('2026-11-22T21:00:00.000Z');
	});

	it('starts once', () => {
		const s = base({});
		expect(startWindow(s, '2026-11-22T22:00:00.000Z')).toBe(true);
		expect(startWindow(s, '2026-11-22T23:00:00.000Z')).toBe(false);
		expect(s.windowStartedAt).toBe('2026-11-22T22:00:00.000Z');
	});

	it('status --json has windowStartedAt', () => {
		const checklist = parseChecklist('# T\n\n- [ ] a\n', '/x.md');
		expect(statusJson(checklist, base({})).windowStartedAt).toBeNull();
		expect(statusJson(checklist, base({windowStartedAt: '2026-11-22T22:00:00.000Z'})).windowStartedAt).toBe('2026-11-22T22:00:00.000Z');
	});

	it('the header clock reads "not started" until then', () => {
		expect(windowClockText(undefined, 7_200_000, Date.now()).text).toBe('⏱ not started · 2:00:00 planned');
		expect(windowClockText(new Date(Date.now() - 3 * 3_600_000).toISOString(), 7_200_000, Date.now())).toMatchObject({over: true});
	});
});

describe('layout', () => {
	it('titles get the width they need before the detail pane, up to a limit', () => {
		const wide = computeRegions(200, 50, {tiles: false, banner: false, sectionsNeed: 30, stepsNeed: 108});
		expect(wide.steps.width).toBe(108);
		const mid = computeRegions(120, 36, {tiles: false, banner: false, sectionsNeed: 30, stepsNeed: 108});
		expect(mid.detail.width).toBeGreaterThanOrEqual(29);
		expect(mid.steps.width).toBeGreaterThan(50);
		const narrow = computeRegions(80, 24, {tiles: true, banner: false});
		expect(narrow.steps.height).toBeGreaterThan(narrow.detail.height);
	});
});
