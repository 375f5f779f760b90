#!/usr/bin/env node
// The installed command: the whole program is one bundled file,
// dist/deploycockpit.mjs (npm run bundle). On Node >= 22.8 V8's compiled code
// is cached on disk between starts; enabling it here, before the bundle is
// loaded, is what makes it apply to the bundle (on Node 20 there is no such
// API and this does nothing). The detached runner is the same file started
// with --runner.
import module from 'node:module';
import {homedir} from 'node:os';
import {join} from 'node:path';

try {
	// In the user's own cache directory, not Node's default under the shared /tmp.
	module.enableCompileCache?.(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'deploycockpit', 'compile-cache'));
} catch {
	// A cache directory we cannot write only costs speed.
}
await import('../dist/deploycockpit.mjs');
