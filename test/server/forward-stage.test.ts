import t, { type Test } from 'tap';
import { endpoint } from '../../src/config/address.js';
import { forwardStage } from '../../src/server/stages/forward.js';
import { UpstreamFailure, UpstreamPool } from '../../src/upstream/index.js';
import { answerData, decodeReply } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { ManualTimers } from '../helpers/manual-timers.js';
import { stageQuery } from '../helpers/stage-query.js';

/** The forward stage alone (the last stage: it has no `next`), on a real pool and a fake upstream on loopback. */
async function setup(t: Test, behaviour: 'normal' | 'dead' = 'normal') {
  const upstream = await startFakeUpstream({ records: { 'www.example.test': [{ type: 'A', ttl: 300, data: '192.0.2.10' }] }, behaviour });
  const timers = new ManualTimers();
  const pool = new UpstreamPool({ upstreams: [endpoint(upstream.hostPort, 'upstream')], timeoutMs: 100, deadlineMs: 300, deadAfterFailures: 3, probeAfterMs: 1000, udpPayload: 1232, retries: 0, timers });
  const observed: Array<[string, number | null]> = [];
  t.teardown(async () => {
    await pool.close();
    await upstream.close();
  });
  return { upstream, timers, observed, stage: forwardStage(pool, (u, seconds) => observed.push([u, seconds])) };
}

const never = async (): Promise<never> => {
  throw new Error('the forward stage is last: it never calls next');
};

t.test('forward: asks the upstream, relays its answer with the client question, tells the observer', async (t) => {
  const { stage, upstream, observed } = await setup(t);
  const answer = await stage(stageQuery('WWW.example.test'), never);
  t.match(answer, { source: 'upstream', rcode: 0, upstream: upstream.hostPort });
  const reply = decodeReply(answer.message!);
  t.same(answerData({ packet: reply, raw: answer.message! }), ['192.0.2.10']);
  t.equal(upstream.queries.length, 1);
  t.equal(upstream.queries[0]!.transport, 'udp');
  t.same(observed.map(([u, s]) => [u, typeof s]), [[upstream.hostPort, 'number']], 'one timed exchange observed');
});

t.test('forward: a TCP client is forwarded over TCP', async (t) => {
  const { stage, upstream } = await setup(t);
  await stage(stageQuery('www.example.test', { transport: 'tcp' }), never);
  t.same(upstream.queries.map((q) => q.transport), ['tcp']);
});

t.test('forward: RD=0 is never forwarded: REFUSED with EDE 20 (RFC 8914 section 4.21)', async (t) => {
  const { stage, upstream } = await setup(t);
  const answer = await stage(stageQuery('www.example.test', { rd: false }), never);
  t.match(answer, { source: 'local', rcode: 5, ede: { code: 20 } });
  t.equal(upstream.queries.length, 0, 'nothing sent upstream');
});

t.test('forward: every upstream failing rejects with UpstreamFailure, each attempt observed as failed', async (t) => {
  const { stage, upstream, timers, observed } = await setup(t, 'dead');
  const failing = Promise.resolve(stage(stageQuery('www.example.test'), never));
  await upstream.received(1);
  timers.advance(100);
  await t.rejects(failing, UpstreamFailure);
  t.same(observed, [[upstream.hostPort, null]], 'the failed attempt observed with no time');
});
