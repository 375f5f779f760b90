#!/usr/bin/env node
// The installed command: the whole program is one bundled file,
// dist/deploycockpit.mjs (npm run bundle), which compiles itself with a V8
// code cache in the user's cache directory (scripts/launcher.mjs). The
// detached runner is the same file started with --runner.
import '../dist/deploycockpit.mjs';
