#!/usr/bin/env node
// chalk reads FORCE_COLOR when it is first imported and ignores NO_COLOR,
// so the mapping has to happen before anything loads Ink.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') {
	process.env.FORCE_COLOR = '0';
}
const {main} = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));
