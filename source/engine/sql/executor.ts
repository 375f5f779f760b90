// The sql executor runs in-process (not detached): one instance per session,
// so its connection pools are reused by every sql step of the session.
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
