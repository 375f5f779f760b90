// Stub: the redis executor's owner replaces this body. Runs in-process (not detached).
import type {BlockExecutor} from '../types.js';
import {notSupportedExecutor} from '../not-supported.js';

export function createRedisExecutor(): BlockExecutor {
	return notSupportedExecutor('redis');
}
