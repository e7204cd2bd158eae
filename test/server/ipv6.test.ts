import t from 'tap';
import { answerData, askTcp, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer } from '../helpers/stopzone.js';

/** IPv6 end to end on ::1: a listener, a client, an upstream, and access rules written for IPv6 networks. */
t.test('an IPv6 listener answers IPv6 clients over UDP and TCP, forwarding to an IPv6 upstream', async (t) => {
  const upstream = await startFakeUpstream({ address: '::1', records: { 'www.example.test': [{ type: 'AAAA', ttl: 60, data: '2001:db8::10' }] } });
  t.teardown(() => upstream.close());
  // One answering loop: "asked the upstream once" checks that loop's cache (with workers each has its own).
  const server = await startTestServer(`workers: 1\nlisten: { addresses: ["::1"], port: 0 }\nupstreams: ["${upstream.hostPort}"]\naccess: { allow: ["::1/128"] }\nadmin: { listen: ["[::1]:0"] }\nlog: { level: info }\n`);
  t.teardown(() => server.close());
  t.same(server.target.address, '::1', 'listening on ::1');
  t.same(answerData(await askUdp(server.target, 'www.example.test', { type: 'AAAA' })), ['2001:db8::10'], 'UDP');
  t.same(answerData(await askTcp(server.target, 'www.example.test', { type: 'AAAA' })), ['2001:db8::10'], 'TCP (from the cache)');
  t.same(upstream.queries.map((q) => [q.transport, q.name, q.type]), [['udp', 'www.example.test', 'AAAA']], 'asked the IPv6 upstream once');
  t.match(server.server.admin.endpoints[0], /^\[::1\]:\d+$/, 'the admin listener on ::1 too');
});
