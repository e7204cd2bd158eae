import t, { type Test } from 'tap';
import { endpoint } from '../../src/config/address.js';
import { UpstreamPool, type UpstreamPoolOptions, type UpstreamRequest } from '../../src/upstream/index.js';
import { startFakeUpstream, type FakeBehaviour, type FakeUpstream } from '../helpers/fake-upstream.js';
import { assertLoopbackAll } from '../helpers/loopback-guard.js';

const records = { 'www.example.test': [{ type: 'A', ttl: 300, data: '192.0.2.1' }] };

/** A distinct name per call, so that no two requests share an exchange. */
let counter = 0;
function request(): UpstreamRequest {
  const name = `q${++counter}.www.example.test`;
  return { question: { name, lname: name, type: 1, class: 1 }, dnssecOk: false, checkingDisabled: false, tcp: false };
}

async function setup(t: Test, behaviours: FakeBehaviour[], options: Partial<UpstreamPoolOptions> = {}) {
  const fakes = await Promise.all(behaviours.map((behaviour) => startFakeUpstream({ records, behaviour })));
  let clock = 1_000_000;
  const upstreams = fakes.map((u) => u.hostPort);
  assertLoopbackAll(upstreams);
  const pool = new UpstreamPool({ upstreams: upstreams.map((u) => endpoint(u, 'upstream')), timeoutMs: 100, deadlineMs: 2000, deadAfterFailures: 2, probeAfterMs: 5000, udpPayload: 1232, now: () => clock, ...options });
  t.teardown(async () => {
    await pool.close();
    await Promise.all(fakes.map((u) => u.close()));
  });
  const asked = () => fakes.map((u) => u.queries.length);
  return { pool, fakes: fakes as [FakeUpstream, FakeUpstream], asked, advance: (ms: number) => (clock += ms) };
}

t.test('dead after deadAfterFailures, skipped, probed after probeAfterMs on the clock, revived by an answer', async (t) => {
  const { pool, fakes, asked, advance } = await setup(t, ['servfail', 'normal']);
  const [first, second] = fakes;
  await pool.resolve(request());
  t.same(pool.status(), [
    { upstream: first.hostPort, alive: true, consecutiveFailures: 1 },
    { upstream: second.hostPort, alive: true, consecutiveFailures: 0 },
  ], 'one failure: still alive');
  await pool.resolve(request());
  t.same(pool.status()[0], { upstream: first.hostPort, alive: false, consecutiveFailures: 2 }, 'two: dead');
  t.same(asked(), [2, 2]);

  first.setBehaviour('normal');
  advance(4999);
  t.equal((await pool.resolve(request())).upstream, second.hostPort, 'before probeAfterMs: skipped');
  t.same(asked(), [2, 3], 'the dead one was not asked');

  advance(1);
  t.equal((await pool.resolve(request())).upstream, first.hostPort, 'at probeAfterMs: probed, and it answered');
  t.same(pool.status()[0], { upstream: first.hostPort, alive: true, consecutiveFailures: 0 }, 'alive again');
  t.equal((await pool.resolve(request())).upstream, first.hostPort, 'first in order again');
});

t.test('a failed probe keeps it dead and restarts the wait from the probe', async (t) => {
  const { pool, fakes, asked, advance } = await setup(t, ['dead', 'normal'], { deadAfterFailures: 1 });
  await pool.resolve(request());
  t.equal(pool.status()[0]!.alive, false);
  advance(5000);
  t.equal((await pool.resolve(request())).upstream, fakes[1].hostPort, 'the probe timed out; the second answered');
  t.same(asked(), [2, 2]);
  t.same(pool.status()[0], { upstream: fakes[0].hostPort, alive: false, consecutiveFailures: 2 });
  advance(4999);
  await pool.resolve(request());
  t.same(asked(), [2, 3], 'not probed again before probeAfterMs from the failed probe');
  advance(1);
  await pool.resolve(request());
  t.same(asked(), [3, 4], 'probed again');
});

t.test('one query probes at a time', async (t) => {
  const { pool, fakes, asked, advance } = await setup(t, ['servfail', 'normal'], { deadAfterFailures: 1 });
  await pool.resolve(request());
  fakes[0].setBehaviour('hold');
  advance(5000);
  const asking = Promise.all([pool.resolve(request()), pool.resolve(request()), pool.resolve(request())]);
  await fakes[0].received(2); // the probe reached the dead upstream; it answers only when released
  fakes[0].release();
  const answers = await asking;
  t.same(answers.map((a) => a.upstream).sort(), [fakes[0].hostPort, fakes[1].hostPort, fakes[1].hostPort].sort(), 'the probe answered one; the others went on');
  t.same(asked(), [2, 3]);
});

t.test('every upstream dead: still tried, the longest-failed first', async (t) => {
  const { pool, fakes, advance } = await setup(t, ['servfail', 'normal'], { deadAfterFailures: 1 });
  const [first, second] = fakes;
  await pool.resolve(request()); // the first fails at 0 ms
  advance(10);
  second.setBehaviour('servfail');
  await pool.resolve(request()).catch(() => {}); // the first is skipped; the second fails at 10 ms
  advance(4990);
  await pool.resolve(request()).catch(() => {}); // only the first is due: its probe fails at 5000 ms
  t.same(pool.status().map((s) => s.alive), [false, false], 'both dead');
  advance(5);
  first.setBehaviour('normal');
  second.setBehaviour('normal');
  const before = [first.queries.length, second.queries.length];
  const answer = await pool.resolve(request());
  t.equal(answer.upstream, second.hostPort, 'the second failed longest ago, so it goes first, out of config order');
  t.same([first.queries.length, second.queries.length], [before[0], before[1]! + 1]);
  t.equal(pool.status()[1]!.alive, true, 'and it is alive again');
});

t.test('failures cut short by the deadline are not counted', async (t) => {
  const { pool } = await setup(t, ['dead', 'dead'], { timeoutMs: 100, deadlineMs: 150 });
  await pool.resolve(request()).catch(() => {});
  t.same(pool.status().map((s) => s.consecutiveFailures), [1, 0], 'the first timed out; the second was cut by the deadline');
});
