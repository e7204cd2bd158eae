import t, { type Test } from 'tap';
import { answerData, answerTtls, askTcp, askUdp, buildQuery, decodeReply, sendTcp } from '../helpers/dns-client.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';
import { connectPeer } from '../helpers/tcp-peer.js';
import { ManualTimers } from '../helpers/manual-timers.js';
import dnsPacket from 'dns-packet';

const records = {
  'www.example.test': [
    { type: 'A', ttl: 300, data: '192.0.2.10' },
    { type: 'AAAA', ttl: 300, data: '2001:db8::10' },
  ],
  'big.example.test': Array.from({ length: 40 }, (_, i) => ({ type: 'TXT', ttl: 300, data: `text record number ${i} padding padding` })),
};

/** For tests of what one answering loop's cache does: with workers, each has its own, and a query from a new source port may reach the other. */
const ONE_LOOP = 'workers: 1\n';

async function setup(t: Test, extra = '', upstreamCount = 1, upstreamTimers?: ManualTimers) {
  let clock = 5_000_000;
  const upstreams: FakeUpstream[] = [];
  for (let i = 0; i < upstreamCount; i++) upstreams.push(await startFakeUpstream({ records }));
  const server: TestServer = await startTestServer(testConfig(upstreams.map((u) => u.hostPort), extra), { now: () => clock, ...(upstreamTimers && { upstreamTimers }) });
  t.teardown(async () => {
    await server.close();
    await Promise.all(upstreams.map((u) => u.close()));
  });
  return { server, upstreams, upstream: upstreams[0]!, advance: (seconds: number) => (clock += seconds * 1000) };
}

t.test('forwards to the upstream, then answers from the cache with a lower TTL', async (t) => {
  const { server, upstream, advance } = await setup(t, ONE_LOOP);
  const first = await askUdp(server.target, 'www.example.test');
  t.equal(first.packet.rcode, 'NOERROR');
  t.same(answerData(first), ['192.0.2.10']);
  t.same(answerTtls(first), [300]);
  advance(7);
  const second = await askUdp(server.target, 'WWW.example.TEST');
  t.same(answerData(second), ['192.0.2.10']);
  t.same(answerTtls(second), [293], 'TTL counted down by 7 s');
  t.equal(second.packet.questions?.[0]?.name, 'WWW.example.TEST', 'question in the client letter case');
  t.equal(upstream.queries.length, 1, 'second answer came from the cache');
});

t.test('TCP: answers, several queries on one connection, pipelined', async (t) => {
  const { server } = await setup(t);
  const reply = await askTcp(server.target, 'www.example.test', { type: 'AAAA' });
  t.same(answerData(reply), ['2001:db8::10']);
  const ids = [11, 12, 13, 14, 15];
  const replies = await sendTcp(server.target, ids.map((id, i) => buildQuery(i % 2 ? 'www.example.test' : 'nope.example.test', { id })));
  t.same(replies.map((r) => decodeReply(r).id).sort(), ids, 'every pipelined query answered on the one connection');
  t.same(
    replies.map((r) => decodeReply(r)).sort((a, b) => a.id! - b.id!).map((p) => p.rcode),
    ['NXDOMAIN', 'NOERROR', 'NXDOMAIN', 'NOERROR', 'NXDOMAIN'],
  );
});

t.test('TCP: a client that half-closes after its query still gets the answer from the upstream, then the server closes', async (t) => {
  const { server, upstream } = await setup(t);
  const peer = await connectPeer(server.target);
  peer.send(buildQuery('www.example.test', { id: 21 }));
  peer.socket.end(); // shutdown(SHUT_WR): no more queries, still reading
  const raw = await peer.nextReply();
  const reply = { packet: decodeReply(raw), raw };
  t.same([reply.packet.id, reply.packet.rcode, answerData(reply)], [21, 'NOERROR', ['192.0.2.10']]);
  t.equal(upstream.queries.length, 1, 'the answer came from the upstream');
  await peer.closed;
  t.ok(peer.socket.readableEnded, 'the server ended its side after the answer');
});

t.test('a large answer: TC=1 over UDP at 512 bytes, whole over TCP', async (t) => {
  const { server, upstream } = await setup(t, ONE_LOOP);
  const udp = await askUdp(server.target, 'big.example.test', { type: 'TXT', bufsize: 512 });
  t.equal(udp.packet.flag_tc, true, 'TC=1');
  t.ok(udp.raw.length <= 512);
  t.equal(udp.packet.additionals?.[0]?.type, 'OPT', 'OPT echoed');
  const plain = await askUdp(server.target, 'big.example.test', { type: 'TXT' });
  t.equal(plain.packet.flag_tc, true, 'no EDNS: 512 bytes at most');
  t.equal(plain.packet.additionals?.length, 0, 'no OPT when the query had none');
  const tcp = await askTcp(server.target, 'big.example.test', { type: 'TXT', bufsize: 512 });
  t.equal(tcp.packet.flag_tc, false);
  t.equal(tcp.packet.answers?.length, 40, 'whole over TCP');
  t.same(upstream.queries.map((q) => q.transport), ['udp', 'tcp'], 'one exchange upstream (TC=1 at 1232 bytes, then TCP); the other answers came from the cache');
});

t.test('upstream TC=1 makes Stopzone ask the upstream over TCP', async (t) => {
  const { server, upstream } = await setup(t);
  upstream.setBehaviour('truncate');
  const reply = await askUdp(server.target, 'www.example.test', { bufsize: 1232 });
  t.same(answerData(reply), ['192.0.2.10']);
  t.ok(upstream.queries.some((q) => q.transport === 'tcp'), 'upstream saw a TCP query');
});

t.test('clients outside the allowed networks get REFUSED', async (t) => {
  const { server, upstream } = await setup(t, 'access: { allow: ["127.0.0.1/32"] }\n');
  const refused = await askUdp(server.target, 'www.example.test', { from: '127.0.0.2' });
  t.equal(refused.packet.rcode, 'REFUSED');
  t.equal(refused.packet.answers?.length, 0);
  const refusedTcp = await askTcp(server.target, 'www.example.test', { from: '127.0.0.3', bufsize: 1232 });
  t.equal(refusedTcp.packet.rcode, 'REFUSED', 'over TCP too');
  t.equal(upstream.queries.length, 0, 'nothing forwarded for them');
  const allowed = await askUdp(server.target, 'www.example.test', { from: '127.0.0.1' });
  t.equal(allowed.packet.rcode, 'NOERROR');
});

// Timeouts and the deadline are behaviour: they run on injected timers that the test moves (no waiting, no margin).
t.test('every upstream dead: SERVFAIL at the deadline, each upstream tried in turn', async (t) => {
  const timers = new ManualTimers();
  const { server, upstreams } = await setup(t, 'upstream: { timeoutMs: 300, deadlineMs: 1000 }\n', 2, timers);
  for (const u of upstreams) u.setBehaviour('dead');
  const reply = askUdp(server.target, 'www.example.test', { timeoutMs: 5000 });
  await upstreams[0]!.received(1);
  const elapsed = await timers.runOut();
  t.equal((await reply).packet.rcode, 'SERVFAIL');
  t.equal(elapsed, 1000, 'ended by the deadline: attempts at 0, 300, 600 and 900 ms (retries: 1), the last cut short');
  t.same(upstreams.map((u) => u.queries.length), [2, 2], 'both upstreams asked twice, in turn');
});

t.test('the default deadline bounds SERVFAIL at 3 s', async (t) => {
  const timers = new ManualTimers();
  const { server, upstreams } = await setup(t, '', 4, timers);
  for (const u of upstreams) u.setBehaviour('dead');
  const reply = askUdp(server.target, 'www.example.test', { timeoutMs: 6000 });
  await upstreams[0]!.received(1);
  const elapsed = await timers.runOut();
  t.equal((await reply).packet.rcode, 'SERVFAIL');
  t.equal(elapsed, 3000, 'three attempts of the default 1 s timeout, the third cut by the default 3 s deadline');
  t.same(upstreams.map((u) => u.queries.length), [1, 1, 1, 0], 'the fourth upstream never asked');
});

t.test('every upstream dead: stale data when it is cached (RFC 8767)', async (t) => {
  const { server, upstream, advance } = await setup(t, `${ONE_LOOP}upstream: { timeoutMs: 200, deadlineMs: 400 }\n`);
  await askUdp(server.target, 'www.example.test');
  advance(301);
  upstream.setBehaviour('dead');
  const stale = await askUdp(server.target, 'www.example.test');
  t.equal(stale.packet.rcode, 'NOERROR');
  t.same(answerData(stale), ['192.0.2.10']);
  t.same(answerTtls(stale), [30], 'stale answer TTL');
  const uncached = await askUdp(server.target, 'other.example.test');
  t.equal(uncached.packet.rcode, 'SERVFAIL', 'nothing stale to serve');
});

t.test('failover to the next upstream', async (t) => {
  const { server, upstreams } = await setup(t, 'upstream: { timeoutMs: 200, deadlineMs: 2000 }\n', 2);
  upstreams[0]!.setBehaviour('servfail');
  const reply = await askUdp(server.target, 'www.example.test');
  t.equal(reply.packet.rcode, 'NOERROR');
  t.equal(upstreams[1]!.queries.length, 1, 'the second upstream answered');
});

t.test('identical concurrent misses share one upstream query', async (t) => {
  const { server, upstream } = await setup(t);
  // The upstream holds its answers until the test releases them. Twenty identical questions, then a different one,
  // pipelined on one TCP connection: the server reads them in order, so when the upstream sees the different one
  // (its second query), the twenty have all been asked while the first exchange was in flight, however slow the machine.
  upstream.setBehaviour('hold');
  const asked = sendTcp(server.target, [...Array.from({ length: 20 }, (_, i) => buildQuery('www.example.test', { id: 100 + i })), buildQuery('nope.example.test', { id: 999 })], 30_000);
  await upstream.received(2);
  upstream.release();
  const replies = (await asked).map((raw) => ({ packet: decodeReply(raw), raw })).filter((r) => r.packet.id !== 999);
  t.equal(replies.length, 20);
  t.ok(replies.every((r) => answerData(r)[0] === '192.0.2.10'));
  t.same(upstream.queries.map((q) => q.name), ['www.example.test', 'nope.example.test'], 'one upstream query for the twenty');
});

t.test('a lying upstream (wrong ID first) does not poison the answer', async (t) => {
  const { server, upstream } = await setup(t);
  upstream.setBehaviour({ lie: 'wrong-id' });
  const reply = await askUdp(server.target, 'www.example.test');
  t.same(answerData(reply), ['192.0.2.10']);
  upstream.setBehaviour({ lie: 'wrong-question' });
  const second = await askUdp(server.target, 'www.example.test', { type: 'AAAA' });
  t.same(answerData(second), ['2001:db8::10']);
});

t.test('protocol errors over real sockets: NOTIMP, FORMERR, BADVERS, dropped garbage', async (t) => {
  const { server } = await setup(t);
  const { sendUdp } = await import('../helpers/dns-client.js');
  const notify = buildQuery('www.example.test', { id: 5 });
  notify[2] = (notify[2]! & 0x87) | (4 << 3);
  t.equal(decodeReply((await sendUdp(server.target, notify))!).rcode, 'NOTIMP');
  const two = buildQuery('www.example.test', { id: 6 });
  two.writeUInt16BE(2, 4);
  t.equal(decodeReply((await sendUdp(server.target, two))!).rcode, 'FORMERR');
  const v1 = buildQuery('www.example.test', { bufsize: 1232 });
  v1[v1.length - 5] = 1; // EDNS version 1
  const badvers = (await sendUdp(server.target, v1))!;
  t.equal((decodeReply(badvers).additionals?.[0] as unknown as { extendedRcode: number }).extendedRcode, 1, 'BADVERS');
  t.equal(await sendUdp(server.target, Buffer.from('hello'), { timeoutMs: 300 }), null, 'no reply to a packet without a header');
  const alive = await askUdp(server.target, 'www.example.test');
  t.equal(alive.packet.rcode, 'NOERROR', 'still answering');
});

t.test('cache.maxTtl caps the TTL clients see, from the first answer on', async (t) => {
  const { server } = await setup(t, 'cache: { maxTtl: 60 }\n');
  t.same(answerTtls(await askUdp(server.target, 'www.example.test')), [60]);
  t.same(answerTtls(await askUdp(server.target, 'www.example.test')), [60]);
});
