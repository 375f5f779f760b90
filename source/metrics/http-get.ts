// GET over built-in node:http/node:https with one keep-alive agent per
// protocol. Tiles poll small answers every second or so; Node's fetch (undici)
// spends far more CPU per request than a plain http.request on a kept-alive
// socket (measured by the tiles bench), so the Prometheus client uses this.
// It behaves like the fetch call it replaces: the same signal aborts the
// request, redirects are followed (authorization dropped when the origin
// changes), gzip/deflate/br answers are decoded.
import type {IncomingMessage} from 'node:http';
import {createRequire} from 'node:module';
import type {Readable} from 'node:stream';

// node:http, node:https (tls) and node:zlib are loaded on the first request,
// not when the cockpit's store loads this module before its first frame.
const requireBuiltin = createRequire(import.meta.url);
interface Net {
	http: typeof import('node:http');
	https: typeof import('node:https');
	zlib: typeof import('node:zlib');
	httpAgent: import('node:http').Agent;
	httpsAgent: import('node:https').Agent;
}
let loaded: Net | undefined;
function net(): Net {
	if (loaded) return loaded;
	const http = requireBuiltin('node:http') as typeof import('node:http');
	const https = requireBuiltin('node:https') as typeof import('node:https');
	// Free sockets are unref'd by the agent, so they never keep the process alive.
	loaded = {http, https, zlib: requireBuiltin('node:zlib') as typeof import('node:zlib'), httpAgent: new http.Agent({keepAlive: true}), httpsAgent: new https.Agent({keepAlive: true})};
	return loaded;
}

export interface HttpAnswer {
	status: number;
	ok: boolean;
	text: string;
}

const MAX_REDIRECTS = 5;

function bodyStream(res: IncomingMessage): Readable {
	switch (String(res.headers['content-encoding'] ?? '').trim().toLowerCase()) {
		case 'gzip':
		case 'x-gzip':
			return res.pipe(net().zlib.createGunzip());
		case 'deflate':
			return res.pipe(net().zlib.createInflate());
		case 'br':
			return res.pipe(net().zlib.createBrotliDecompress());
		default:
			return res;
	}
}

function once(url: URL, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<{res: IncomingMessage; reused: boolean}> {
	return new Promise((resolve, reject) => {
		const {http, https, httpAgent, httpsAgent} = net();
		const request = url.protocol === 'https:' ? https.request : http.request;
		const req = request(url, {method: 'GET', headers, agent: url.protocol === 'https:' ? httpsAgent : httpAgent});
		// One abort listener for the whole exchange (request's own `signal` option adds
		// a stream-finished watcher per request, which costs more than this).
		const onAbort = (): void => {
			req.destroy(Object.assign(new Error('aborted'), {name: 'AbortError', code: 'ABORT_ERR'}));
		};
		if (signal) {
			signal.addEventListener('abort', onAbort, {once: true});
			req.once('close', () => signal.removeEventListener('abort', onAbort));
		}
		req.once('response', res => resolve({res, reused: req.reusedSocket}));
		req.once('error', error => reject(Object.assign(error, {reusedSocket: req.reusedSocket})));
		req.end();
	});
}

function readBody(res: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const stream = bodyStream(res);
		let text = '';
		stream.setEncoding('utf8');
		stream.on('data', (chunk: string) => {
			text += chunk;
		});
		stream.once('end', () => resolve(text));
		stream.once('error', reject);
		// An abort destroys the response; a decoder stream would otherwise wait forever.
		res.once('error', reject);
		res.once('aborted', () => reject(new Error('response aborted')));
	});
}

/**
 * GET `url` and read the whole body. Rejects on network errors and on abort
 * (with the signal's reason available as `signal.reason`); HTTP errors are
 * answers (`ok` false), as with fetch.
 */
export async function httpGet(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpAnswer> {
	signal?.throwIfAborted();
	let target = new URL(url);
	const sent: Record<string, string> = {'accept-encoding': 'gzip, deflate, br', ...headers};
	for (let hop = 0; ; hop++) {
		let answer: {res: IncomingMessage; reused: boolean};
		try {
			answer = await once(target, sent, signal);
		} catch (error) {
			// The server may close an idle kept-alive socket just as we reuse it: one retry on a fresh one.
			const e = error as {code?: string; reusedSocket?: boolean};
			if (!e.reusedSocket || signal?.aborted || (e.code !== 'ECONNRESET' && e.code !== 'EPIPE')) throw error;
			answer = await once(target, sent, signal);
		}
		const {res} = answer;
		const status = res.statusCode ?? 0;
		const location = res.headers.location;
		if (status >= 300 && status < 400 && status !== 304 && location && hop < MAX_REDIRECTS) {
			res.resume();
			const next = new URL(location, target);
			// Credentials go to the origin they were meant for, never further (as fetch does).
			if (next.origin !== target.origin) delete sent.authorization;
			target = next;
			continue;
		}
		const text = await readBody(res);
		return {status, ok: status >= 200 && status < 300, text};
	}
}
