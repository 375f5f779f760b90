// The redis executor runs in-process (not detached): one instance per session,
// so its connections are reused by every redis step of the session.
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
