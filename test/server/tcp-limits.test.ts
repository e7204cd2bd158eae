import net from 'node:net';
import t, { type Test } from 'tap';
import { askTcp, askUdp, buildQuery, decodeReply, framed } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { metricValue, startTestServer, testConfig } from '../helpers/stopzone.js';
import { connectPeer, trickle } from '../helpers/tcp-peer.js';

/** The TCP listener's connection limits and timers (issue 17, D8), over real sockets on loopback. */

async function setup(t: Test, listen: string, extra = '') {
  const upstream = await startFakeUpstream({
    records: { 'a.test': [{ type: 'A', ttl: 60, data: '192.0.2.1' }], 'slow.test': [{ type: 'A', ttl: 60, data: '192.0.2.2' }] },
  });
  // One answering loop: these are one loop's limits (with workers each holds its share of them, and the kernel picks the loop of each connection).
  const server = await startTestServer(testConfig([upstream.hostPort], `workers: 1\n${extra}`).replace('listen: { addresses: ["127.0.0.1"], port: 0 }', `listen: { addresses: ["127.0.0.1"], port: 0, ${listen} }`));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  return { server, upstream };
}

const closedFor = (reason: string): string => `stopzone_tcp_connections_closed_total{reason="${reason}"}`;

/** Settings under which a query for slow.test stays in flight while a test runs (the fake holds it: 'hold'). */
const SLOW_UPSTREAM = 'upstream: { timeoutMs: 5000, deadlineMs: 5000 }\n';

t.test('an idle TCP connection is closed after tcpIdleTimeoutMs', async (t) => {
  const { server } = await setup(t, 'tcpIdleTimeoutMs: 200');
  const socket = net.connect(server.target.port, server.target.address);
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  // The reason is the behaviour; how soon is the server's timer's business (speed belongs in bench/).
  t.equal(await metricValue(server, closedFor('idle')), 1, 'closed by the server, counted as idle on /metrics');
});

t.test('a query trickled a byte at a time is cut off after tcpMessageTimeoutMs; other clients are served', async (t) => {
  t.setTimeout(20_000);
  // The idle timeout is long: only the message deadline can close the connection within the test.
  const { server } = await setup(t, 'tcpMessageTimeoutMs: 300, tcpIdleTimeoutMs: 60000');
  const slow = await connectPeer(server.target);
  trickle(slow.socket, framed(buildQuery('a.test')), 50);
  const other = await askTcp(server.target, 'a.test');
  t.equal(other.packet.rcode, 'NOERROR', 'a client sending whole queries is answered meanwhile');
  await slow.closed;
  t.equal(slow.replies.length, 0, 'the trickled query was never answered: the connection closed first');
  t.equal(await metricValue(server, closedFor('message-timeout')), 1, 'counted as message-timeout on /metrics');
});

t.test('the idle clock counts whole queries, not bytes: trickling never keeps a connection open', async (t) => {
  t.setTimeout(20_000);
  const { server } = await setup(t, 'tcpIdleTimeoutMs: 300, tcpMessageTimeoutMs: 60000');
  const slow = await connectPeer(server.target);
  // A 1,000-byte message at a byte per 50 ms would take 50 s.
  trickle(slow.socket, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.alloc(1000)]), 50);
  await slow.closed;
  t.equal(await metricValue(server, closedFor('idle')), 1, 'closed as idle although a byte arrived every 50 ms');
});

t.test('a query whose length and body arrive in separate writes within tcpMessageTimeoutMs is answered', async (t) => {
  const { server } = await setup(t, 'tcpMessageTimeoutMs: 2000');
  const peer = await connectPeer(server.target);
  const message = framed(buildQuery('a.test', { id: 77 }));
  // Two writes, the second once the first has left for the kernel (no delay to wait out: Nagle is off).
  peer.socket.setNoDelay(true);
  peer.socket.write(message.subarray(0, 2), () => peer.socket.write(message.subarray(2)));
  const reply = decodeReply(await peer.nextReply());
  t.same([reply.id, reply.rcode], [77, 'NOERROR']);
  peer.socket.destroy();
});

t.test('at tcpMaxConnections, the connection idle longest is closed to make room for a new one', async (t) => {
  t.setTimeout(20_000);
  const { server } = await setup(t, 'tcpMaxConnections: 2, tcpIdleTimeoutMs: 60000');
  const first = await connectPeer(server.target);
  first.send(buildQuery('a.test'));
  await first.nextReply();
  const second = await connectPeer(server.target);
  second.send(buildQuery('a.test'));
  await second.nextReply();
  const third = await connectPeer(server.target);
  third.send(buildQuery('a.test', { id: 3 }));
  t.equal(decodeReply(await third.nextReply()).id, 3, 'the new connection is served');
  await first.closed;
  second.send(buildQuery('a.test', { id: 2 }));
  t.equal(decodeReply(await second.nextReply()).id, 2, 'the connection active more recently stays open');
  t.equal(await metricValue(server, closedFor('max-connections-evicted')), 1, 'counted on /metrics');
  second.socket.destroy();
  third.socket.destroy();
});

t.test('at tcpMaxConnections with every connection busy, a new connection is closed at once', async (t) => {
  t.setTimeout(20_000);
  const { server, upstream } = await setup(t, 'tcpMaxConnections: 2', SLOW_UPSTREAM);
  await askUdp(server.target, 'a.test');
  upstream.setBehaviour('hold');
  // Each connection has slow.test in flight: the cached answer to a.test, sent after it, proves it was read.
  const busy = [await connectPeer(server.target), await connectPeer(server.target)];
  for (const peer of busy) {
    peer.send(buildQuery('slow.test'), buildQuery('a.test'));
    await peer.nextReply();
  }
  const third = await connectPeer(server.target);
  await third.closed;
  t.equal(third.replies.length, 0, 'the new connection was closed without an answer');
  t.equal(await metricValue(server, closedFor('max-connections-refused')), 1, 'counted on /metrics');
  upstream.release();
  for (const peer of busy) t.equal(decodeReply(await peer.nextReply()).rcode, 'NOERROR', 'the busy connections get their answers');
  for (const peer of busy) peer.socket.destroy();
});

t.test('past tcpMaxConnectionsPerClient, that client\'s idlest connection makes room; other clients are unaffected', async (t) => {
  t.setTimeout(20_000);
  const { server } = await setup(t, 'tcpMaxConnectionsPerClient: 2, tcpIdleTimeoutMs: 60000');
  const open = async (from: string) => {
    const peer = await connectPeer(server.target, { from });
    peer.send(buildQuery('a.test'));
    await peer.nextReply();
    return peer;
  };
  const first = await open('127.0.0.2');
  const other = await open('127.0.0.3');
  const second = await open('127.0.0.2');
  const third = await open('127.0.0.2');
  await first.closed;
  t.ok(first.socket.destroyed, 'the first connection from 127.0.0.2 was closed when its third opened');
  for (const peer of [other, second, third]) {
    peer.send(buildQuery('a.test', { id: 9 }));
    t.equal(decodeReply(await peer.nextReply()).id, 9, 'the others are still served');
    peer.socket.destroy();
  }
  t.equal(await metricValue(server, closedFor('per-client-evicted')), 1, 'counted on /metrics');
});

t.test('past tcpMaxConnectionsPerClient with all its connections busy, the client\'s next one is refused; another address connects', async (t) => {
  t.setTimeout(20_000);
  const { server, upstream } = await setup(t, 'tcpMaxConnectionsPerClient: 2, tcpIdleTimeoutMs: 60000', SLOW_UPSTREAM);
  await askUdp(server.target, 'a.test');
  upstream.setBehaviour('hold');
  const busy = [await connectPeer(server.target, { from: '127.0.0.2' }), await connectPeer(server.target, { from: '127.0.0.2' })];
  for (const peer of busy) {
    peer.send(buildQuery('slow.test'), buildQuery('a.test'));
    await peer.nextReply();
  }
  const refused = await connectPeer(server.target, { from: '127.0.0.2' });
  await refused.closed;
  t.equal(refused.replies.length, 0, 'the third connection from 127.0.0.2 was closed without an answer');
  const elsewhere = await connectPeer(server.target, { from: '127.0.0.3' });
  elsewhere.send(buildQuery('a.test'));
  t.equal(decodeReply(await elsewhere.nextReply()).rcode, 'NOERROR', 'a client at another address is served');
  elsewhere.socket.destroy();
  t.equal(await metricValue(server, closedFor('per-client-refused')), 1, 'counted on /metrics');
  for (const peer of busy) peer.socket.destroy();
});
