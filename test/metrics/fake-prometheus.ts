// A stand-in Prometheus HTTP API on 127.0.0.1 for store and UI tests, where a
// real Prometheus would make values (and so frames) unpredictable. The real
// one is exercised in prometheus.test.ts.
import {createServer, type Server} from 'node:http';

export interface FakePrometheus {
	url: string;
	/** Current value per query text; a missing query answers an empty vector. */
	values: Map<string, number>;
	/** Firing alerts by name. */
	alerts: string[];
	down: number;
	requests: number;
	/** Answers nothing while true (connections hang). */
	hang: boolean;
	close(): Promise<void>;
	/** Stops listening (connection refused) and starts again on the same port. */
	stop(): Promise<void>;
	start(): Promise<void>;
}

export async function startFakePrometheus(values: Record<string, number> = {}): Promise<FakePrometheus> {
	let server: Server | null = null;
	let port = 0;
	const fake: FakePrometheus = {
		url: '',
		values: new Map(Object.entries(values)),
		alerts: [],
		down: 0,
		requests: 0,
		hang: false,
		close: async () => fake.stop(),
		async stop() {
			const s = server;
			server = null;
			if (!s) return;
			s.closeAllConnections();
			await new Promise<void>(resolve => s.close(() => resolve()));
		},
		async start() {
			const s = createServer((req, res) => {
				fake.requests++;
				if (fake.hang) return;
				const u = new URL(req.url ?? '/', 'http://x');
				const now = Date.now() / 1000;
				const send = (data: unknown) => {
					res.writeHead(200, {'content-type': 'application/json'});
					res.end(JSON.stringify({status: 'success', data}));
				};
				const query = u.searchParams.get('query') ?? '';
				switch (u.pathname) {
					case '/api/v1/query': {
						if (query.includes('(((')) {
							res.writeHead(400, {'content-type': 'application/json'});
							res.end(JSON.stringify({status: 'error', errorType: 'bad_data', error: '1:4: parse error: unclosed left parenthesis'}));
							return;
						}
						const v = fake.values.get(query);
						send({resultType: 'vector', result: v === undefined ? [] : [{metric: {}, value: [now, String(v)]}]});
						return;
					}
					case '/api/v1/query_range':
						send({resultType: 'matrix', result: []});
						return;
					case '/api/v1/alerts':
						send({alerts: fake.alerts.map(name => ({labels: {alertname: name}, annotations: {}, state: 'firing', activeAt: new Date().toISOString(), value: '1'}))});
						return;
					case '/api/v1/targets':
						send({activeTargets: [{labels: {job: 'shop', instance: 'a:1'}, health: 'up'}, ...Array.from({length: fake.down}, (_, i) => ({labels: {job: 'shop', instance: `d${i}:1`}, health: 'down', lastError: 'refused'}))]});
						return;
				}
				res.writeHead(404).end();
			});
			await new Promise<void>(resolve => s.listen(port, '127.0.0.1', resolve));
			const a = s.address();
			port = typeof a === 'object' && a ? a.port : 0;
			fake.url = `http://127.0.0.1:${port}`;
			server = s;
		},
	};
	await fake.start();
	return fake;
}
