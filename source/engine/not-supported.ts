import type {BlockExecutor} from './types.js';

/** Until an executor's real body lands, its blocks fail clearly instead of silently doing nothing. */
export function notSupportedExecutor(name: string): BlockExecutor {
	return {
		name,
		async run(_block, ctx) {
			const error = `${name} steps are not supported yet`;
			ctx.write(`deploycockpit: ${error}\n`);
			return {exitCode: null, error};
		},
	};
}
