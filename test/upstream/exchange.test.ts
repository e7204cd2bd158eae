import t, { type Test } from 'tap';
import { endpoint } from '../../src/config/address.js';
import dnsPacket from 'dns-packet';
import { UpstreamFailure, UpstreamPool, type UpstreamAnswer, type UpstreamPoolOptions, type UpstreamRequest } from '../../src/upstream/index.js';
import { FORGED_ADDRESS, startFakeUpstream, type FakeBehaviour, type FakeUpstream, type FakeUpstreamOptions } from '../helpers/fake-upstream.js';
import { ManualTimers } from '../helpers/manual-timers.js';
import { assertLoopbackAll } from '../helpers/loopback-guard.js';

const records = {
  'www.example.test': [{ type: 'A', ttl: 300, data: '192.0.2.1' }],
  'big.example.test': Array.from({ length: 40 }, (_, i) => ({ type: 'TXT', ttl: 300, data: `text record number ${i} padding padding` })),
};

function request(name: string, extra: Partial<UpstreamRequest> = {}, type = 1): UpstreamRequest {
  return { question: { name, lname: name.toLowerCase(), type, class: 1 }, dnssecOk: false, checkingDisabled: false, tcp: false, ...extra };
}

async function fake(t: Test, options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const upstream = await startFakeUpstream({ records, ...options });
  t.teardown(() => upstream.close());
  return upstream;
}

function pool(t: Test, upstreams: string[], options: Partial<UpstreamPoolOptions> = {}): UpstreamPool {
  assertLoopbackAll(upstreams);
  // Timers that only a test moves: no timeout fires because the machine is busy.
  const p = new UpstreamPool({ upstreams: upstreams.map((u) => endpoint(u, 'upstream')), timeoutMs: 150, deadlineMs: 1000, deadAfterFailures: 3, probeAfterMs: 10_000, udpPayload: 1232, retries: 0, timers: new ManualTimers(), ...options });
  t.teardown(() => p.close());
  return p;
}

function addresses(answer: UpstreamAnswer): string[] {
  return (dnsPacket.decode(answer.message).answers ?? []).map((a) => String((a as { data?: unknown }).data));
}

t.test('an ordinary answer: bytes as received, OPT included', async (t) => {
  const upstream = await fake(t);
  const answer = await pool(t, [upstream.hostPort]).resolve(request('WWW.example.test'));
  t.same(addresses(answer), ['192.0.2.1']);
  t.equal(answer.upstream, upstream.hostPort);
  t.equal(answer.transport, 'udp');
  t.equal(answer.rcode, 0);
  t.equal(dnsPacket.decode(answer.message).additionals?.[0]?.type, 'OPT', 'OPT kept');
  t.equal(dnsPacket.decode(answer.message).questions?.[0]?.name, 'WWW.example.test', 'as the upstream sent it');
});

t.test('what the upstream receives: RD=1, CD, DO and our payload size', async (t) => {
  const upstream = await fake(t);
  const p = pool(t, [upstream.hostPort], { udpPayload: 1400 });
  const rows = [
    { dnssecOk: false, checkingDisabled: false },
    { dnssecOk: true, checkingDisabled: false },
    { dnssecOk: false, checkingDisabled: true },
  ];
  for (const [i, row] of rows.entries()) {
    await p.resolve(request('www.example.test', row));
    const seen = upstream.queries[i]!;
    t.same({ rd: seen.rd, cd: seen.cd, opt: seen.opt, name: seen.name, type: seen.type }, { rd: true, cd: row.checkingDisabled, opt: { udpPayloadSize: 1400, dnssecOk: row.dnssecOk }, name: 'www.example.test', type: 'A' }, JSON.stringify(row));
  }
});

t.test('NXDOMAIN and NODATA are usable answers: no failover', async (t) => {
  const first = await fake(t);
  const second = await fake(t);
  const p = pool(t, [first.hostPort, second.hostPort]);
  t.equal((await p.resolve(request('nope.example.test'))).rcode, 3);
  const nodata = await p.resolve(request('www.example.test', {}, 28));
  t.equal(nodata.rcode, 0);
  t.same(addresses(nodata), []);
  t.equal(second.queries.length, 0, 'the second upstream was never asked');
});

t.test('forged answers are ignored; the right one that follows is taken', async (t) => {
  const rows: Array<{ lie: 'wrong-id' | 'wrong-question'; tcp: boolean }> = [
    { lie: 'wrong-id', tcp: false },
    { lie: 'wrong-question', tcp: false },
    { lie: 'wrong-id', tcp: true },
    { lie: 'wrong-question', tcp: true },
  ];
  for (const row of rows) {
    const upstream = await fake(t, { behaviour: { lie: row.lie } });
    const answer = await pool(t, [upstream.hostPort]).resolve(request('www.example.test', { tcp: row.tcp }));
    const name = `${row.lie} over ${row.tcp ? 'TCP' : 'UDP'}`;
    t.same(addresses(answer), ['192.0.2.1'], `${name}: the true address, not ${FORGED_ADDRESS}`);
    t.equal(upstream.answersSent, 2, `${name}: the forgery was sent first`);
  }
});

t.test('an upstream that only lies times out and fails', async (t) => {
  const rows: FakeBehaviour[] = [
    { lie: 'wrong-id', onlyLie: true },
    { lie: 'wrong-question', onlyLie: true },
  ];
  for (const behaviour of rows) {
    for (const tcp of [false, true]) {
      const upstream = await fake(t, { behaviour });
      const timers = new ManualTimers();
      let settled = false;
      const pending = pool(t, [upstream.hostPort], { timeoutMs: 100, timers }).resolve(request('www.example.test', { tcp })).catch((e: unknown) => e).finally(() => (settled = true));
      const name = `${JSON.stringify(behaviour)} over ${tcp ? 'TCP' : 'UDP'}`;
      await upstream.received(1);
      timers.advance(99);
      await new Promise((resolve) => setImmediate(resolve));
      t.notOk(settled, `${name}: the forgery did not end the wait`);
      timers.advance(1);
      const failure = await pending;
      t.type(failure, UpstreamFailure, name);
      t.match((failure as UpstreamFailure).attempts, [{ upstream: upstream.hostPort, error: /no answer within 100 ms/ }], `${name}: timed out`);
      t.equal(timers.elapsed, 100, `${name}: ended by the timeout`);
      t.equal(upstream.answersSent, 1, `${name}: one forgery was sent`);
    }
  }
});

t.test('TC=1 over UDP: asked again over TCP, new ID', async (t) => {
  const upstream = await fake(t, { behaviour: 'truncate' });
  const answer = await pool(t, [upstream.hostPort]).resolve(request('www.example.test'));
  t.equal(answer.transport, 'tcp');
  t.same(addresses(answer), ['192.0.2.1']);
  t.same(upstream.queries.map((q) => q.transport), ['udp', 'tcp'], 'the upstream saw UDP, then TCP');
  t.not(upstream.queries[0]!.id, upstream.queries[1]!.id, 'the TCP query has its own ID');
});

t.test('a large answer over our payload size comes whole over TCP', async (t) => {
  const upstream = await fake(t);
  const answer = await pool(t, [upstream.hostPort], { udpPayload: 512 }).resolve(request('big.example.test', {}, 16));
  t.equal(answer.transport, 'tcp');
  t.equal(dnsPacket.decode(answer.message).answers?.length, 40);
  t.ok(answer.message.length > 1232, `${answer.message.length} octets`);
  t.same(upstream.queries.map((q) => q.transport), ['udp', 'tcp']);
});

t.test('request.tcp: TCP only', async (t) => {
  const upstream = await fake(t);
  const answer = await pool(t, [upstream.hostPort]).resolve(request('www.example.test', { tcp: true }));
  t.equal(answer.transport, 'tcp');
  t.same(addresses(answer), ['192.0.2.1']);
  t.same(upstream.queries.map((q) => q.transport), ['tcp']);
});

t.test('an IPv6 upstream on ::1, UDP and TCP', async (t) => {
  const upstream = await fake(t, { address: '::1' });
  t.match(upstream.hostPort, /^\[::1\]:\d+$/);
  const p = pool(t, [upstream.hostPort]);
  t.same(addresses(await p.resolve(request('www.example.test'))), ['192.0.2.1']);
  t.equal((await p.resolve(request('www.example.test', { tcp: true }))).transport, 'tcp');
});

t.test('a slow upstream within the timeout is waited for', async (t) => {
  const upstream = await fake(t, { behaviour: 'hold' });
  const timers = new ManualTimers();
  const asked = pool(t, [upstream.hostPort], { timeoutMs: 500, timers }).resolve(request('www.example.test'));
  await upstream.received(1);
  timers.advance(499);
  upstream.release();
  t.same(addresses(await asked), ['192.0.2.1'], 'answered 499 ms into a 500 ms timeout');
  t.equal(upstream.queries.length, 1, 'not asked again');
});
