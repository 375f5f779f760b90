// The node:http GET the Prometheus client uses instead of fetch: it must keep
// what fetch did (redirects without leaking credentials to another origin,
// compressed answers, abort) and reuse its connection between polls.
import {createServer, type IncomingHttpHeaders, type Server} from 'node:http';
import {gzipSync} from 'node:zlib';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {httpGet} from '../../source/metrics/http-get.js';

interface Stand {
	server: Server;
	url: string;
	seen: IncomingHttpHeaders[];
	connections: number;
}

function stand(handler: (path: string, res: import('node:http').ServerResponse) => void): Promise<Stand> {
	const s: Stand = {server: undefined as unknown as Server, url: '', seen: [], connections: 0};
	s.server = createServer((req, res) => {
		s.seen.push(req.headers);
		handler(req.url ?? '/', res);
	});
	s.server.on('connection', () => s.connections++);
	return new Promise(resolve => s.server.listen(0, '127.0.0.1', () => {
		const a = s.server.address();
		s.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
		resolve(s);
	}));
}

let other: Stand;
let main: Stand;

beforeAll(async () => {
	other = await stand((_path, res) => void res.writeHead(200).end('other'));
	main = await stand((path, res) => {
		if (path === '/gzip') {
			res.writeHead(200, {'content-encoding': 'gzip'}).end(gzipSync('{"status":"success"}'));
		} else if (path === '/here') {
			res.writeHead(302, {location: '/plain'}).end();
		} else if (path === '/away') {
			res.writeHead(302, {location: `${other.url}/x`}).end();
		} else if (path === '/hang') {
			res.flushHeaders();
		} else {
			res.writeHead(200).end('plain');
		}
	});
});
afterAll(async () => {
	for (const s of [main, other]) {
		s.server.closeAllConnections();
		await new Promise(r => s.server.close(r));
	}
});

describe('httpGet', () => {
	it('decodes a gzip answer', async () => {
		const answer = await httpGet(`${main.url}/gzip`, {});
		expect(answer).toEqual({status: 200, ok: true, text: '{"status":"success"}'});
	});

	it('follows a redirect on the same origin with the authorization header', async () => {
		const answer = await httpGet(`${main.url}/here`, {authorization: 'Bearer t-1'});
		expect(answer.text).toBe('plain');
		expect(main.seen.at(-1)?.authorization).toBe('Bearer t-1');
	});

	it('drops the authorization header when a redirect leaves the origin', async () => {
		const answer = await httpGet(`${main.url}/away`, {authorization: 'Bearer t-2'});
		expect(answer.text).toBe('other');
		expect(other.seen.at(-1)?.authorization).toBeUndefined();
		expect(main.seen.at(-1)?.authorization).toBe('Bearer t-2');
	});

	it('reuses its connection between requests', async () => {
		await httpGet(`${main.url}/plain`, {});
		const before = main.connections;
		for (let i = 0; i < 3; i++) expect((await httpGet(`${main.url}/plain`, {})).text).toBe('plain');
		expect(main.connections).toBe(before);
	});

	it('ends a hanging request when its signal aborts', async () => {
		const controller = new AbortController();
		const pending = httpGet(`${main.url}/hang`, {}, controller.signal);
		setTimeout(() => controller.abort(new Error('stop')), 50);
		await expect(pending).rejects.toThrow();
		expect(controller.signal.aborted).toBe(true);
	});
});
