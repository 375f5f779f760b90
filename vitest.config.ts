import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		testTimeout: 30_000,
		hookTimeout: 60_000,
		// Integration tests start real servers and processes; two cores only.
		fileParallelism: true,
		maxWorkers: 2,
		reporters: ['default'],
	},
});
