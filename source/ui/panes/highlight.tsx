// Simple syntax-aware colouring for step code: comments, strings, variables,
// keywords and the command word. A small tokenizer per family, not a parser:
// it only has to make a 2 a.m. read easier, never change what is shown.
import {Text} from 'ink';
import type {Theme} from '../theme.js';

export type TokenKind = 'plain' | 'comment' | 'string' | 'variable' | 'keyword' | 'command' | 'number';
export interface Token {
	text: string;
	kind: TokenKind;
}

const SQL_KEYWORDS = new Set(
	'select from where and or not insert into values update set delete create drop alter table index view begin commit rollback truncate join left right inner outer on group by order having limit offset as distinct count returning with union all null is in exists case when then else end primary key references default grant revoke'.split(' '),
);

function family(lang: string): 'shell' | 'sql' | 'redis' | 'promql' | 'plain' {
	if (['sh', 'bash', 'shell', 'zsh', 'console', 'shell-session'].includes(lang)) return 'shell';
	if (['sql', 'postgresql', 'postgres', 'psql'].includes(lang)) return 'sql';
	if (lang === 'redis') return 'redis';
	if (lang === 'promql') return 'promql';
	return 'plain';
}

export function tokenize(line: string, lang: string): Token[] {
	const fam = family(lang);
	if (fam === 'plain') return [{text: line, kind: 'plain'}];
	const tokens: Token[] = [];
	const push = (text: string, kind: TokenKind) => {
		if (!text) return;
		const last = tokens.at(-1);
		if (last && last.kind === kind) last.text += text;
		else tokens.push({text, kind});
	};
	let i = 0;
	let commandSeen = false;
	while (i < line.length) {
		const rest = line.slice(i);
		const ch = line[i]!;
		// Comments.
		if ((fam === 'shell' || fam === 'redis' || fam === 'promql') && ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
			push(rest, 'comment');
			break;
		}
		if (fam === 'sql' && rest.startsWith('--')) {
			push(rest, 'comment');
			break;
		}
		// Strings.
		if (ch === '"' || ch === "'" || ch === '`') {
			let j = i + 1;
			while (j < line.length && line[j] !== ch) j += line[j] === '\\' && ch !== "'" ? 2 : 1;
			push(line.slice(i, j + 1), 'string');
			i = j + 1;
			continue;
		}
		if (fam === 'shell' && ch === '$') {
			const m = /^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|[0-9@#?*$!-])/.exec(rest);
			if (m) {
				push(m[0], 'variable');
				i += m[0].length;
				continue;
			}
		}
		if (ch === '<') {
			const m = /^<[A-Za-z_][\w-]*>/.exec(rest);
			if (m) {
				push(m[0], 'variable');
				i += m[0].length;
				continue;
			}
		}
		const word = /^[A-Za-z_][\w.:-]*/.exec(rest);
		if (word) {
			const w = word[0];
			if (fam === 'sql' && SQL_KEYWORDS.has(w.toLowerCase())) push(w, 'keyword');
			else if ((fam === 'shell' || fam === 'redis') && !commandSeen && !/=/.test(w)) {
				push(w, 'command');
				commandSeen = true;
			} else push(w, 'plain');
			i += w.length;
			continue;
		}
		const num = /^\d+(\.\d+)?/.exec(rest);
		if (num && (fam === 'sql' || fam === 'promql')) {
			push(num[0], 'number');
			i += num[0].length;
			continue;
		}
		if (fam === 'shell' && (ch === '|' || ch === ';' || ch === '&')) {
			push(ch, 'keyword');
			commandSeen = false;
			i++;
			continue;
		}
		if (fam === 'shell' && ch === '=' && tokens.at(-1)?.kind === 'command') {
			// VAR=value: not a command after all.
			tokens.at(-1)!.kind = 'variable';
			commandSeen = false;
		}
		push(ch, 'plain');
		i++;
	}
	return tokens;
}

export function colorOf(kind: TokenKind, theme: Theme): string | undefined {
	switch (kind) {
		case 'comment':
			return theme.muted;
		case 'string':
			return theme.ok;
		case 'variable':
			return theme.warn;
		case 'keyword':
		case 'number':
			return theme.accent;
		default:
			return undefined;
	}
}

export function CodeLine({line, lang, theme}: {line: string; lang: string; theme: Theme}) {
	const tokens = tokenize(line, lang);
	return (
		<Text wrap="truncate-end">
			{tokens.map((t, k) => (
				<Text key={k} color={colorOf(t.kind, theme)} bold={t.kind === 'command'}>
					{t.text}
				</Text>
			))}
		</Text>
	);
}
