import type net from 'node:net';
import { endpoint } from '../../src/config/address.js';
import t, { type Test } from 'tap';
import { createLogger } from '../../src/observe/logger.js';
import type { HttpLimits } from '../../src/observe/http-limits.js';
import { PolicySet } from '../../src/rpz/policy-set.js';
import { startStopPage } from '../../src/stop-page/index.js';
import { connectRaw, trickle } from '../helpers/tcp-peer.js';

/** The stop page holds slow and surplus clients to bounds (issue 17: the same class of defect as D8). */

async function start(t: Test, httpLimits?: HttpLimits) {
  const config = { enabled: true, addresses: ['127.0.0.1'], http: [endpoint('127.0.0.1:0', 'http', { listener: true })], https: [endpoint('127.0.0.1:0', 'https', { listener: true })], maxConnections: 1000, certificatesPerSecond: 10, certificateBurst: 20 };
  const running = await startStopPage({ config, policy: { current: () => new PolicySet([]) }, log: createLogger('silent'), referenceKey: Buffer.from('k'), ...(httpLimits && { httpLimits }) });
  t.teardown(() => running.close());
  return running.http[0]!;
}

function closedWith(socket: net.Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}

t.test('a browser that trickles its request headers is cut off after the headers timeout, not 30 s later', async (t) => {
  // 10 s for the headers, checked every second; with Node's default check (every 30 s) the close came at about 30 s.
  t.setTimeout(25_000);
  const endpoint = await start(t);
  const slow = await connectRaw(endpoint);
  const closed = closedWith(slow);
  trickle(slow, Buffer.from(`GET / HTTP/1.1\r\nHost: blocked.example\r\nX-Slow: ${'a'.repeat(500)}\r\n\r\n`), 100);
  t.match(await closed, /^HTTP\/1\.1 408/, 'answered 408 Request Timeout and closed');
});

t.test('past maxConnections a new connection is closed at once; the open ones still work', async (t) => {
  t.setTimeout(20_000);
  const endpoint = await start(t, { headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 2 });
  const open = [await connectRaw(endpoint), await connectRaw(endpoint)];
  const third = await connectRaw(endpoint);
  t.equal(await closedWith(third), '', 'the third connection is closed with nothing sent');
  const reply = closedWith(open[0]!);
  open[0]!.end('GET /robots.txt HTTP/1.1\r\nHost: blocked.example\r\nConnection: close\r\n\r\n');
  t.match(await reply, /^HTTP\/1\.1 200/, 'an open connection is still served');
  open[1]!.destroy();
});
