import t, { type Test } from 'tap';
import { askTcp, askUdp, buildQuery, decodeReply, framed } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { metricValue, startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';
import { connectPeer } from '../helpers/tcp-peer.js';

/**
 * Clients that send queries faster than they read the answers (issue 17, D2): what waits to be sent is
 * bounded per connection and in all, a client that stops reading is closed, and everyone else is served.
 */

// 240 strings of 250 bytes: a ~60 KB answer (whole over TCP), cached after the first query.
const BIG = Array.from({ length: 240 }, (_, i) => `${String(i).padStart(3, '0')}${'x'.repeat(247)}`);

async function setup(t: Test, listen: string) {
  const upstream = await startFakeUpstream({ records: { 'big.test': [{ type: 'TXT', ttl: 3600, data: BIG }], 'a.test': [{ type: 'A', ttl: 3600, data: '192.0.2.1' }] } });
  const server = await startTestServer(testConfig([upstream.hostPort]).replace('listen: { addresses: ["127.0.0.1"], port: 0 }', `listen: { addresses: ["127.0.0.1"], port: 0, ${listen} }`));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const big = await askTcp(server.target, 'big.test', { type: 'TXT' });
  t.ok(big.raw.length > 60_000, `the big answer is ${big.raw.length} bytes`);
  await askUdp(server.target, 'a.test');
  return server;
}

/**
 * A connection that pipelines queries for the big answer as fast as the server takes them and never reads.
 * It keeps writing, as an attacker would; a write then fails when the server resets the connection.
 */
async function neverReads(server: TestServer) {
  const peer = await connectPeer(server.target, { read: false });
  const batch = Buffer.concat(Array.from({ length: 64 }, (_, id) => framed(buildQuery('big.test', { type: 'TXT', id }))));
  const pump = (): void => {
    while (!peer.socket.destroyed) if (!peer.socket.write(batch)) return void peer.socket.once('drain', pump);
  };
  pump();
  return peer;
}

/** Another client over UDP and a new TCP connection both get answers. */
async function othersServed(t: Test, server: TestServer): Promise<void> {
  t.equal((await askUdp(server.target, 'a.test', { from: '127.0.0.2' })).packet.rcode, 'NOERROR', 'a UDP client is answered');
  t.equal((await askTcp(server.target, 'a.test')).packet.rcode, 'NOERROR', 'a new TCP connection is answered');
}

const closedFor = (reason: string): string => `stopzone_tcp_connections_closed_total{reason="${reason}"}`;

t.test('a client that pipelines queries and never reads is reset after tcpWriteTimeoutMs; others are served meanwhile', async (t) => {
  t.setTimeout(30_000);
  // Idle and the byte budget cannot close it here: only the write timeout can.
  const server = await setup(t, 'tcpWriteTimeoutMs: 500, tcpIdleTimeoutMs: 60000, tcpMaxQueuedBytesTotal: 8388608');
  const hostile = await neverReads(server);
  await othersServed(t, server);
  await hostile.closed;
  t.equal(await metricValue(server, closedFor('write-timeout')), 1, 'closed by the write timeout, counted on /metrics');
  const peak = await metricValue(server, 'stopzone_tcp_queued_bytes_peak');
  t.ok(peak !== undefined && peak > 0 && peak <= 8388608, `answer bytes waiting peaked at ${peak}, within tcpMaxQueuedBytesTotal (8 MiB)`);
  t.equal(await metricValue(server, 'stopzone_tcp_queued_bytes'), 0, 'nothing waits once the client is gone');
});

t.test('past tcpMaxQueuedBytesTotal, the connection with the most waiting is reset; others are served', async (t) => {
  t.setTimeout(30_000);
  // Five stuck connections hold at least 256 KiB each before their reading stops: more than the 1 MiB budget.
  const server = await setup(t, 'tcpMaxQueuedBytes: 262144, tcpMaxQueuedBytesTotal: 1048576, tcpWriteTimeoutMs: 60000, tcpIdleTimeoutMs: 60000');
  const hostile = await Promise.all(Array.from({ length: 5 }, () => neverReads(server)));
  await Promise.race(hostile.map((peer) => peer.closed));
  t.ok((await metricValue(server, closedFor('queued-bytes-total')))! >= 1, 'one was reset by the byte budget, counted on /metrics');
  const peak = await metricValue(server, 'stopzone_tcp_queued_bytes_peak');
  t.ok(peak !== undefined && peak <= 1048576, `answer bytes waiting peaked at ${peak}, within tcpMaxQueuedBytesTotal (1 MiB)`);
  await othersServed(t, server);
  for (const peer of hostile) peer.socket.destroy();
});

t.test('a client that reads gets every pipelined large answer, however small tcpMaxQueuedBytes is', async (t) => {
  const server = await setup(t, 'tcpMaxQueuedBytes: 1024');
  const peer = await connectPeer(server.target);
  const ids = Array.from({ length: 100 }, (_, id) => id);
  peer.send(...ids.map((id) => buildQuery('big.test', { type: 'TXT', id })));
  const replies = [];
  for (const _ of ids) replies.push(decodeReply(await peer.nextReply()));
  t.same(replies.map((r) => r.id).sort((a, b) => a! - b!), ids, 'all 100 answered on the one connection');
  t.ok(replies.every((r) => r.answers?.length === 1 && r.flag_tc === false), 'each whole');
  peer.socket.destroy();
});
