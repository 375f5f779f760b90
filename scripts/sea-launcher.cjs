// The launcher of the single executable (Node SEA, `npm run sea`). A SEA's
// main script must be CommonJS and cannot hold the ESM bundle (top-level
// await), so the bundle is an asset: written once, by its hash, into the
// user's own cache directory (0700, never a shared /tmp path another user
// could plant), then imported. process.argv is made to look like
// `node deploycockpit.mjs ARGS`, so the bundle's runner mode works as is: it
// starts the runner as `<this executable> <extracted file> --runner`.
const sea = require('node:sea');
const {createHash} = require('node:crypto');
const {chmodSync, existsSync, mkdirSync, renameSync, statSync, writeFileSync} = require('node:fs');
const {homedir} = require('node:os');
const {join} = require('node:path');
const {pathToFileURL} = require('node:url');

const source = sea.getAsset('deploycockpit.mjs', 'utf8');
const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'deploycockpit');
mkdirSync(dir, {recursive: true, mode: 0o700});
if ((statSync(dir).mode & 0o022) !== 0 || statSync(dir).uid !== process.getuid()) chmodSync(dir, 0o700);
const file = join(dir, `sea-${hash}.mjs`);
if (!existsSync(file)) {
	const partial = `${file}.${process.pid}.tmp`;
	writeFileSync(partial, source, {mode: 0o600});
	renameSync(partial, file);
}
// A SEA sees [exe, exe, ARGS]; the runner is started as [exe, exe, file, --runner].
const args = process.argv.slice(2);
if (args[0] === file) args.shift();
process.argv = [process.argv[0], file, ...args];
import(pathToFileURL(file).href).catch(error => {
	process.stderr.write(`deploycockpit: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
