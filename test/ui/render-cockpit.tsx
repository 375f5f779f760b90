// Renders the real cockpit App into a fake terminal of an explicit size.
import {EventEmitter} from 'node:events';
import {render} from 'ink';
import {readFileSync} from 'node:fs';
import {parseChecklist} from '../../source/checklist/parse.js';
import type {Checklist} from '../../source/checklist/model.js';
import type {SessionHandle} from '../../source/session/types.js';
import {cockpitDeps, createCockpitStore, startEngines, type CockpitStore, type StoreDeps} from '../../source/store/index.js';
import type {Keymap} from '../../source/store/options.js';
import {App} from '../../source/ui/app.js';
import {loadTheme} from '../../source/ui/theme.js';

class FakeStdout extends EventEmitter {
	frames: string[] = [];
	isTTY = false;
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}
	write = (frame: string) => {
		this.frames.push(frame);
		return true;
	};
	resize(columns: number, rows: number) {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

class FakeStdin extends EventEmitter {
	isTTY = false;
	setRawMode() {}
	setEncoding() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
	read() {
		return null;
	}
}

export function fixtureChecklist(name: string): Checklist {
	const file = new URL(`../fixtures/ui/${name}`, import.meta.url);
	return parseChecklist(readFileSync(file, 'utf8'), file.pathname);
}

export interface Rendered {
	store: CockpitStore;
	stdout: FakeStdout;
	frame(): string;
	/** Sends raw terminal input, then waits for React to settle. */
	press(input: string): Promise<void>;
	waitFor(predicate: (frame: string) => boolean, what?: string): Promise<string>;
	unmount(): void;
	exited: Promise<void>;
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
export const settle = () => new Promise(resolve => setTimeout(resolve, 15));

export async function renderCockpit(
	session: SessionHandle,
	{columns = 120, rows = 40, keymap, dryRun = false, theme = 'dark', noColor = false, deps = {}}: {columns?: number; rows?: number; keymap?: Keymap; dryRun?: boolean; theme?: string; noColor?: boolean; deps?: Partial<StoreDeps>} = {},
): Promise<Rendered> {
	const fullDeps: StoreDeps = {...cockpitDeps({session, options: {file: session.checklist.file ?? 'x.md', dryRun}, config: {}, now: () => Date.now(), env: {}, ...deps}), ...(deps.workflows ? {workflows: deps.workflows} : {})};
	const store = createCockpitStore(fullDeps);
	const stop = startEngines(store, fullDeps);
	const stdout = new FakeStdout(columns, rows);
	const input = new EventEmitter();
	const instance = render(<App store={store} theme={loadTheme(theme, noColor ? {NO_COLOR: '1'} : {})} input={input} keymap={keymap} escTimeoutMs={20} />, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	const frame = () => stripAnsi(stdout.frames.at(-1) ?? '');
	const waitFor = async (predicate: (f: string) => boolean, what = 'frame') => {
		const deadline = Date.now() + 3000;
		while (Date.now() < deadline) {
			if (predicate(frame())) return frame();
			await settle();
		}
		throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
	};
	await settle();
	return {
		store,
		stdout,
		frame,
		waitFor,
		async press(data: string) {
			input.emit('data', data);
			await settle();
		},
		unmount() {
			stop();
			instance.unmount();
		},
		exited: instance.waitUntilExit().then(() => stop()),
	};
}

export const KEYS = {
	up: '\x1b[A',
	down: '\x1b[B',
	right: '\x1b[C',
	left: '\x1b[D',
	pageUp: '\x1b[5~',
	pageDown: '\x1b[6~',
	shiftTab: '\x1b[Z',
	enter: '\r',
	escape: '\x1b',
	tab: '\t',
	ctrlC: '\x03',
	space: ' ',
	backspace: '\x7f',
};
