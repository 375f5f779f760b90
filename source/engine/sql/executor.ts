// Stub: the sql executor's owner replaces this body. Runs in-process (not detached).
import type {BlockExecutor} from '../types.js';
import {notSupportedExecutor} from '../not-supported.js';

export function createSqlExecutor(): BlockExecutor {
	return notSupportedExecutor('sql');
}
