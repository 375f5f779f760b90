// Credentials come from the environment per request, go out as headers, and
// never appear in results, errors or the client object.
import {createServer, type IncomingHttpHeaders} from 'node:http';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {PrometheusClient, authHeader} from '../../source/metrics/prometheus.js';

let url = '';
const seen: IncomingHttpHeaders[] = [];
const server = createServer((req, res) => {
	seen.push(req.headers);
	if (req.url?.startsWith('/api/v1/query?query=denied')) {
		res.writeHead(401, {'content-type': 'text/plain'}).end('Unauthorized');
		return;
	}
	res.writeHead(200, {'content-type': 'application/json'});
	res.end(JSON.stringify({status: 'success', data: {resultType: 'vector', result: [{metric: {}, value: [1700000000, '1']}]}}));
});

beforeAll(async () => {
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const a = server.address();
	url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));

describe('Prometheus auth from the environment', () => {
	it('sends PROMETHEUS_TOKEN as a bearer token', async () => {
		const env = {PROMETHEUS_TOKEN: 'tok-123'};
		const client = new PrometheusClient({url, env});
		await client.query('up');
		expect(seen.at(-1)?.authorization).toBe('Bearer tok-123');
		expect(JSON.stringify(client)).not.toContain('tok-123');
	});

	it('sends PROMETHEUS_USER / PROMETHEUS_PASSWORD as basic auth, read at request time', async () => {
		const env: Record<string, string> = {PROMETHEUS_USER: 'ops', PROMETHEUS_PASSWORD: 'pw-1'};
		const client = new PrometheusClient({url, env});
		await client.query('up');
		expect(seen.at(-1)?.authorization).toBe(`Basic ${Buffer.from('ops:pw-1').toString('base64')}`);
		env.PROMETHEUS_PASSWORD = 'pw-2';
		await client.query('up');
		expect(seen.at(-1)?.authorization).toBe(`Basic ${Buffer.from('ops:pw-2').toString('base64')}`);
	});

	it('moves user:password out of the URL into the header and out of messages', async () => {
		const withCreds = url.replace('http://', 'http://ops:pw-in-url@');
		const client = new PrometheusClient({url: withCreds, env: {}});
		expect(client.base).not.toContain('pw-in-url');
		await client.query('up');
		expect(seen.at(-1)?.authorization).toBe(`Basic ${Buffer.from('ops:pw-in-url').toString('base64')}`);
		const error = (await client.query('denied').catch(e => e as Error)) as Error;
		expect(error).toMatchObject({kind: 'http'});
		expect(error.message).toMatch(/HTTP 401.*PROMETHEUS_TOKEN/);
		expect(error.message).not.toContain('pw-in-url');
	});

	it('sends nothing without credentials', () => {
		expect(authHeader({})).toBeUndefined();
	});
});
