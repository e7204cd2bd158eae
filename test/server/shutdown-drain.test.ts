import t from 'tap';
import { answerData, askTcp, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer } from '../helpers/stopzone.js';

// On shutdown every query already received still gets its answer (the drain):
// the answer must be sent before the socket closes, not merely computed.
t.test('closing the server: queries in flight over UDP and TCP still get their answers, then it closes', async (t) => {
  const upstream = await startFakeUpstream({ records: { 'slow.test': [{ type: 'A', ttl: 60, data: '192.0.2.9' }] } });
  t.teardown(() => upstream.close());
  const { target, close } = await startTestServer(`listen: { addresses: ["127.0.0.1"], port: 0 }\nupstreams: ["${upstream.hostPort}"]\n`);
  upstream.setBehaviour('hold');
  const overUdp = askUdp(target, 'slow.test', { timeoutMs: 60_000 });
  const overTcp = askTcp(target, 'slow.test', { timeoutMs: 60_000 });
  await upstream.received(2);
  const closed = close();
  upstream.release();
  const [udp, tcp] = await Promise.all([overUdp, overTcp]);
  t.same([udp.packet.rcode, answerData(udp)], ['NOERROR', ['192.0.2.9']], 'the UDP query in flight was answered');
  t.same([tcp.packet.rcode, answerData(tcp)], ['NOERROR', ['192.0.2.9']], 'the TCP query in flight was answered');
  await closed;
});
