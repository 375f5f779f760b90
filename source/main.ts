// The entry of the single-file program (dist/deploycockpit.mjs, built by
// scripts/bundle.mjs). Everything else is imported dynamically, which esbuild
// turns into lazily initialised parts of the one file: only the command's
// modules run. The program is a classic script (scripts/launcher-core.cjs
// compiles it with a V8 code cache), so there is no top-level await here.
import {fileURLToPath} from 'node:url';
import {PROCEDURE_FLAG, runRunnerFromBundle} from './engine/runner-command.js';

const self = fileURLToPath(import.meta.url);

async function start(): Promise<void> {
	// Runner mode (`node deploycockpit.mjs --runner`) never gets here: the
	// launcher runs the runner's own program (source/runner-main.ts) instead.
	if (process.argv[1] === self && process.argv[2] === PROCEDURE_FLAG && process.argv.length === 3) {
		// A rollback procedure (procedure.ts): it launches its steps' runners from this same file.
		runRunnerFromBundle(self);
		await import('./engine/procedure.js');
		return;
	}
	// chalk reads FORCE_COLOR when it is first imported and ignores NO_COLOR,
	// so the mapping has to happen before anything loads Ink.
	if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') process.env.FORCE_COLOR = '0';
	runRunnerFromBundle(self);
	const {main} = await import('./cli.js');
	process.exitCode = await main(process.argv.slice(2));
}

void start();
