// Executors other than shell: sql, redis, promql. They run inside the
// detached runner (runner-executors.ts), one block per runner, so a run
// outlives the cockpit like a shell run. Each is imported on first use so a
// shell run (or a checklist without sql) never loads pg or ioredis.
import type {Executor} from '../checklist/model.js';
import type {BlockExecutor} from './types.js';

type Factory = () => Promise<BlockExecutor>;

const factories: Record<Exclude<Executor, 'shell'>, Factory> = {
	sql: async () => (await import('./sql/executor.js')).createSqlExecutor(),
	redis: async () => (await import('./redis/executor.js')).createRedisExecutor(),
	promql: async () => (await import('./promql-executor.js')).createPromqlExecutor(),
};

/** One instance per executor name per registry (a runner owns one); close() ends its connections. */
export class ExecutorRegistry {
	private readonly instances = new Map<string, Promise<BlockExecutor>>();

	get(name: Exclude<Executor, 'shell'>): Promise<BlockExecutor> {
		let instance = this.instances.get(name);
		if (!instance) {
			const factory = factories[name];
			if (!factory) return Promise.reject(new Error(`no executor named ${name}`));
			instance = factory();
			this.instances.set(name, instance);
		}
		return instance;
	}

	async close(): Promise<void> {
		const all = [...this.instances.values()];
		this.instances.clear();
		await Promise.allSettled(all.map(async p => (await p).close?.()));
	}
}
