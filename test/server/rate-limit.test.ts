import dgram from 'node:dgram';
import t, { type Test } from 'tap';
import { assertLoopback } from '../helpers/loopback-guard.js';
import { askUdp, buildQuery, decodeReply, sendTcp, type Reply } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';

/**
 * Response rate limiting over real UDP on loopback (issue 17, D9). Each test
 * boots Stopzone with a small limit and a clock that only the test moves:
 * within one instant a client prefix gets `burst` answers, then every
 * `slip`-th query an empty TC=1 reply and the others nothing; when the clock
 * moves on it is answered again. 127.0.0.x are different /32s but one /24;
 * ::1 is another family.
 */

const NAMES = Array.from({ length: 40 }, (_, i) => `n${i}.example`);

async function setup(t: Test, rateLimit: string, listen = '["127.0.0.1"]'): Promise<{ server: TestServer; clock: { now: number } }> {
  const upstream = await startFakeUpstream({ records: Object.fromEntries(NAMES.map((name) => [name, [{ type: 'A', ttl: 300, data: '192.0.2.1' }]])) });
  t.teardown(() => upstream.close());
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const config = testConfig([upstream.hostPort], `rateLimit: ${rateLimit}\n`, 'info').replace('addresses: ["127.0.0.1"]', `addresses: ${listen}`);
  const server = await startTestServer(config, { now: () => clock.now });
  t.teardown(() => server.close());
  return { server, clock };
}

/** A UDP client bound to `from` that keeps every reply it gets, by query ID. */
async function udpClient(t: Test, target: { address: string; port: number }, from: string) {
  assertLoopback(target.address);
  const socket = dgram.createSocket(from.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => socket.bind(0, from, resolve));
  t.teardown(() => socket.close());
  const replies: Reply['packet'][] = [];
  let waiting: { count: number; resolve: () => void } | null = null;
  socket.on('message', (raw) => {
    replies.push(decodeReply(raw));
    if (waiting !== null && replies.length >= waiting.count) waiting.resolve();
  });
  let id = 0;
  return {
    replies,
    /** Sends `count` queries (A for n0.example ... in turn), with EDNS. */
    send(count: number): void {
      for (let i = 0; i < count; i++, id++) socket.send(buildQuery(NAMES[id % NAMES.length]!, { id, bufsize: 1232 }), target.port, target.address);
    },
    /** Resolves once `count` replies have come (a bound on the test, not a sleep). */
    until(count: number, withinMs = 5000): Promise<void> {
      if (replies.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${replies.length} of ${count} replies within ${withinMs} ms`)), withinMs);
        waiting = { count, resolve: () => (clearTimeout(timer), resolve()) };
      });
    },
  };
}

const tc = (packet: Reply['packet']): boolean => packet.flag_tc === true;
const byId = (packets: Array<Reply['packet']>): Array<Reply['packet']> => [...packets].sort((a, b) => a.id! - b.id!);
const limited = (server: TestServer): { dropped: number; slipped: number } => {
  const { dropped, slipped } = server.server.rateLimiter!;
  return { dropped, slipped };
};

t.test('a client over the limit: drops and TC=1 slips in the slip ratio, answered again when the clock moves on; another client is not limited', async (t) => {
  const { server, clock } = await setup(t, '{ responsesPerSecond: 5, burst: 5, slip: 2, ipv4PrefixLength: 32, exempt: [] }');
  const flooder = await udpClient(t, server.target, '127.0.0.2');
  const neighbour = await udpClient(t, server.target, '127.0.0.3');

  flooder.send(5);
  await flooder.until(5);
  t.same(byId(flooder.replies).map((p) => `${p.rcode} tc=${tc(p)} answers=${p.answers?.length}`), Array(5).fill('NOERROR tc=false answers=1'), 'the burst of 5 is answered in full');

  flooder.send(10);
  // The neighbour's query comes after the flooder's ten on the same server socket, so its answer
  // means the ten have been judged (the check runs as each datagram is read).
  neighbour.send(1);
  await neighbour.until(1);
  t.same(limited(server), { dropped: 5, slipped: 5 }, 'the ten over the limit: five dropped, five slipped (slip 2)');
  await flooder.until(10);
  const slips = byId(flooder.replies.slice(5));
  t.same(slips.map((p) => `${p.rcode} tc=${tc(p)} answers=${p.answers?.length}`), Array(5).fill('NOERROR tc=true answers=0'), 'each slip is an empty TC=1 reply');
  t.same(slips.map((p) => p.id), [6, 8, 10, 12, 14], 'every second query over the limit is slipped, the others get nothing');
  t.same(slips.map((p) => p.questions?.[0]?.name), slips.map((p) => NAMES[p.id! % NAMES.length]), 'a slip carries its question');
  t.ok(slips.every((p) => (p.additionals ?? []).some((a) => a.type === 'OPT')), 'and an OPT, since the query had one');
  t.match(neighbour.replies, [{ rcode: 'NOERROR', flag_tc: false, answers: [{ data: '192.0.2.1' }] }], 'the neighbour, another /32, is answered');

  clock.now += 1000;
  flooder.send(1);
  await flooder.until(11);
  t.match(flooder.replies[10], { rcode: 'NOERROR', flag_tc: false, answers: [{ data: '192.0.2.1' }] }, 'a second later the flooder is answered again');

  const warnings = server.logs.filter((l) => l.kind === 'UDP queries over the rate limit');
  t.equal(warnings.length, 1, 'one log line for ten limited queries');
  t.match(warnings[0], { level: 40, prefix: '127.0.0.2/32', responsesPerSecond: 5, burst: 5, slip: 2 });
  const metrics = await (await fetch(`http://${server.server.admin.endpoints[0]}/metrics`)).text();
  t.match(metrics, /stopzone_rate_limited_total\{action="dropped"\} 5\n/);
  t.match(metrics, /stopzone_rate_limited_total\{action="slipped"\} 5\n/);
});

t.test('clients are counted per prefix: /24 for IPv4 by default, and IPv6 apart', async (t) => {
  const { server } = await setup(t, '{ responsesPerSecond: 5, burst: 5, slip: 1, exempt: [] }', '["127.0.0.1", "::1"]');
  const first = await udpClient(t, server.target, '127.0.0.2');
  first.send(5);
  await first.until(5);
  const sameSlash24 = await udpClient(t, server.target, '127.0.0.3');
  sameSlash24.send(2);
  await sameSlash24.until(2);
  t.same(byId(sameSlash24.replies).map(tc), [true, true], '127.0.0.3 shares 127.0.0.0/24 with 127.0.0.2: limited (slip 1: all TC=1)');
  const ipv6 = server.server.endpoints.find((e) => e.address === '::1')!;
  const other = await askUdp(ipv6, 'n1.example', { from: '::1' });
  t.match(other.packet, { rcode: 'NOERROR', flag_tc: false, answers: [{ data: '192.0.2.1' }] }, '::1 is another prefix: answered');
  t.match(server.logs.find((l) => l.kind === 'UDP queries over the rate limit'), { prefix: '127.0.0.0/24' }, 'the log names the /24');
});

t.test('an exempt network is never limited; loopback is exempt by default', async (t) => {
  const { server } = await setup(t, '{ responsesPerSecond: 2, burst: 2, slip: 1, ipv4PrefixLength: 32, exempt: ["127.0.0.4/31"] }');
  const exempt = await udpClient(t, server.target, '127.0.0.5');
  exempt.send(30);
  await exempt.until(30);
  t.equal(exempt.replies.filter((p) => p.rcode === 'NOERROR' && !tc(p) && p.answers?.length === 1).length, 30, '30 queries from 127.0.0.5 (in 127.0.0.4/31), all answered');
  const other = await udpClient(t, server.target, '127.0.0.6');
  other.send(4);
  await other.until(4);
  t.same(byId(other.replies).map(tc), [false, false, true, true], '127.0.0.6 is not exempt: two answers, then TC=1');
  t.same(limited(server), { dropped: 0, slipped: 2 });

  const { server: byDefault } = await setup(t, '{ responsesPerSecond: 2, burst: 2, slip: 1 }');
  const local = await udpClient(t, byDefault.target, '127.0.0.7');
  local.send(10);
  await local.until(10);
  t.equal(local.replies.filter((p) => !tc(p)).length, 10, 'with the default exempt list, loopback is not limited');
});

t.test('TCP is not limited: a client limited over UDP is answered over TCP', async (t) => {
  const { server } = await setup(t, '{ responsesPerSecond: 2, burst: 2, slip: 1, ipv4PrefixLength: 32, exempt: [] }');
  const client = await udpClient(t, server.target, '127.0.0.2');
  client.send(3);
  await client.until(3);
  // By query ID: the slip is sent at once, before the answers that went to the upstream.
  t.same(byId(client.replies).map(tc), [false, false, true], 'limited over UDP');
  const replies = await sendTcp(server.target, NAMES.slice(0, 10).map((name, id) => buildQuery(name, { id })), 5000, '127.0.0.2');
  t.same(replies.map((raw) => decodeReply(raw).answers?.length), Array(10).fill(1), 'ten queries over TCP from the same address, all answered');
  t.same(limited(server), { dropped: 0, slipped: 1 }, 'TCP queries are not counted');
});

t.test('rateLimit.enabled false: no limit, no metric', async (t) => {
  const { server } = await setup(t, '{ enabled: false, responsesPerSecond: 1, burst: 1, exempt: [] }');
  const client = await udpClient(t, server.target, '127.0.0.2');
  client.send(10);
  await client.until(10);
  t.equal(client.replies.filter((p) => !tc(p)).length, 10);
  t.equal(server.server.rateLimiter, undefined);
  t.notMatch(await (await fetch(`http://${server.server.admin.endpoints[0]}/metrics`)).text(), /stopzone_rate_limited_total/);
});
