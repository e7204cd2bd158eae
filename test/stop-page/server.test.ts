import { endpoint } from '../../src/config/address.js';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Writable } from 'node:stream';
import { once } from 'node:events';
import t, { type Test } from 'tap';
import type { Config } from '../../src/config/schema.js';
import { referenceCode } from '../../src/observe/block-event.js';
import { createLogger } from '../../src/observe/logger.js';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { PolicySet } from '../../src/rpz/policy-set.js';
import { startStopPage, type RunningStopPage } from '../../src/stop-page/index.js';
import { makeTestCa } from '../helpers/chromium.js';
import { getPage } from '../helpers/http-page.js';
import { assertLoopbackAll } from '../helpers/loopback-guard.js';

/** The stop page over real sockets on 127.0.0.1:0, as a browser meets it. */
const KEY = Buffer.from('server test key');

async function start(t: Test, over: Partial<Config['stopPage']> = {}) {
  const zone = await loadPolicyZoneText('$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\nblocked.example.test CNAME .\n', 'school.rpz');
  const set = new PolicySet([
    { zone, settings: { policy: 'stop-page', maxPolicyTtl: 5, breakDnssec: false, logName: 'School', ede: { code: 15 }, log: true, page: { reason: 'Not during lessons.', legal: false } } },
  ]);
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (chunk, _e, done) => (logs.push(...String(chunk).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)), done()) });
  const config: Config['stopPage'] = { enabled: true, addresses: ['127.0.0.1'], http: [endpoint('127.0.0.1:0', 'http', { listener: true })], https: [endpoint('127.0.0.1:0', 'https', { listener: true })], certificatesPerSecond: 10, certificateBurst: 20, maxConnections: 1000, ...over };
  const running = await startStopPage({ config, policy: { current: () => set }, log: createLogger('info', sink), referenceKey: KEY });
  assertLoopbackAll([...running.http, ...running.https]);
  t.teardown(() => running.close());
  return { running, logs };
}

const get = (target: string, path: string, headers: Record<string, string>, method = 'GET') => getPage(target, path, headers, { method });

t.test('HTTP: any path on a blocked host shows the page, one log line per view', async (t) => {
  const { running, logs } = await start(t);
  const res = await get(running.http[0]!, '/any/path?x=1', { host: 'blocked.example.test:8080' });
  t.equal(res.status, 403);
  t.equal(res.headers['cache-control'], 'no-store');
  t.match(res.body, /Not during lessons\./);
  const ref = referenceCode(KEY, '127.0.0.1', 'blocked.example.test', 'school.rpz', 'blocked.example.test.school.rpz', Date.now());
  t.ok(res.body.includes(ref), 'reference code on the page');
  t.match(logs.find((l) => l.msg === 'stop page shown'), { level: 30, client: '127.0.0.1', host: 'blocked.example.test', zone: 'school.rpz', rule: 'blocked.example.test.school.rpz', ref, status: 403 });
  const head = await get(running.http[0]!, '/', { host: 'blocked.example.test' }, 'HEAD');
  t.same([head.status, head.body], [403, '']);
  const robots = await get(running.http[0]!, '/robots.txt', { host: 'blocked.example.test' });
  t.same([robots.status, robots.body], [200, 'User-agent: *\nDisallow: /\n']);
  t.equal(logs.filter((l) => l.msg === 'stop page shown').length, 2, 'robots.txt is not a page view');
});

t.test('HTTPS without a CA: the handshake fails at once with a TLS alert', async (t) => {
  const { running } = await start(t);
  const [host, port] = running.https[0]!.split(':') as [string, string];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const error = await new Promise<Error>((resolve) => {
      const socket = tlsConnect({ host, port: Number(port), servername: 'blocked.example.test', rejectUnauthorized: true }, () => resolve(new Error('handshake completed')));
      socket.on('error', resolve);
    });
    const ms = performance.now() - started;
    t.match(error.message, /unrecognized name|alert number 112/i, `fails with unrecognized_name: ${error.message}`);
    t.comment(`no-CA TLS failure after ${ms.toFixed(1)} ms: ${error.message}`);
  }
});

t.test('HTTPS with a CA: a minted certificate the CA vouches for, then the same page', async (t) => {
  const ca = await makeTestCa();
  const { running } = await start(t, { caCertFile: ca.certFile, caKeyFile: ca.keyFile });
  const [host, port] = running.https[0]!.split(':') as [string, string];
  const started = performance.now();
  const socket = tlsConnect({ host, port: Number(port), servername: 'blocked.example.test', ca: ca.certPem });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  t.comment(`handshake with a freshly minted certificate: ${(performance.now() - started).toFixed(1)} ms`);
  t.ok(socket.authorized, 'chain verifies against the test CA and the name matches');
  t.equal(socket.getPeerCertificate().subjectaltname, 'DNS:blocked.example.test');
  t.ok(['TLSv1.2', 'TLSv1.3'].includes(socket.getProtocol() ?? ''), socket.getProtocol() ?? '');
  socket.write('GET /x HTTP/1.1\r\nHost: blocked.example.test\r\nConnection: close\r\n\r\n');
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  t.match(text, /^HTTP\/1\.1 403 /);
  t.match(text, /Not during lessons\./);
});

t.test('close() ends kept-alive connections at once', async (t) => {
  const zone = await start(t);
  const [host, port] = zone.running.http[0]!.split(':') as [string, string];
  const socket = netConnect(Number(port), host);
  let ended = false;
  socket.on('end', () => (ended = true));
  socket.write('GET / HTTP/1.1\r\nHost: blocked.example.test\r\nConnection: keep-alive\r\n\r\n');
  const [page] = (await once(socket, 'data')) as [Buffer];
  t.match(String(page), /^HTTP\/1\.1 403 [\s\S]*keep-alive/i, 'the page came on a kept-alive connection');
  await zone.running.close();
  // The server's FIN is in the kernel when close() resolves: the client reads it in the next turns of its event loop
  // (a keep-alive timeout would end it seconds later, not here).
  for (let turn = 0; turn < 3 && !ended; turn++) await new Promise((resolve) => setImmediate(resolve));
  t.ok(ended, 'close() ended the kept-alive connection');
  socket.destroy();
});

/** A raw connection to `target`; `response()` resolves with the next whole response (headers and its content-length of body). */
async function rawHttp(target: string) {
  const socket = netConnect(Number(target.slice(target.lastIndexOf(':') + 1)), target.slice(0, target.lastIndexOf(':')));
  await once(socket, 'connect');
  let buffered = '';
  const closed = once(socket, 'close').then(() => true);
  const response = () =>
    new Promise<{ head: string; closed: Promise<boolean> } | null>((resolve) => {
      const check = () => {
        const end = buffered.indexOf('\r\n\r\n');
        const length = end < 0 ? -1 : Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (end < 0 || buffered.length < end + 4 + length) return;
        socket.off('data', onData);
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4 + length);
        resolve({ head, closed });
      };
      const onData = (chunk: Buffer) => ((buffered += chunk.toString('latin1')), check());
      socket.on('data', onData);
      void closed.then(() => resolve(null));
      check();
    });
  return { socket: socket as Socket, response };
}

t.test('a request with a body, whatever its method, is answered and the connection closed: the body is never read', async (t) => {
  const { running } = await start(t);
  for (const [method, framing] of [
    ['GET', 'Content-Length: 1000000000'],
    ['GET', 'Transfer-Encoding: chunked'],
    ['POST', 'Content-Length: 1000000000'],
  ] as const) {
    const http = await rawHttp(running.http[0]!);
    t.teardown(() => http.socket.destroy());
    http.socket.write(`${method} / HTTP/1.1\r\nHost: blocked.example.test\r\n${framing}\r\n\r\n`);
    const answer = await http.response();
    t.match(answer?.head, /^HTTP\/1\.1 403 /, `${method} with ${framing}: the page`);
    t.match(answer?.head, /\r\nConnection: close\r\n/i, `${method} with ${framing}: Connection: close, so the body the client announced is not read`);
    if (/Connection: close/i.test(answer?.head ?? '')) t.equal(await answer?.closed, true, 'and the server closes the connection');
    http.socket.destroy();
  }
  const plain = await rawHttp(running.http[0]!);
  t.teardown(() => plain.socket.destroy());
  plain.socket.write('GET / HTTP/1.1\r\nHost: blocked.example.test\r\n\r\n');
  t.match((await plain.response())?.head, /\r\nConnection: keep-alive\r\n/i, 'a GET without a body: kept alive');
});

t.test('open connections are capped per listener (stopPage.maxConnections): one more is closed at once', async (t) => {
  const { running } = await start(t, { maxConnections: 2 });
  const held = [await rawHttp(running.http[0]!), await rawHttp(running.http[0]!)];
  for (const http of held) {
    t.teardown(() => http.socket.destroy());
    http.socket.write('GET / HTTP/1.1\r\nHost: blocked.example.test\r\n\r\n');
    t.match((await http.response())?.head, /^HTTP\/1\.1 403 /, 'within the cap: the page, kept alive');
  }
  const third = await rawHttp(running.http[0]!);
  t.teardown(() => third.socket.destroy());
  third.socket.on('error', () => {});
  third.socket.write('GET / HTTP/1.1\r\nHost: blocked.example.test\r\n\r\n');
  t.equal(await third.response(), null, 'over the cap: closed with no answer');
});

t.test('disabled: nothing listens', async (t) => {
  const { running } = await start(t, { enabled: false });
  t.same([running.http, running.https], [[], []]);
});
