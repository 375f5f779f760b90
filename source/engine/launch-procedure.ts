// Starts the detached rollback procedure (procedure.ts) the way launch.ts
// starts a runner: the spec (environment and secrets included) in an unnamed
// in-memory file that becomes its stdin, its own session, nothing that keeps
// the cockpit waiting for it. Its own errors go to runs/<rollbackId>.procedure.log.
import {spawn} from 'node:child_process';
import {closeSync, existsSync, openSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {unnamedFile} from './launch.js';
import type {ProcedureSpec} from './procedure-files.js';
import {procedureArgv} from './runner-command.js';

/** dist/engine/procedure.js; from the TypeScript sources (tests) the built copy is used. */
export function procedurePath(): string {
	const here = dirname(fileURLToPath(import.meta.url));
	const beside = join(here, 'procedure.js');
	if (existsSync(beside)) return beside;
	const built = resolve(here, '../../dist/engine/procedure.js');
	if (existsSync(built)) return built;
	throw new Error(`the rollback procedure is not built (${built}); run npm run build`);
}

/** Spawns the procedure; resolves once it runs (or failed to start, which the caller sees as no procedure file). */
export function launchProcedure(spec: ProcedureSpec): Promise<number | undefined> {
	const specFd = unnamedFile(JSON.stringify(spec));
	let child;
	try {
		const errFd = openSync(spec.file.replace(/\.json$/, '.log'), 'a', 0o600);
		try {
			child = spawn(process.execPath, procedureArgv(procedurePath), {
				detached: true,
				stdio: [specFd, 'ignore', errFd],
				env: {...process.env, NODE_OPTIONS: ''},
			});
		} finally {
			closeSync(errFd);
		}
	} finally {
		closeSync(specFd);
	}
	child.on('error', () => undefined);
	child.unref();
	return new Promise(resolve => {
		child.once('spawn', () => resolve(child.pid));
		child.once('error', () => resolve(undefined));
	});
}
