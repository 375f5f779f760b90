// The redis executor: one instance per runner (runner-executors.ts), which runs
// one block and closes its connection when the block ends.
import type {BlockExecutor} from '../types.js';
import {RedisConnections} from './connection.js';
import {runRedisBlock} from './run.js';

export function createRedisExecutor(): BlockExecutor {
	const connections = new RedisConnections();
	return {
		name: 'redis',
		run: (block, ctx) => runRedisBlock(block, ctx, connections),
		close: () => connections.close(),
	};
}
