'use strict';
// The launcher of dist/deploycockpit.mjs, in two hosts: scripts/bundle.mjs
// writes this text into the head of that file (after an ES module prelude that
// defines `require`), and the installed command (bin/deploycockpit.cjs) and
// the detached runner load it as this CommonJS file. The file it launches is
// laid out as
//
//   <head: a prelude, this text>
//   launch(<the file's own path>, "<build hash>");
//   /*<the runner program>*/
//   /*<the whole program>*/
//
// Two programs, each built by esbuild (programOptions in bundle-options.mjs),
// each packed in a block comment: the runner's (source/runner-main.ts: the
// detached runner that runs a step, ~0.3 MB) and the whole program's
// (source/main.ts, ~1.4 MB). The launcher finds the comments after the first
// occurrence of the build hash (the call), so an edit above it does not move
// them, and reads the part it runs back from the file. A comment, not a string
// literal: V8 skips a comment quickly but copies and internalises a 1.5 MB
// literal. The file is ASCII and a comment cannot end early: in a program's
// text \x01 escapes `*/` as `*\x01/`, each non-ASCII UTF-16 unit as `\x01u`
// and four hex digits, and itself as \x01\x01 (unpack below).
//
// Why the CommonJS host: started as `node deploycockpit.mjs`, Node loads the
// file as an ES module, which costs ~6 ms more than a CommonJS entry and
// makes V8 read and scan all 1.8 MB of it (~5 ms) before this text even
// runs. The installed command and its runners start here instead and read
// only what they run: a runner reads the head and its own program, ~0.3 MB.
// A copy of the single file on its own (a bastion) still runs as it is.
//
// Why not simply an ES module: Node 20 has no compile cache for modules, so
// V8 compiled the 1.4 MB program on every start, and again each function the
// start-up ran. A program is compiled here as a classic script through
// node:vm with a V8 code cache: the bytecode of the top level and of every
// function compiled up to the cache's creation, read back on the next start.
// That works the same on Node 20, 22 and 24 (module.enableCompileCache, 22.8+,
// would only cover this small launcher).
//
// The cache: $XDG_CACHE_HOME/deploycockpit/code-cache (~/.cache/... without
// it), a directory of the user's own (0700; one that another user owns or can
// write is not used), one file per command (`open`, `outline`, `run`, ... and
// `runner`, the detached runner that runs steps: each holds the functions its
// own start ran), named after the file's path and keyed by the build's hash,
// the file's size and mtime (a hand-edited copy gets a new cache), the Node
// version and the architecture. Each file starts with a SHA-1 of the V8 data:
// V8 checks versions, flags and the source's length but not the bytes, and a
// damaged cache would crash the process. A missing, damaged or rejected cache
// means compiling as before, and a new cache is written: for the cockpit once
// its first frame is on screen (source/startup.ts tells), for the other
// commands and the runner when the process exits. DEPLOYCOCKPIT_CODE_CACHE=0
// turns it off.
const {closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync} = require('node:fs');
const {homedir} = require('node:os');
const {join} = require('node:path');
const {pathToFileURL} = require('node:url');
const {Script} = require('node:vm');

const MAGIC = 'deploycockpit code cache 1\n';
const COMMANDS = new Set(['open', 'outline', 'validate', 'run', 'status', 'sessions', 'report']);
/** What the cockpit calls once its first frame is drawn (source/startup.ts). */
const STARTUP_DONE = Symbol.for('deploycockpit.startup-done');
/** Where a runner started here waits for the program (source/engine/launch.ts adopts it). */
const PRESTARTED = Symbol.for('deploycockpit.prestarted-runner');
/** How the program starts a runner, when there is a faster way than `node FILE --runner` (source/engine/runner-command.ts). */
const RUNNER_ARGV = Symbol.for('deploycockpit.runner-argv');
/** Linux's O_TMPFILE (with O_DIRECTORY), as in source/engine/launch.ts. */
const O_TMPFILE = 0o20000000 | 0o200000;

/**
 * Which start this is: 'runner' or 'procedure' for the detached modes (only
 * when the file itself is started with the flag alone, never through the
 * installed command with a user's arguments), a command's name, or undefined
 * for a start not worth a cache (--help, --version, usage errors).
 */
function startKind(file, argv) {
	if (process.argv[1] === file && argv.length === 1 && argv[0] === '--runner') return 'runner';
	// The detached rollback procedure (source/engine/procedure.ts): the whole program, its own cache.
	if (process.argv[1] === file && argv.length === 1 && argv[0] === '--procedure') return 'procedure';
	const first = argv[0];
	if (first === undefined || first.startsWith('-')) return undefined;
	return COMMANDS.has(first) ? first : 'open';
}

// node:crypto costs ~4 ms to load: only once a cache is there to check or write.
const sha1 = data => require('node:crypto').createHash('sha1').update(data).digest('hex');

function cacheDir() {
	const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
	return join(base, 'deploycockpit', 'code-cache');
}

/** Only a directory of our own that nobody else can write into. */
function trusted(dir) {
	const st = statSync(dir);
	return st.isDirectory() && (st.mode & 0o022) === 0 && (typeof process.getuid !== 'function' || st.uid === process.getuid());
}

/** The V8 data in `path`, or undefined when it is missing, damaged or not ours. */
function readCache(dir, path) {
	try {
		if (!trusted(dir)) return undefined;
		const bytes = readFileSync(path);
		const head = MAGIC.length;
		if (bytes.length <= head + 41 || bytes.toString('latin1', 0, head) !== MAGIC) return undefined;
		const data = bytes.subarray(head + 41);
		return bytes.toString('latin1', head, head + 40) === sha1(data) ? data : undefined;
	} catch {
		return undefined;
	}
}

function writeCache(dir, path, prefix, data) {
	try {
		mkdirSync(dir, {recursive: true, mode: 0o700});
		if (!trusted(dir)) return;
		const partial = `${path}.${process.pid}.tmp`;
		writeFileSync(partial, Buffer.concat([Buffer.from(`${MAGIC}${sha1(data)}\n`, 'latin1'), data]), {mode: 0o600});
		renameSync(partial, path);
		// This file's older caches for the same command (earlier builds, edits),
		// and any cache nobody has written for a month (copies since deleted).
		const month = Date.now() - 30 * 24 * 3600 * 1000;
		for (const name of readdirSync(dir)) {
			const other = join(dir, name);
			if (other === path) continue;
			if ((name.startsWith(prefix) && !name.endsWith('.tmp')) || statSync(other).mtimeMs < month) unlinkSync(other);
		}
	} catch {
		// A cache we cannot write only costs speed.
	}
}

/**
 * The text of `file` up to the end of its runner program (`which` 'runner'),
 * or all of it: the runner's part is read in pieces from the start, so a
 * runner never reads the 1.4 MB it does not run.
 */
function readText(file, which) {
	if (which !== 'runner') return readFileSync(file, 'latin1');
	const fd = openSync(file, 'r');
	try {
		const chunks = [];
		let text = '';
		for (let at = 0, size = 256 * 1024; ; size = 512 * 1024) {
			const buffer = Buffer.allocUnsafe(size);
			const n = readSync(fd, buffer, 0, size, at);
			if (n === 0) return text;
			chunks.push(buffer.toString('latin1', 0, n));
			at += n;
			text = chunks.length === 1 ? chunks[0] : chunks.join('');
			// The runner's comment ends at its first `*/` after the call: the packing leaves none inside.
			const call = LAUNCH_CALL.exec(text);
			if (call && text.indexOf('*/', call.index + call[0].length) !== -1) return text;
		}
	} finally {
		closeSync(fd);
	}
}

/** The call that ends the head, naming the build hash, right before the runner's comment. */
const LAUNCH_CALL = /\nlaunch\([^\n]*"([0-9a-f]{64})"\);\n\/\*/;

/** The build hash named by the launch call in `text` (the CommonJS host reads it from the file). */
function hashIn(text) {
	const found = LAUNCH_CALL.exec(text);
	return found ? found[1] : undefined;
}

/** The program text of `which` ('runner' or 'program') in `text`: the comment after the call that names `buildHash`. */
function unpackText(text, buildHash, which) {
	const call = text.indexOf(`"${buildHash}")`);
	if (call === -1) throw new Error('deploycockpit: this file is damaged (its program is missing)');
	const runnerStart = text.indexOf('/*', call) + 2;
	const runnerEnd = text.indexOf('*/', runnerStart);
	const start = which === 'runner' ? runnerStart : text.indexOf('/*', runnerEnd) + 2;
	const end = which === 'runner' ? runnerEnd : text.lastIndexOf('*/');
	if (start < 2 || end < start) throw new Error('deploycockpit: this file is damaged (its program is cut short)');
	const packed = text.slice(start, end);
	// A few dozen escapes in 1.4 MB: indexOf finds them faster than a regular expression.
	let app = '';
	let at = 0;
	for (let i = packed.indexOf('\x01'); i !== -1; i = packed.indexOf('\x01', at)) {
		const unit = packed[i + 1] === 'u';
		app += packed.slice(at, i) + (unit ? String.fromCharCode(parseInt(packed.slice(i + 2, i + 6), 16)) : packed[i + 1]);
		at = i + (unit ? 6 : 2);
	}
	return app + packed.slice(at);
}

/** A program of `file` ('runner' or 'program', the default), as the launcher runs it. */
function unpack(file, buildHash, which = 'program') {
	return unpackText(readText(file, which), buildHash, which);
}

/**
 * `run` starts its detached runner here, before the program is read and
 * compiled: the runner's own Node start (~35 ms) then overlaps the ~25 ms this
 * process needs to reach the same point in the program. Exactly what
 * prestartRunner in source/engine/launch.ts does, which adopts this one: the
 * runner waits, holding an empty unnamed file in /dev/shm as its stdin, until
 * the program hands it a spec and says go on fd 3, or fd 3 ends (no run: a
 * usage error, a refused step, this process gone) and it exits having touched
 * nothing. Not for --dry-run or --help, which run nothing; anything going
 * wrong here only means that the program starts its runner itself.
 */
function prestartRunner(runnerArgv, argv) {
	if (process.platform !== 'linux' || argv.some(a => a === '--dry-run' || a === '--help' || a === '-h')) return;
	const {constants} = require('node:fs');
	let specFd;
	try {
		specFd = openSync('/dev/shm', constants.O_RDWR | O_TMPFILE, 0o600);
	} catch {
		return;
	}
	try {
		const env = {...process.env, NODE_OPTIONS: '', DEPLOYCOCKPIT_RUNNER_WAIT: '1'};
		delete env.NODE_EXTRA_CA_CERTS;
		const child = require('node:child_process').spawn(process.execPath, runnerArgv, {detached: true, stdio: [specFd, 'ignore', 'ignore', 'pipe'], env});
		child.on('error', () => undefined);
		child.unref();
		const channel = child.stdio[3];
		if (!channel || child.pid === undefined) throw new Error('no runner');
		channel.on('error', () => undefined);
		channel.unref?.();
		globalThis[PRESTARTED] = {child, specFd, channel};
	} catch {
		closeSync(specFd);
	}
}

/**
 * Runs `file`'s program for this start. `buildHash` is given by the file's
 * own head; the CommonJS host finds it in the file. `kind` overrides
 * startKind (the runner started through this file).
 */
function launch(file, buildHash, kind = startKind(file, process.argv.slice(2))) {
	// The runner through this CommonJS file, when there is one on disk (not in the file's own head).
	const viaCore = typeof __filename === 'string' && __filename.endsWith('.cjs') ? [__filename, file, '--runner'] : undefined;
	if (viaCore) globalThis[RUNNER_ARGV] = viaCore;
	if (kind === 'run') prestartRunner(viaCore ?? [file, '--runner'], process.argv.slice(3));
	const which = kind === 'runner' ? 'runner' : 'program';
	const text = readText(file, which);
	buildHash ??= hashIn(text);
	if (!buildHash) throw new Error(`deploycockpit: ${file} is not a deploycockpit bundle`);
	const app = unpackText(text, buildHash, which);
	const cached = process.env.DEPLOYCOCKPIT_CODE_CACHE === '0' ? undefined : kind;
	let dir;
	let path;
	let prefix;
	let cachedData;
	if (cached) {
		try {
			const st = statSync(file);
			dir = cacheDir();
			prefix = `${cached}-${sha1(file).slice(0, 12)}-`;
			path = join(dir, `${prefix}${sha1([buildHash, st.size, st.mtimeMs, process.version, process.arch].join('\0')).slice(0, 16)}.v8`);
			cachedData = readCache(dir, path);
		} catch {
			path = undefined;
		}
	}
	const script = new Script(app, {filename: file, cachedData});
	if (path && (cachedData === undefined || script.cachedDataRejected)) {
		let saved = false;
		const save = () => {
			if (saved) return;
			saved = true;
			writeCache(dir, path, prefix, script.createCachedData());
		};
		if (kind === 'open') {
			// After the first frame: the functions that drew it are compiled by then.
			// A little later, so the write does not delay the frame's follow-up work.
			globalThis[STARTUP_DONE] = () => {
				setTimeout(save, 250).unref();
				process.once('exit', save);
			};
		} else {
			process.once('exit', save);
		}
	}
	const url = pathToFileURL(file).href;
	script.runInThisContext()(require('node:module').createRequire(url), url);
}

if (typeof module === 'object' && module && module.exports) {
	module.exports = {launch, unpack, hashIn};
	// `node launcher-core.cjs FILE --runner`: a detached runner, started by the program (RUNNER_ARGV).
	if (require.main === module && process.argv.length === 4 && process.argv[3] === '--runner') launch(process.argv[2], undefined, 'runner');
}
