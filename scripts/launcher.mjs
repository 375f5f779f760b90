// The head of dist/deploycockpit.mjs. scripts/bundle.mjs writes this file's
// text, then one call `launch(import.meta.url, BUILD_HASH)`, then the whole
// program (source/main.ts and its dependencies, built by programOptions in
// bundle-options.mjs) in one block comment that opens right after that call
// and ends the file: the file stays one file to copy. The launcher finds the
// comment after the first occurrence of the build hash (the call), so an edit
// above it does not move it. The launcher reads that part back from its own
// file. A comment, not a string literal: V8 skips a comment quickly but copies
// and internalises a 1.5 MB literal (~10 ms more on every start). The file is
// ASCII and the comment cannot end early: in the program text \x01 escapes
// `*/` as `*\x01/`, each non-ASCII UTF-16 unit as `\x01u` and four hex
// digits, and itself as \x01\x01 (unpack below).
//
// Why not simply an ES module: Node 20 has no compile cache for modules, so
// V8 compiled the 1.4 MB program on every start, and again each function the
// start-up ran. The program is compiled here as a classic script through
// node:vm with a V8 code cache: the bytecode of the top level and of every
// function compiled up to the cache's creation, read back on the next start.
// That works the same on Node 20, 22 and 24 (module.enableCompileCache, 22.8+,
// would only cover this small launcher).
//
// The cache: $XDG_CACHE_HOME/deploycockpit/code-cache (~/.cache/... without
// it), a directory of the user's own (0700; one that another user owns or can
// write is not used), one file per command (`open`, `outline`, `run`, ... and
// `runner`, the detached runner that runs steps: each holds the functions its
// own start ran), named after this file's path and keyed by the build's hash,
// the file's size and mtime (a hand-edited copy gets a new cache), the Node
// version and the architecture. Each file starts with a SHA-1 of the V8 data:
// V8 checks versions, flags and the source's length but not the bytes, and a
// damaged cache would crash the process. A missing, damaged or rejected cache
// means compiling as before, and a new cache is written: for the cockpit once
// its first frame is on screen (source/startup.ts tells), for the other
// commands and the runner when the process exits. DEPLOYCOCKPIT_CODE_CACHE=0
// turns it off.
import {createHash} from 'node:crypto';
import {mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {Script} from 'node:vm';

const MAGIC = 'deploycockpit code cache 1\n';
const COMMANDS = new Set(['open', 'outline', 'validate', 'run', 'status', 'sessions', 'report']);
/** What the cockpit calls once its first frame is drawn (source/startup.ts). */
const STARTUP_DONE = Symbol.for('deploycockpit.startup-done');

/** Which start this is, or undefined for one not worth a cache (--help, --version, usage errors). */
function startKind(file, argv) {
	// Exactly how source/main.ts recognises runner mode.
	if (process.argv[1] === file && argv.length === 1 && argv[0] === '--runner') return 'runner';
	// The detached rollback procedure (source/engine/procedure.ts) keeps its own cache too.
	if (process.argv[1] === file && argv.length === 1 && argv[0] === '--procedure') return 'procedure';
	const first = argv[0];
	if (first === undefined || first.startsWith('-')) return undefined;
	return COMMANDS.has(first) ? first : 'open';
}

const sha1 = data => createHash('sha1').update(data).digest('hex');

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

/** The program text of this file: the comment after the call that names `buildHash`. */
export function unpack(file, buildHash) {
	const text = readFileSync(file, 'latin1');
	const start = text.indexOf('/*', text.indexOf(`"${buildHash}")`)) + 2;
	const packed = text.slice(start, text.lastIndexOf('*/'));
	// A few dozen escapes in 1.5 MB: indexOf finds them faster than a regular expression.
	let app = '';
	let at = 0;
	for (let i = packed.indexOf('\x01'); i !== -1; i = packed.indexOf('\x01', at)) {
		const unit = packed[i + 1] === 'u';
		app += packed.slice(at, i) + (unit ? String.fromCharCode(parseInt(packed.slice(i + 2, i + 6), 16)) : packed[i + 1]);
		at = i + (unit ? 6 : 2);
	}
	return app + packed.slice(at);
}

export function launch(url, buildHash) {
	const file = fileURLToPath(url);
	const app = unpack(file, buildHash);
	const kind = process.env.DEPLOYCOCKPIT_CODE_CACHE === '0' ? undefined : startKind(file, process.argv.slice(2));
	let dir;
	let path;
	let prefix;
	let cachedData;
	if (kind) {
		try {
			const st = statSync(file);
			dir = cacheDir();
			prefix = `${kind}-${sha1(file).slice(0, 12)}-`;
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
	script.runInThisContext()(createRequire(url), url);
}
