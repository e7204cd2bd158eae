import { readFileSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { Writable } from 'node:stream';
import { endpoint } from '../../src/config/address.js';
import { Counter, Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { startAdminServer } from '../../src/observe/admin-server.js';
import type { HttpLimits } from '../../src/observe/http-limits.js';
import { createLogger } from '../../src/observe/logger.js';
import { connectRaw, trickle } from '../helpers/tcp-peer.js';

/** The admin listener holds slow and surplus clients to bounds (issue 17: the same class of defect as D8). */

async function start(t: Test, limits?: HttpLimits) {
  const admin = await startAdminServer([endpoint('127.0.0.1:0', 'admin', { listener: true })], new Registry(), () => true, createLogger('silent'), limits);
  t.teardown(() => admin.close());
  return admin.endpoints[0]!;
}

/** Resolves with what the server sent before it closed the connection. */
function closedWith(socket: net.Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}

t.test('a client that trickles its request headers is cut off by the default limits; others are served', async (t) => {
  // The admin limits allow 5 s for the headers; Node's own defaults (60 s, checked every 30 s) would pass this test's timeout.
  t.setTimeout(20_000);
  const endpoint = await start(t);
  const slow = await connectRaw(endpoint);
  const closed = closedWith(slow);
  trickle(slow, Buffer.from(`GET /metrics HTTP/1.1\r\nHost: admin\r\nX-Slow: ${'a'.repeat(500)}\r\n\r\n`), 100);
  t.equal((await fetch(`http://${endpoint}/healthz`)).status, 200, 'a scrape meanwhile is answered');
  t.notMatch(await closed, /^HTTP\/1\.1 200/, 'closed without an answer');
});

t.test('past maxConnections a new connection is closed at once; the open ones still work', async (t) => {
  t.setTimeout(20_000);
  const endpoint = await start(t, { headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 2 });
  const open = [await connectRaw(endpoint), await connectRaw(endpoint)];
  const third = await connectRaw(endpoint);
  t.equal(await closedWith(third), '', 'the third connection is closed with nothing sent');
  const reply = closedWith(open[0]!);
  open[0]!.end('GET /healthz HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n');
  t.match(await reply, /^HTTP\/1\.1 200/, 'an open connection is still served');
  open[1]!.destroy();
});

t.test('/metrics, /healthz and /readyz answer as they did before Fastify; other methods 405, other paths 404', async (t) => {
  const registry = new Registry();
  new Counter({ name: 'test_things_total', help: 'Things.', registers: [registry] }).inc(3);
  let ready = false;
  const admin = await startAdminServer([endpoint('127.0.0.1:0', 'admin', { listener: true })], registry, () => ready, createLogger('silent'));
  t.teardown(() => admin.close());
  const get = async (path: string, method = 'GET') => {
    const response = await fetch(`http://${admin.endpoints[0]}${path}`, { method });
    return { status: response.status, type: response.headers.get('content-type'), cache: response.headers.get('cache-control'), body: await response.text() };
  };
  const text = 'text/plain; charset=utf-8';
  t.same(await get('/healthz'), { status: 200, type: text, cache: 'no-store', body: 'ok\n' });
  t.same(await get('/readyz'), { status: 503, type: text, cache: 'no-store', body: 'policy zones not loaded yet\n' });
  ready = true;
  t.same(await get('/readyz'), { status: 200, type: text, cache: 'no-store', body: 'ready\n' });
  t.same(await get('/metrics'), { status: 200, type: registry.contentType, cache: 'no-store', body: await registry.metrics() });
  t.same(await get('/metrics?name=x'), { status: 200, type: registry.contentType, cache: 'no-store', body: await registry.metrics() }, 'a query string is ignored');
  t.same(await get('/healthz', 'HEAD'), { status: 200, type: text, cache: 'no-store', body: '' }, 'HEAD: the headers alone');
  t.same(await get('/metrics', 'POST'), { status: 405, type: text, cache: 'no-store', body: 'method not allowed\n' });
  t.same(await get('/nope'), { status: 404, type: text, cache: 'no-store', body: 'not found: try /metrics, /healthz or /readyz\n' });
  t.same(await get('/metrics/'), { status: 404, type: text, cache: 'no-store', body: 'not found: try /metrics, /healthz or /readyz\n' }, 'no trailing slash');
});

t.test('with a certificate the admin listener speaks HTTPS only', async (t) => {
  const { selfSignedServerCert } = await import('../helpers/self-signed.js');
  const ca = await selfSignedServerCert();
  const admin = await startAdminServer([endpoint('127.0.0.1:0', 'admin', { listener: true })], new Registry(), () => true, createLogger('silent'), undefined, {
    tls: { cert: readFileSync(ca.certFile), key: readFileSync(ca.keyFile) },
  });
  t.teardown(() => admin.close());
  t.equal(admin.scheme, 'https');
  const body = await new Promise<string>((resolve, reject) => {
    https.get(`https://${admin.endpoints[0]}/healthz`, { ca: ca.certPem }, (response) => {
      let data = '';
      response.on('data', (chunk: Buffer) => (data += chunk.toString()));
      response.on('end', () => resolve(data));
    }).on('error', reject);
  });
  t.equal(body, 'ok\n', 'over TLS with the configured certificate');
  await t.rejects(fetch(`http://${admin.endpoints[0]}/healthz`), 'plain HTTP gets no answer');
});

t.test('a request target that is no path, or a method the router does not know, is answered 404 or 405, with nothing logged', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
  const admin = await startAdminServer([endpoint('127.0.0.1:0', 'admin', { listener: true })], new Registry(), () => true, createLogger('debug', sink));
  t.teardown(() => admin.close());
  for (const [request, status] of [['GET * HTTP/1.1', 404], ['OPTIONS * HTTP/1.1', 405], ['GET http://127.0.0.1/metrics HTTP/1.1', 404], ['PRI /metrics', 405]] as const) {
    const socket = await connectRaw(admin.endpoints[0]!);
    const reply = closedWith(socket);
    socket.end(`${request}\r\nHost: admin\r\nConnection: close\r\n\r\n`);
    t.match(await reply, new RegExp(`^HTTP/1\\.1 ${status} `), request);
  }
  t.same(lines.filter((line) => !line.includes('admin listener up')), [], 'no log line: a client cannot fill the log');
});
