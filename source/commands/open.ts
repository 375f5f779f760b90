// `deploycockpit [open] FILE`: the cockpit. Everything heavy (Ink, React,
// the store, the session engine) is imported only after the arguments are
// checked, and the terminal is restored on every way out: q, a crash,
// SIGTERM, SIGHUP. SIGINT (kill -INT; Ctrl-C arrives as a key in raw mode)
// never quits directly: it opens the quit confirmation.
import {parseArgs} from 'node:util';
import type {SessionHandle} from '../session/types.js';
import type {OpenOptions} from '../store/options.js';
import {startupDone} from '../startup.js';
import {teamConfig, teamFlags, teamFrontmatter} from '../team/config.js';

export const openUsage = `Usage: deploycockpit [open] FILE [options]

Opens the checklist in the cockpit, resuming its session.

Options:
  --theme NAME         dark (default), light, high-contrast, or a path to a theme .json
  --new                start a fresh session (the old one stays on disk)
  --take-over          become the writer even if another cockpit holds the session
  --prometheus URL     Prometheus for the metric tiles
  --rollback FILE      a separate rollback runbook for the R panel
  --dry-run            show what would run; run nothing
  --team URL           join a team session over Redis (with --session NAME, --as NAME; docs/team.md)
  --help, -h           this help

Keys: ? in the cockpit lists them all. User config: see the README.`;

export function parseOpenArgs(argv: string[]): OpenOptions | {help: true} {
	const {values, positionals} = parseArgs({
		args: argv,
		allowPositionals: true,
		strict: true,
		options: {
			theme: {type: 'string'},
			new: {type: 'boolean'},
			'take-over': {type: 'boolean'},
			prometheus: {type: 'string'},
			rollback: {type: 'string'},
			'dry-run': {type: 'boolean'},
			help: {type: 'boolean', short: 'h'},
			...teamFlags,
		},
	});
	if (values.help) return {help: true};
	if (positionals.length === 0) throw new UsageError('open needs a checklist FILE');
	if (positionals.length > 1) throw new UsageError(`one checklist at a time (got ${positionals.join(', ')})`);
	let team;
	try {
		team = teamConfig(values, process.env, teamFrontmatter(positionals[0]!));
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	return {
		file: positionals[0]!,
		theme: values.theme,
		newSession: values.new ?? false,
		takeOver: values['take-over'] ?? false,
		prometheus: values.prometheus,
		rollbackFile: values.rollback,
		dryRun: values['dry-run'] ?? false,
		...(team ? {team} : {}),
	};
}

class UsageError extends Error {}

export async function run(argv: string[]): Promise<number> {
	let parsed: OpenOptions | {help: true};
	try {
		parsed = parseOpenArgs(argv);
	} catch (error) {
		process.stderr.write(`deploycockpit: ${error instanceof Error ? error.message : String(error)}\n${openUsage}\n`);
		return 2;
	}
	if ('help' in parsed) {
		process.stdout.write(openUsage + '\n');
		return 0;
	}
	const options = parsed;
	if (!process.stdout.isTTY || !process.stdin.isTTY) {
		process.stderr.write('deploycockpit: the cockpit needs a terminal (for scripts: deploycockpit run / status)\n');
		return 2;
	}

	// Start loading the UI while the session opens (file reads overlap).
	const ui = loadUi();
	ui.catch(() => {});
	const {loadUserConfig} = await import('../store/user-config.js');
	const {config, problems} = loadUserConfig();
	const {loadTheme} = await import('../ui/theme.js');
	const theme = loadTheme(options.theme ?? config.theme ?? 'dark');
	const {openSession, flushChecklistCache} = await import('../session/open.js');
	// --prometheus reaches the promql steps through the runs' environment (process.env is left alone).
	const runEnv = options.prometheus ? {PROMETHEUS_URL: options.prometheus} : undefined;
	const opening = {fresh: options.newSession, takeOver: options.takeOver, deferCacheWrite: true, ...(runEnv ? {runEnv} : {})};
	// Team mode (and ioredis) loads only with --team.
	const session = options.team ? await (await import('../team/join.js')).openTeamSession(options.file, opening, options.team, {flushMs: 1000, headless: false}) : await openSession(options.file, opening);
	return runCockpit(session, options, config, theme, problems, await ui, flushChecklistCache);
}

/**
 * React picks its development or production build from NODE_ENV when it is
 * first loaded; the development build starts and renders several times
 * slower. The cockpit is not a React development environment, so unless the
 * user set NODE_ENV it loads the production build, and the variable is put
 * back right after so the steps' commands see the environment unchanged.
 */
async function loadUi() {
	// Through an alias: the bundle defines process.env.NODE_ENV for its dependencies.
	const env = process.env;
	const saved = env.NODE_ENV;
	if (saved === undefined) env.NODE_ENV = 'production';
	try {
		const [modules] = await Promise.all([
			Promise.all([import('ink'), import('react'), import('../ui/screen.js'), import('../ui/app.js'), import('../store/index.js')]),
			import('../ui/yoga-ready.js').then(m => m.yogaReady()),
		]);
		return modules;
	} finally {
		if (saved === undefined) delete env.NODE_ENV;
	}
}

async function runCockpit(
	session: SessionHandle,
	options: OpenOptions,
	config: import('../store/options.js').UserConfig,
	theme: import('../ui/theme.js').Theme,
	problems: string[],
	[{render}, React, {Screen}, {App}, store]: Awaited<ReturnType<typeof loadUi>>,
	afterFirstFrame: () => Promise<void>,
): Promise<number> {
	const screen = new Screen();
	// The cockpit is assembled here: the workflows (run flow, rollback runner, trigger watcher) are built once, then injected.
	const deps = store.cockpitDeps({
		session,
		options,
		config,
		now: () => Date.now(),
		terminal: {
			suspend: (work, suspendOptions) => screen.suspend(work, suspendOptions?.prompt ?? true),
			size: () => (process.stdout.columns && process.stdout.rows ? {cols: process.stdout.columns, rows: process.stdout.rows} : undefined),
			attach: async target => {
				const [{attachTerminal}, {chordBytes}, {buildBindings}] = await Promise.all([import('../ui/attach-terminal.js'), import('../ui/input/chord.js'), import('../ui/keymap.js')]);
				return attachTerminal(target, {stdin: process.stdin, stdout: process.stdout, leave: chordBytes(buildBindings(config.keymap).keysOf('leaveInteract')[0])});
			},
		},
	});
	const cockpit = store.createCockpitStore(deps);
	const notices = [...problems, ...session.notices];
	if (notices.length > 0) cockpit.getState().showFlash(notices.join(' · '), 'warn');
	// Engines (metrics polls, watchers) start right after the first frame.
	let stopEngines = () => {};

	let resolveQuit: (code: number) => void = () => {};
	const quit = new Promise<number>(resolve => (resolveQuit = resolve));
	// Ink gets a stand-in stdin: the key layer reads the real one, and a
	// component calling Ink's useInput must not steal raw input from it.
	const fakeStdin = Object.assign(new (await import('node:events')).EventEmitter(), {
		isTTY: true,
		setRawMode: () => {},
		setEncoding: () => {},
		ref: () => {},
		unref: () => {},
		resume: () => {},
		pause: () => {},
		read: () => null,
	}) as unknown as NodeJS.ReadStream;
	// debug: Ink hands every whole frame to the FrameWriter, which writes only
	// the changed lines (see frame-writer.ts for why not incrementalRendering).
	let instance: import('ink').Instance | undefined;
	const expedite = () => screen.writer.expedite();
	const mountApp = () => {
		instance = render(
			React.createElement(App, {store: cockpit, theme, input: screen.keys, keymap: config.keymap, onInput: expedite, onQuit: () => resolveQuit(0)}),
			{stdout: screen.writer.inkStdout, stdin: fakeStdin, stderr: process.stderr, debug: true, exitOnCtrlC: false, patchConsole: false},
		);
	};

	let finished = false;
	const finish = async (code: number) => {
		if (finished) return;
		finished = true;
		try {
			instance?.unmount();
		} catch {
			// Unmounting a broken tree must not keep the terminal raw.
		}
		screen.leave();
		stopEngines();
		// Runs are detached and keep going; closing only releases the lock and
		// watchers, and must not keep a cockpit whose terminal is gone alive.
		await Promise.race([session.close().catch(() => {}), new Promise(resolve => setTimeout(resolve, 1500))]);
		resolveQuit(code);
	};
	const exitSoon = (code: number) => {
		// Whatever happens in finish(), the process ends.
		setTimeout(() => process.exit(code), 2500);
		void finish(code).finally(() => process.exit(code));
	};
	const onTerm = () => exitSoon(143);
	const onHup = () => exitSoon(129);
	// While a `!` command has the terminal, a SIGINT (Ctrl-C without a PTY in between) is the command's.
	const onInt = () => {
		if (!screen.isSuspended) cockpit.getState().requestQuit(true);
	};
	let crashed = false;
	const onCrash = (error: unknown) => {
		if (crashed) return;
		crashed = true;
		screen.leave();
		// EIO/EPIPE on the terminal: it is gone (hang-up); there is nobody to tell.
		const code = (error as NodeJS.ErrnoException | undefined)?.code;
		if (code !== 'EIO' && code !== 'EPIPE') {
			try {
				process.stderr.write(`deploycockpit: crashed: ${error instanceof Error ? error.message : String(error)}\n`);
				if (process.env.DEPLOYCOCKPIT_DEBUG) console.error(error);
			} catch {
				// stderr gone too.
			}
		}
		exitSoon(code === 'EIO' || code === 'EPIPE' ? 129 : 1);
	};
	// A failed promise somewhere (a metrics poll, a panel) is shown, not fatal.
	const onRejection = (error: unknown) => cockpit.getState().showFlash(`internal error: ${error instanceof Error ? error.message : String(error)}`, 'error');
	const onExit = () => screen.leave();
	process.on('SIGTERM', onTerm);
	process.on('SIGHUP', onHup);
	process.on('SIGINT', onInt);
	process.on('uncaughtException', onCrash);
	process.on('unhandledRejection', onRejection);
	process.on('exit', onExit);

	screen.enter();
	mountApp();
	setImmediate(() => {
		if (!finished) stopEngines = store.startEngines(cockpit, deps);
		afterFirstFrame().catch(() => {});
		startupDone();
	});
	const code = await quit;
	await finish(code);
	process.off('SIGTERM', onTerm);
	process.off('SIGHUP', onHup);
	process.off('SIGINT', onInt);
	process.off('uncaughtException', onCrash);
	process.off('unhandledRejection', onRejection);
	process.off('exit', onExit);
	const running = Object.values(session.getState().steps).filter(r => r.status === 'running').length;
	if (running > 0) process.stdout.write(`deploycockpit: ${running} command${running === 1 ? '' : 's'} still running; reopen the checklist to reattach\n`);
	return code;
}
