// The sql executor: one instance per runner (runner-executors.ts), which runs
// one block and closes its pool when the block ends.
import type {BlockExecutor} from '../types.js';
import {PoolCache} from './connection.js';
import {runSqlBlock} from './run.js';

export function createSqlExecutor(): BlockExecutor {
	const pools = new PoolCache();
	return {
		name: 'sql',
		run: (block, ctx) => runSqlBlock(block, ctx, pools),
		close: () => pools.close(),
	};
}
