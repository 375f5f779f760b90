// A real ExecContext for executor tests: collects what the executor writes.
import type {Block} from '../../source/checklist/model.js';
import type {ExecContext} from '../../source/engine/types.js';

export function sqlBlock(code: string, line = 10, executor: 'sql' | 'redis' = 'sql'): Block {
	return {lang: executor === 'sql' ? 'sql' : 'redis', executor, line, code, inline: false};
}

export interface TestContext {
	ctx: ExecContext;
	output(): string;
	abort(): void;
}

export function makeContext(options: {env?: Record<string, string>; settings?: Record<string, unknown>; confirmed?: boolean} = {}): TestContext {
	const controller = new AbortController();
	let out = '';
	const env: Record<string, string> = {};
	// Only PATH/HOME from the real environment: a developer's DATABASE_URL or PG* must not leak in.
	for (const name of ['PATH', 'HOME']) if (process.env[name]) env[name] = process.env[name]!;
	return {
		ctx: {
			cwd: process.cwd(),
			env: {...env, ...options.env},
			settings: options.settings ?? {},
			signal: controller.signal,
			write: chunk => {
				out += chunk;
			},
			confirmed: options.confirmed ?? false,
		},
		output: () => out,
		abort: () => controller.abort(),
	};
}
