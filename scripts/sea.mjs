#!/usr/bin/env node
// `npm run sea`: a single executable (Node's SEA) of the bundle for the
// machine's platform: dist/deploycockpit, this Node binary with the bundle
// and scripts/sea-launcher.cjs injected (by postject, fetched by npx: it is
// needed for nothing else). Needs Node >= 20.12 (SEA assets). Run
// `npm run bundle` first.
import {execFileSync} from 'node:child_process';
import {chmodSync, copyFileSync, existsSync, rmSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const bundle = join(dist, 'deploycockpit.mjs');
if (!existsSync(bundle)) throw new Error('dist/deploycockpit.mjs is missing: run npm run bundle first');
const config = join(dist, 'sea-config.json');
const blob = join(dist, 'sea-prep.blob');
const out = join(dist, 'deploycockpit');
writeFileSync(config, JSON.stringify({main: join(root, 'scripts', 'sea-launcher.cjs'), output: blob, disableExperimentalSEAWarning: true, assets: {'deploycockpit.mjs': bundle}}));
execFileSync(process.execPath, ['--experimental-sea-config', config], {stdio: 'inherit'});
copyFileSync(process.execPath, out);
chmodSync(out, 0o755);
execFileSync('npx', ['--yes', 'postject@1.0.0-alpha.6', out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], {stdio: 'inherit'});
rmSync(blob);
rmSync(config);
process.stderr.write(`sea: ${out.slice(root.length + 1)}\n`);
