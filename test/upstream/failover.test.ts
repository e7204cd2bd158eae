import t, { type Test } from 'tap';
import { endpoint } from '../../src/config/address.js';
import { UpstreamFailure, UpstreamPool, type UpstreamPoolOptions, type UpstreamRequest } from '../../src/upstream/index.js';
import { startFakeUpstream, type FakeBehaviour, type FakeUpstream } from '../helpers/fake-upstream.js';
import { assertLoopbackAll } from '../helpers/loopback-guard.js';
import { malformedAnswers } from '../helpers/malformed-answers.js';
import { ManualTimers } from '../helpers/manual-timers.js';

const records = { 'www.example.test': [{ type: 'A', ttl: 300, data: '192.0.2.1' }] };
const request: UpstreamRequest = { question: { name: 'www.example.test', lname: 'www.example.test', type: 1, class: 1 }, dnssecOk: false, checkingDisabled: false, tcp: false };

async function fakes(t: Test, behaviours: FakeBehaviour[]): Promise<FakeUpstream[]> {
  const list = await Promise.all(behaviours.map((behaviour) => startFakeUpstream({ records, behaviour })));
  t.teardown(() => Promise.all(list.map((u) => u.close())));
  return list;
}

function pool(t: Test, upstreams: FakeUpstream[], options: Partial<UpstreamPoolOptions> = {}): UpstreamPool {
  const list = upstreams.map((u) => u.hostPort);
  assertLoopbackAll(list);
  const p = new UpstreamPool({ upstreams: list.map((u) => endpoint(u, 'upstream')), timeoutMs: 100, deadlineMs: 1000, deadAfterFailures: 3, probeAfterMs: 10_000, udpPayload: 1232, retries: 0, ...options });
  t.teardown(() => p.close());
  return p;
}

t.test('a failing first upstream: the second answers', async (t) => {
  const rows: Array<{ behaviour: FakeBehaviour; error: RegExp }> = [
    { behaviour: 'dead', error: /no answer within 100 ms/ },
    { behaviour: 'servfail', error: /answered SERVFAIL over UDP/ },
    { behaviour: 'refused', error: /answered REFUSED/ },
    { behaviour: { rcode: 'NOTIMP' }, error: /answered NOTIMP/ },
    { behaviour: { rcode: 'FORMERR' }, error: /answered FORMERR/ },
  ];
  for (const row of rows) {
    const name = JSON.stringify(row.behaviour);
    const [first, second] = (await fakes(t, [row.behaviour, 'normal'])) as [FakeUpstream, FakeUpstream];
    const p = pool(t, [first, second]);
    const answer = await p.resolve(request);
    t.equal(answer.upstream, second.hostPort, `${name}: the second upstream answered`);
    t.equal(first.queries.length, 1, `${name}: the first was asked once`);
    t.same(p.status().map((s) => s.consecutiveFailures), [1, 0], `${name}: counted against the first`);
  }
});

t.test('a malformed answer is a failure of its upstream: the next one answers, the hook is told', async (t) => {
  for (const [what, raw] of Object.entries(malformedAnswers)) {
    for (const tcp of [false, true]) {
      const name = `${what} over ${tcp ? 'TCP' : 'UDP'}`;
      const [broken, good] = (await fakes(t, [{ raw }, 'normal'])) as [FakeUpstream, FakeUpstream];
      const told: string[] = [];
      const p = pool(t, [broken, good], { onMalformedAnswer: (upstream, reason) => told.push(`${upstream}: ${reason}`) });
      const answer = await p.resolve({ ...request, tcp });
      t.equal(answer.upstream, good.hostPort, `${name}: the second upstream answered`);
      t.same(p.status().map((s) => s.consecutiveFailures), [1, 0], `${name}: counted against the first`);
      t.equal(told.length, 1, `${name}: the hook heard of it once`);
      t.match(told[0], new RegExp(`^${broken.hostPort.replace(/\./g, '\\.')}: malformed answer over ${tcp ? 'TCP' : 'UDP'}: `), `${name}: ${told[0]}`);
    }
  }
  const [only] = (await fakes(t, [{ raw: malformedAnswers['a compression loop']! }])) as [FakeUpstream];
  const failure = await pool(t, [only]).resolve(request).catch((e: unknown) => e);
  t.type(failure, UpstreamFailure, 'alone, it is an UpstreamFailure');
  t.match((failure as UpstreamFailure).attempts, [{ upstream: only.hostPort, error: /malformed answer over UDP: .*loop/ }]);
});

t.test('every upstream failing: UpstreamFailure listing each attempt', async (t) => {
  const list = await fakes(t, ['servfail', 'refused', 'dead']);
  const failure = await pool(t, list).resolve(request).catch((e: unknown) => e);
  t.type(failure, UpstreamFailure);
  t.match((failure as UpstreamFailure).attempts, [
    { upstream: list[0]!.hostPort, error: /SERVFAIL/ },
    { upstream: list[1]!.hostPort, error: /REFUSED/ },
    { upstream: list[2]!.hostPort, error: /no answer within/ },
  ]);
  t.equal((failure as UpstreamFailure).attempts.length, 3);
  t.match((failure as Error).message, /every upstream failed/);
});

t.test('all upstreams dead: rejected at the deadline, not before nor later (on injected timers)', async (t) => {
  const list = await fakes(t, ['dead', 'dead', 'dead', 'dead']);
  const deadlineMs = 250;
  const timers = new ManualTimers();
  let settled = false;
  const pending = pool(t, list, { timeoutMs: 100, deadlineMs, timers }).resolve(request).catch((e: unknown) => e).finally(() => (settled = true));
  await list[0]!.received(1);
  timers.advance(100);
  await list[1]!.received(1);
  timers.advance(100);
  await list[2]!.received(1);
  timers.advance(49);
  await new Promise((resolve) => setImmediate(resolve));
  t.notOk(settled, 'still waiting 1 ms before the deadline');
  timers.advance(1);
  const failure = await pending;
  t.equal(timers.elapsed, deadlineMs, 'rejected when the deadline came');
  t.equal(timers.pending, 0, 'no timer left behind');
  t.type(failure, UpstreamFailure);
  const attempts = (failure as UpstreamFailure).attempts;
  t.same(attempts.map((a) => a.upstream), list.slice(0, 3).map((u) => u.hostPort), 'two timed out, the third was cut by the deadline, the fourth never asked');
  t.match(attempts[2], { error: /deadline of 250 ms/ });
  t.equal(list[3]!.queries.length, 0);
});

t.test('an upstream with nothing listening fails fast (ICMP unreachable / connection refused)', async (t) => {
  const [gone, live] = (await fakes(t, ['normal', 'normal'])) as [FakeUpstream, FakeUpstream];
  await gone.close();
  for (const tcp of [false, true]) {
    // Timers that never move: an answer at all means the failure came from the network, not from a timeout.
    const timers = new ManualTimers();
    const answer = await pool(t, [gone, live], { timeoutMs: 2000, deadlineMs: 3000, timers }).resolve({ ...request, tcp });
    t.equal(answer.upstream, live.hostPort, tcp ? 'TCP' : 'UDP');
    t.equal(timers.elapsed, 0, `${tcp ? 'TCP' : 'UDP'}: answered with no time passing: the 2 s timeout was not waited for`);
  }
});

t.test('rejections are only ever UpstreamFailure', async (t) => {
  const [upstream] = (await fakes(t, ['normal'])) as [FakeUpstream];
  const p = pool(t, [upstream]);
  const bad = await p.resolve({ ...request, question: { name: 'a..b', lname: 'a..b', type: 1, class: 1 } }).catch((e: unknown) => e);
  t.type(bad, UpstreamFailure, 'an unencodable name');
  t.equal(upstream.queries.length, 0, 'nothing was sent for it');
  t.same(p.status()[0], { upstream: upstream.hostPort, alive: true, consecutiveFailures: 0 }, 'not the upstream’s fault');
});

t.test('bad options are refused at construction, naming the option', async (t) => {
  const base = { upstreams: [endpoint('127.0.0.1:5300', 'upstream')], timeoutMs: 100, deadlineMs: 1000, deadAfterFailures: 3, probeAfterMs: 1000, udpPayload: 1232 };
  t.throws(() => new UpstreamPool({ ...base, upstreams: [] }), { message: /"upstreams" is empty/ });
  t.throws(() => endpoint('127.0.0.1', 'upstream'), { message: /upstream "127\.0\.0\.1": expected/ }, 'a bad address is refused where the config is read');
  t.throws(() => new UpstreamPool({ ...base, timeoutMs: 0 }), { message: /"timeoutMs" is 0; expected a positive integer/ });
  t.throws(() => new UpstreamPool({ ...base, deadAfterFailures: 1.5 }), { message: /"deadAfterFailures" is 1\.5/ });
});

t.test('retries: after every upstream failed, each is tried again within the deadline', async (t) => {
  const [only] = await fakes(t, ['dead']);
  const failure = await pool(t, [only!], { timeoutMs: 100, deadlineMs: 1000, retries: 1 }).resolve(request).catch((e: unknown) => e);
  t.same((failure as UpstreamFailure).attempts.map((a) => a.upstream), [only!.hostPort, only!.hostPort], 'asked twice');
  t.equal(only!.queries.length, 2);
});
