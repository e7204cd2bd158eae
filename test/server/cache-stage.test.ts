import t from 'tap';
import { AnswerCache } from '../../src/cache/answer-cache.js';
import { cacheStage } from '../../src/server/stages/cache.js';
import { UpstreamFailure } from '../../src/upstream/index.js';
import { answerTtls, decodeReply } from '../helpers/dns-client.js';
import { recordingNext, stageQuery, upstreamAnswer } from '../helpers/stage-query.js';

/** The cache stage alone, with a recording fake `next` and a clock the test moves. */
function setup(maxTtl = 86400) {
  let clock = 1_000_000;
  const cache = new AnswerCache({ maxEntries: 100, maxBytes: 1 << 20, minTtl: 0, maxTtl, maxNegativeTtl: 3600, serveStale: true, staleAnswerTtl: 30, maxStaleSeconds: 600, now: () => clock });
  return { stage: cacheStage(cache), advance: (seconds: number) => (clock += seconds * 1000) };
}

const ttls = (message: Buffer | null) => answerTtls({ packet: decodeReply(message!), raw: message! });

t.test('cache: a miss asks next and stores; the next identical question is a hit and next does not run', async (t) => {
  const { stage, advance } = setup();
  const first = recordingNext(upstreamAnswer('www.example.test', 300));
  t.match(await stage(stageQuery('www.example.test'), first.next), { source: 'upstream', rcode: 0 });
  t.same(first.seen, ['www.example.test'], 'miss: next ran');
  advance(10);
  const second = recordingNext(new Error('next must not run on a hit'));
  const hit = await stage(stageQuery('WWW.Example.Test'), second.next);
  t.same(second.seen, [], 'hit: next never ran, whatever the letter case');
  t.equal(hit.source, 'cache');
  t.same(ttls(hit.message), [290], 'TTL counted down by the 10 s that passed');
});

t.test('cache: the first client already sees the capped TTL', async (t) => {
  const { stage } = setup(60);
  const answer = await stage(stageQuery('www.example.test'), recordingNext(upstreamAnswer('www.example.test', 300)).next);
  t.same(ttls(answer.message), [60]);
});

t.test('cache: DO=1 and DO=0 are cached apart', async (t) => {
  const { stage } = setup();
  await stage(stageQuery('www.example.test'), recordingNext(upstreamAnswer('www.example.test')).next);
  const signed = recordingNext(upstreamAnswer('www.example.test'));
  await stage(stageQuery('www.example.test', { dnssecOk: true }), signed.next);
  t.same(signed.seen, ['www.example.test'], 'DO=1 was a miss although DO=0 was cached');
});

t.test('cache: when next fails with UpstreamFailure, a stale answer is served; anything else is passed on', async (t) => {
  const { stage, advance } = setup();
  await stage(stageQuery('www.example.test'), recordingNext(upstreamAnswer('www.example.test', 300)).next);
  advance(301);
  const failing = recordingNext(new UpstreamFailure('every upstream failed', []));
  const stale = await stage(stageQuery('www.example.test'), failing.next);
  t.same(failing.seen, ['www.example.test'], 'expired: next was asked first');
  t.equal(stale.source, 'stale');
  t.same(ttls(stale.message), [30], 'the stale answer TTL (RFC 8767 section 4)');
  await t.rejects(async () => stage(stageQuery('other.example.test'), recordingNext(new UpstreamFailure('every upstream failed', [])).next), UpstreamFailure, 'nothing stale: the failure goes on');
  await t.rejects(async () => stage(stageQuery('www.example.test'), recordingNext(new Error('a bug')).next), { message: 'a bug' }, 'not an upstream failure: no stale answer hides it');
});

t.test('cache: answers that are not from an upstream are not stored', async (t) => {
  const { stage } = setup();
  const local = { ...upstreamAnswer('www.example.test'), source: 'local' as const };
  await stage(stageQuery('www.example.test'), recordingNext(local).next);
  const again = recordingNext(upstreamAnswer('www.example.test'));
  await stage(stageQuery('www.example.test'), again.next);
  t.same(again.seen, ['www.example.test'], 'a local answer left nothing in the cache');
});
