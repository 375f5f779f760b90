// Every cockpit action with its default keys. The user config's `keymap`
// replaces an action's keys: {"keymap": {"run": "r", "down": ["j", "ctrl+n"]}}.
// The `?` overlay is generated from this table, so it is always complete.
import type {Keymap} from '../store/options.js';
import {keyId, type Key} from './input/keys.js';

export interface ActionDef {
	action: string;
	keys: string[];
	help: string;
}

export const ACTIONS: ActionDef[] = [
	{action: 'up', keys: ['up', 'k'], help: 'move up (scrolls output in the detail pane)'},
	{action: 'down', keys: ['down', 'j'], help: 'move down'},
	{action: 'pageUp', keys: ['pageup'], help: 'page up / scroll output back'},
	{action: 'pageDown', keys: ['pagedown'], help: 'page down / scroll output forward'},
	{action: 'first', keys: ['g', 'home'], help: 'first step (output: oldest line)'},
	{action: 'last', keys: ['G', 'end'], help: 'last step (output: follow the end)'},
	{action: 'nextPane', keys: ['tab', 'right', 'l'], help: 'next pane'},
	{action: 'prevPane', keys: ['shift+tab', 'left', 'h'], help: 'previous pane'},
	{action: 'run', keys: ['enter'], help: 'run the selected step (asks first for dangerous commands)'},
	{action: 'runInteractive', keys: ['!'], help: 'run with the real terminal (psql, redis-cli ...)'},
	{action: 'toggleDone', keys: ['space'], help: 'toggle done (manual step)'},
	{action: 'skip', keys: ['s'], help: 'skip / unskip'},
	{action: 'fail', keys: ['f'], help: 'mark a manual step failed'},
	{action: 'nextPending', keys: ['n'], help: 'next pending step'},
	{action: 'find', keys: ['/'], help: 'find a step by text (remembers the last query; Enter jumps)'},
	{action: 'findNext', keys: ['N'], help: 'next match of the last search (n stays next pending)'},
	{action: 'interact', keys: ['i'], help: 'type into the selected running step (every key goes to it until the leave chord)'},
	{action: 'leaveInteract', keys: ['ctrl+]'], help: 'leave typing: the keys come back to the cockpit (a Ctrl or plain key)'},
	{action: 'cancel', keys: ['x'], help: 'cancel the selected step\'s run (asks)'},
	{action: 'openLog', keys: ['o'], help: 'open the full log in $PAGER'},
	{action: 'rollback', keys: ['R'], help: 'rollback panel'},
	{action: 'flags', keys: ['F'], help: 'feature-flag panel'},
	{action: 'baseline', keys: ['b'], help: 'recapture the metrics baseline'},
	{action: 'startWindow', keys: ['W'], help: 'start the window clock now (else: at the first run or mark)'},
	{action: 'help', keys: ['?'], help: 'this help'},
	{action: 'close', keys: ['escape'], help: 'close the overlay (q too; q never quits from an overlay)'},
	{action: 'quit', keys: ['q'], help: 'quit (asks when commands are running; they keep running)'},
	{action: 'interrupt', keys: ['ctrl+c'], help: 'asks whether to quit'},
];

export type Bindings = Map<string, string>;

const NAMED_KEYS = new Set(['up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end', 'tab', 'enter', 'escape', 'backspace', 'delete', 'insert', 'space', ...Array.from({length: 12}, (_, i) => `f${i + 1}`)]);
const MODIFIERS = new Set(['ctrl', 'alt', 'meta', 'option', 'shift']);

/** True for a key name the input layer can produce: `j`, `G`, `?`, `enter`, `ctrl+x`, `shift+tab`, `alt+f5`. */
export function validKeyId(id: string): boolean {
	if (typeof id !== 'string' || id.length === 0) return false;
	if ([...id].length === 1) return id.charCodeAt(0) >= 0x20;
	const parts = id.split('+');
	// A lone '+' key with modifiers ("ctrl++") splits into empty parts.
	const last = parts.pop()!;
	if (!parts.every(p => MODIFIERS.has(p.toLowerCase()))) return false;
	return [...last].length === 1 || NAMED_KEYS.has(last.toLowerCase());
}

/**
 * key id → action, with the user's overrides applied. An override naming no
 * action or holding a key the terminal cannot send is reported in
 * `problems` and the action keeps its default keys (a typo must not disable
 * j and ↓).
 */
export function buildBindings(overrides: Keymap = {}): {bindings: Bindings; keysOf: (action: string) => string[]; problems: string[]} {
	const problems: string[] = [];
	const known = new Set(ACTIONS.map(a => a.action));
	for (const action of Object.keys(overrides)) if (!known.has(action)) problems.push(`keymap: no action "${action}" (ignored)`);
	const keysByAction = new Map<string, string[]>();
	for (const def of ACTIONS) {
		const custom = overrides[def.action];
		const wanted = custom === undefined ? def.keys : Array.isArray(custom) ? custom : [custom];
		const bad = wanted.filter(k => !validKeyId(k));
		if (bad.length > 0) {
			problems.push(`keymap: "${def.action}": ${bad.map(k => JSON.stringify(k)).join(', ')} is not a key name; kept ${def.keys.map(showKey).join(' ')}`);
			keysByAction.set(def.action, def.keys);
		} else keysByAction.set(def.action, wanted);
	}
	const bindings: Bindings = new Map();
	for (const [action, keys] of keysByAction) for (const k of keys) bindings.set(normalise(k), action);
	return {bindings, keysOf: action => keysByAction.get(action) ?? [], problems};
}

function normalise(id: string): string {
	// Letters keep their case ('G' differs from 'g'); modifiers are lower-case.
	const parts = id.split('+');
	const last = parts.pop()!;
	const name = last.length === 1 ? last : last.toLowerCase();
	return [...parts.map(p => p.toLowerCase().replace(/^(meta|option)$/, 'alt')), name].join('+');
}

export function actionFor(bindings: Bindings, key: Key): string | undefined {
	return bindings.get(keyId(key));
}

/** How a key id is shown in hints. */
export function showKey(id: string): string {
	const pretty: Record<string, string> = {up: '↑', down: '↓', left: '←', right: '→', enter: 'Enter', escape: 'Esc', space: 'Space', tab: 'Tab', 'shift+tab': 'S-Tab', pageup: 'PgUp', pagedown: 'PgDn', home: 'Home', end: 'End', 'ctrl+c': 'C-c', 'ctrl+]': 'Ctrl-]'};
	return pretty[id] ?? id;
}
