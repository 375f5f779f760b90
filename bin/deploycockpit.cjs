#!/usr/bin/env node
'use strict';
// The installed command: the whole program is one bundled file,
// dist/deploycockpit.mjs (npm run bundle). It is run through its launcher as
// CommonJS (scripts/launcher-core.cjs), not imported as an ES module: Node
// would load and scan all of that file as a module first (~10 ms of every
// start), and the runners of steps start the same way.
require('../scripts/launcher-core.cjs').launch(require('node:path').join(__dirname, '..', 'dist', 'deploycockpit.mjs'));
