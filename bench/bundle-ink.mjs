// The bench's bundled baseline: the minimal Ink app (fixtures/minimal-ink.mjs)
// built into one ESM file with the program's base esbuild settings
// (commonOptions: minified, production React, lazy built-ins), as any Ink app
// would be bundled; not with the program's own launcher and code cache.
import {join, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {commonOptions} from '../scripts/bundle-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleMinimalInk(outfile) {
	await build({...commonOptions(root), entryPoints: [join(root, 'bench', 'fixtures', 'minimal-ink.mjs')], outfile});
	return outfile;
}
