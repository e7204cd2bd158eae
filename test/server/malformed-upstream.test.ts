import t, { type Test } from 'tap';
import { answerData, askTcp, askUdp, type Reply } from '../helpers/dns-client.js';
import { dig, hasDig } from '../helpers/dig.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { answerWith, malformedAnswers, pointer } from '../helpers/malformed-answers.js';
import { startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';

/**
 * D11 (issue 17): an upstream answer that is not a well-formed DNS message is
 * a failure of that upstream: never relayed, never cached, counted in
 * /metrics and logged at debug. And what Stopzone sends always parses.
 */

const records = { 'www.example.test': [{ type: 'A', ttl: 300, data: '192.0.2.10' }] };

async function setup(t: Test, upstreamCount: number, extra = '') {
  let clock = 7_000_000;
  const upstreams: FakeUpstream[] = [];
  for (let i = 0; i < upstreamCount; i++) upstreams.push(await startFakeUpstream({ records }));
  // retries 0: each client query asks each upstream once, so the queries an upstream saw are countable.
  // workers 1: the upstreams' health read below is that of the one answering loop (each worker keeps its own).
  const server: TestServer = await startTestServer(testConfig(upstreams.map((u) => u.hostPort), `workers: 1\nupstream: { timeoutMs: 500, deadlineMs: 2000, retries: 0 }\n${extra}`), { now: () => clock });
  t.teardown(async () => {
    await server.close();
    await Promise.all(upstreams.map((u) => u.close()));
  });
  return { server, upstreams, advance: (seconds: number) => (clock += seconds * 1000) };
}

async function malformedCount(server: TestServer, upstream: FakeUpstream): Promise<number> {
  const metrics = await (await fetch(`http://${server.server.admin.endpoints[0]}/metrics`)).text();
  const line = metrics.split('\n').find((l) => l.startsWith(`stopzone_upstream_malformed_answers_total{upstream="${upstream.hostPort}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

for (const [what, raw] of Object.entries(malformedAnswers)) {
  t.test(`${what}: SERVFAIL over UDP and TCP, nothing cached, counted and logged`, async (t) => {
    const { server, upstreams } = await setup(t, 1);
    const upstream = upstreams[0]!;
    upstream.setBehaviour({ raw });
    const replies: Reply[] = [await askUdp(server.target, 'www.example.test'), await askUdp(server.target, 'www.example.test'), await askTcp(server.target, 'www.example.test')];
    t.same(replies.map((r) => r.packet.rcode), ['SERVFAIL', 'SERVFAIL', 'SERVFAIL'], 'every client gets SERVFAIL');
    t.same(replies.map((r) => r.packet.answers?.length), [0, 0, 0], 'nothing of the broken answer is relayed');
    t.equal(upstream.queries.length, 3, 'the upstream was asked each time: nothing was cached');
    t.same(upstream.queries.map((q) => q.transport), ['udp', 'udp', 'tcp']);
    t.equal(await malformedCount(server, upstream), 3, 'the metric counts each malformed answer');
    t.same(server.server.pool!.status()[0]?.consecutiveFailures, 3, 'each counts as a failure of the upstream');
    const lines = server.logs.filter((l) => l.msg === 'malformed upstream answer');
    t.equal(lines.length, 3, 'one debug line per malformed answer');
    t.match(lines[0], { level: 20, upstream: upstream.hostPort, qname: 'www.example.test', reason: /./ });
  });

  t.test(`${what} from the first upstream: the client gets the second upstream's answer`, async (t) => {
    const { server, upstreams } = await setup(t, 2);
    const [broken, good] = upstreams as [FakeUpstream, FakeUpstream];
    broken.setBehaviour({ raw });
    const reply = await askUdp(server.target, 'www.example.test');
    t.equal(reply.packet.rcode, 'NOERROR');
    t.same(answerData(reply), ['192.0.2.10'], "the good upstream's answer");
    t.same([broken.queries.length, good.queries.length], [1, 1]);
    t.equal(await malformedCount(server, broken), 1);
    t.equal(await malformedCount(server, good), 0);
    t.same(server.server.pool!.status().map((s) => s.consecutiveFailures), [1, 0], 'counted against the first');
  });
}

t.test('a malformed answer where a stale one is cached: the stale answer (RFC 8767)', async (t) => {
  const { server, upstreams, advance } = await setup(t, 1);
  const upstream = upstreams[0]!;
  t.same(answerData(await askUdp(server.target, 'www.example.test')), ['192.0.2.10']);
  advance(301);
  upstream.setBehaviour({ raw: malformedAnswers['a compression loop']! });
  const stale = await askUdp(server.target, 'www.example.test');
  t.equal(stale.packet.rcode, 'NOERROR');
  t.same(answerData(stale), ['192.0.2.10'], 'the stale answer, not the broken one');
  t.equal(upstream.queries.length, 2);
  t.equal(await malformedCount(server, upstream), 1);
});

const A_TAIL = [0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2];
/**
 * A referral-shaped answer: `answers` A records for the question, an NS whose
 * target is ns1 + a pointer to the question, and `glue` A records in the
 * additional section whose owners point back into the NS record's RDATA.
 */
function withGlue(answers: number, glue: number) {
  return (query: Buffer): Buffer =>
    answerWith(query, [answers, 1, glue], (at) => {
      const out: number[] = [];
      for (let i = 0; i < answers; i++) out.push(...pointer(12), ...A_TAIL, 10 + i);
      const nsTarget = at + out.length + 2 + 10;
      out.push(...pointer(12), 0, 2, 0, 1, 0, 0, 0x0e, 0x10, 0, 6, 3, 0x6e, 0x73, 0x31, ...pointer(12));
      for (let i = 0; i < glue; i++) out.push(...pointer(nsTarget), ...A_TAIL, 100 + i);
      return out;
    });
}

t.test('what is sent always parses: pointers into cut sections, small payload sizes (dns-packet and dig)', async (t) => {
  const rows = [
    { name: 'glue pointing back, fits once the additional section is cut', raw: withGlue(2, 30), rcode: 'NOERROR', answers: 2, tc: false },
    { name: 'glue pointing back, answer too large for 512 bytes', raw: withGlue(40, 30), rcode: 'NOERROR', answers: 0, tc: true },
    { name: 'an owner pointing forward into the additional section', raw: malformedAnswers['a forward pointer']!, rcode: 'SERVFAIL', answers: 0, tc: false },
  ];
  const withDig = await hasDig();
  for (const row of rows) {
    const { server, upstreams } = await setup(t, 1);
    upstreams[0]!.setBehaviour({ raw: row.raw });
    for (const bufsize of [undefined, 512]) {
      const how = `${row.name}, ${bufsize === undefined ? 'no EDNS' : `EDNS ${bufsize}`}`;
      const reply = await askUdp(server.target, 'www.example.test', bufsize === undefined ? {} : { bufsize });
      t.ok(reply.raw.length <= 512, `${how}: at most 512 bytes (${reply.raw.length})`);
      t.equal(reply.packet.rcode, row.rcode, `${how}: ${row.rcode}`);
      t.equal(reply.packet.flag_tc, row.tc, `${how}: TC=${row.tc}`);
      t.equal(reply.packet.answers?.length, row.answers, `${how}: ${row.answers} answers`);
      if (!withDig) continue;
      const printed = await dig(server.target, ['www.example.test', 'A', '+ignore', bufsize === undefined ? '+noedns' : `+bufsize=${bufsize}`]);
      t.notMatch(printed, /Got bad packet|malformed|Warning/i, `${how}: dig parses it`);
      t.match(printed, new RegExp(`status: ${row.rcode}`), `${how}: dig reads ${row.rcode}`);
    }
  }
  if (!withDig) t.comment('dig is not installed (Debian: bind9-dnsutils): checked with dns-packet only');
});
