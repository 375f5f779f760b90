// Code blocks: which executor runs them, what a console block actually runs,
// and the expectations and placeholders the cockpit shows before running.
import type {Block, Executor} from './model.js';
import {isEndless} from './endless.js';
import {allPrompted, looksLikeShell} from './fence-guess.js';
import {promqlComparison} from './promql-inline.js';

const executors: Record<string, Executor> = {
	bash: 'shell', sh: 'shell', shell: 'shell', zsh: 'shell', console: 'shell', 'shell-session': 'shell',
	sql: 'sql', postgresql: 'sql', postgres: 'sql', psql: 'sql', pgsql: 'sql',
	promql: 'promql',
	redis: 'redis',
};

/** First word of an info string, lower-cased, without `{.lang}` decoration. */
export function langOf(info: string): string {
	const word = info.trim().split(/\s+/)[0] ?? '';
	return word.replace(/^\{?\.?/, '').replace(/[},].*$/, '').toLowerCase();
}

export function executorFor(lang: string): Executor | null {
	return Object.hasOwn(executors, lang) ? executors[lang]! : null;
}

/** The `$ `-prompted commands of a console block (continuation lines after a trailing `\` kept). */
export function consoleCommands(text: string): string {
	const out: string[] = [];
	let continuing = false;
	for (const line of text.split('\n')) {
		if (continuing) {
			out.push(line.replace(/^> ?/, ''));
		} else {
			const m = /^\s*\$ (.*)$/.exec(line) ?? /^\s*\$$/.exec(line);
			if (!m) continue;
			out.push(m[1] ?? '');
		}
		continuing = /\\$/.test(line);
	}
	return out.join('\n');
}

export function makeBlock(info: string, content: string, line: number): Block {
	const lang = langOf(info);
	const executor = executorFor(lang);
	const raw = content.endsWith('\n') ? content.slice(0, -1) : content;
	if (lang === 'console' || lang === 'shell-session') {
		const code = consoleCommands(raw);
		return withTraits({lang, executor, line, code, inline: false, raw});
	}
	if (lang === '' && allPrompted(raw)) return withTraits({lang: 'console', executor: 'shell', line, code: consoleCommands(raw), inline: false, raw});
	if (lang === '' && looksLikeShell(raw)) return withTraits({lang: '', executor: 'shell', line, code: raw, inline: false, guessed: true});
	return withTraits({lang, executor, line, code: raw, inline: false});
}

/** `endless` on shell code that never ends by itself; `gate` on PromQL with a comparison. */
export function withTraits(block: Block): Block {
	if (block.executor === 'shell' && isEndless(block.code)) block.endless = true;
	if (block.executor === 'promql' && block.code.split('\n').some(l => !/^\s*#/.test(l) && promqlComparison(l.replace(/\s#.*$/, '')))) block.gate = true;
	return block;
}

const expectComment = /(?:^|\s)#+\s*((?:expected|expect|should(?:\s+(?:be|return|show|print|see|list))?|must(?:\s+be)?)\b[^\n]*)$/i;

/** `# Expected: all pass` → "all pass"; `cmd  # Should be 0` → "Should be 0". */
export function expectationsOf(block: Block): string[] {
	if (block.executor !== 'shell') return [];
	const out: string[] = [];
	for (const line of (block.raw ?? block.code).split('\n')) {
		const m = expectComment.exec(line);
		if (!m) continue;
		const text = m[1]!.replace(/^expected?\s*:\s*/i, '').trim();
		if (text) out.push(text);
	}
	return out;
}

export const htmlTags = new Set('a abbr b br code div em h1 h2 h3 h4 h5 h6 hr html i img li ol p pre script span strong style sub sup table tbody td th thead tr u ul body head title meta link'.split(' '));

/** `<pod>`-style placeholders in runnable code (not heredocs, redirects or HTML tags). */
export function placeholdersOf(code: string): string[] {
	const found: string[] = [];
	for (const m of code.matchAll(/<([A-Za-z][\w.:-]*(?: [\w.:-]+){0,3})>/g)) {
		const before = code[m.index - 1] ?? '';
		const after = code[m.index + m[0].length] ?? '';
		if (before === '<' || after === '>' || /\w/.test(before)) continue;
		const name = m[1]!;
		if (htmlTags.has(name.toLowerCase()) || code.includes(`</${name}>`)) continue;
		if (!found.includes(name)) found.push(name);
	}
	return found;
}
