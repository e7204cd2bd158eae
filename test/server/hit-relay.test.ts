import t from 'tap';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { once } from 'node:events';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { PolicySet, type PolicyHit, type ZoneSettings } from '../../src/rpz/policy-set.js';
import { decodeQuery } from '../../src/server/decode-query.js';
import { HitBatcher, hitReceiver, type HitBatch } from '../../src/server/hit-relay.js';
import { policyStage } from '../../src/server/stages/policy.js';
import { isPending } from '../../src/runtime/awaitable.js';
import type { Answer, ClientGroup, PacketMeta, Query } from '../../src/model/query.js';
import { buildQuery } from '../helpers/dns-client.js';
import { upstreamAnswer } from '../helpers/stage-query.js';

/**
 * The records a worker posts the main thread for the block log (a HitBatch, through a real MessagePort with
 * its bytes transferred) come out as the Query and Answer they were made from: the query as decoded in the
 * worker, and each hit with its zone and settings as in force on the main thread.
 */

const settings = (policy: ZoneSettings['policy'], logName: string): ZoneSettings => ({ policy, maxPolicyTtl: 5, breakDnssec: false, logName, ede: { code: 15 }, log: true });
const zoneText = (names: string[]): string => `$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n${names.map((name) => `${name} CNAME .`).join('\n')}\n`;

const applied = await loadPolicyZoneText(zoneText(['bad.example', '*.bad.example', 'both.example']), 'applied.rpz');
const disabled = await loadPolicyZoneText(zoneText(['both.example', 'only-disabled.example']), 'disabled.rpz');
const policy = new PolicySet([
  { zone: disabled, settings: settings('disabled', 'disabled list') },
  { zone: applied, settings: settings('given', 'applied list') },
]);
const stage = policyStage({ current: () => policy }, { a: [], aaaa: [] });
// A name only the disabled zone lists is forwarded: this is the upstream's answer.
const forwarded = (q: Query): Answer => upstreamAnswer(q.question.name);

const group: ClientGroup = { name: 'pupils', index: 2, upstreamSet: 1, grouped: true };

function query(name: string, meta: PacketMeta, withGroup?: ClientGroup): Query {
  const decoded = decodeQuery(buildQuery(name, { bufsize: 1232 }), meta, withGroup === undefined ? undefined : () => withGroup);
  if (decoded.kind !== 'query') throw new Error(`not a query: ${name}`);
  return decoded.query;
}

async function answerFor(q: Query): Promise<Answer> {
  const answer = stage(q, forwarded);
  return isPending(answer) ? await answer : answer;
}

/** Posts the batch through a real port, its buffer transferred, and hands what arrives to a receiver. */
async function relay(batch: HitBatch, receiving: PolicySet = policy): Promise<Array<{ query: Query; answer: Answer; ede: number | null }>> {
  const { port1, port2 }: { port1: MessagePort; port2: MessagePort } = new MessageChannel();
  const arrived = once(port2, 'message');
  port1.postMessage({ type: 'hits', batch }, [batch.bytes.buffer]);
  const [message] = (await arrived) as [{ batch: HitBatch }];
  port1.close();
  const seen: Array<{ query: Query; answer: Answer; ede: number | null }> = [];
  hitReceiver({ current: () => receiving }, (q, a, ede) => seen.push({ query: q, answer: a, ede }))(message.batch);
  return seen;
}

/** What the block log and the stop page read of a hit: everything but the rule's local data. */
const hitView = (hit: PolicyHit | undefined) =>
  hit === undefined ? undefined : { ...hit, given: { kind: hit.given.kind, ttl: hit.given.ttl }, rule: { kind: hit.rule.kind, ttl: hit.rule.ttl } };
const answerView = (answer: Answer) => ({ source: answer.source, rcode: answer.rcode, policy: hitView(answer.policy), wouldHave: answer.wouldHave?.map(hitView) });

t.test('each record arrives as the query and answer it was made from', async (t) => {
  const batcher = new HitBatcher();
  const sent: Array<{ query: Query; answer: Answer; ede: number | null }> = [];
  const cases: Array<[string, PacketMeta, ClientGroup | undefined, number | null]> = [
    ['bad.example', { client: { address: '127.0.0.1', port: 5300 }, transport: 'udp', listener: '127.0.0.1:53' }, undefined, 15],
    ['Deep.Below.BAD.example', { client: { address: '::1', port: 40000 }, transport: 'tcp', listener: '[::1]:53' }, group, null],
    ['both.example', { client: { address: '127.0.0.2', port: 1 }, transport: 'udp', listener: '127.0.0.1:53' }, group, 15],
    ['only-disabled.example', { client: { address: '127.0.0.3', port: 2 }, transport: 'udp', listener: '127.0.0.1:53' }, undefined, null],
  ];
  for (const [name, meta, withGroup, ede] of cases) {
    const q = query(name, meta, withGroup);
    const answer = await answerFor(q);
    batcher.add(q, answer, ede);
    sent.push({ query: q, answer, ede });
  }
  // An rpz-ip hit's address travels too.
  const withAddress = sent[0]!;
  const addressed: Answer = { ...withAddress.answer, policy: { ...withAddress.answer.policy!, address: '192.0.2.7' } };
  batcher.add(withAddress.query, addressed, 15);
  sent.push({ query: withAddress.query, answer: addressed, ede: 15 });

  t.equal(batcher.count, sent.length);
  t.ok(sent.some(({ answer }) => answer.policy !== undefined && answer.wouldHave !== undefined), 'a case with a hit applied and one that would have been');
  t.ok(sent.some(({ answer }) => answer.policy === undefined && answer.wouldHave !== undefined), 'a case with only a hit that would have been');
  const seen = await relay(batcher.take());
  t.equal(batcher.count, 0, 'taking a batch starts a new one');
  t.equal(seen.length, sent.length);
  for (const [i, { query: q, answer, ede }] of sent.entries()) {
    t.same(seen[i]!.query, q, `query ${i}: decoded again as in the worker`);
    t.same(answerView(seen[i]!.answer), answerView(answer), `answer ${i}: the same hits`);
    t.equal(seen[i]!.answer.policy?.zone, answer.policy?.zone, `answer ${i}: the zone in force here`);
    t.equal(seen[i]!.answer.message, null, 'the answer itself stays in the worker');
    t.equal(seen[i]!.ede, ede);
  }
});

t.test('a batch larger than its first buffer keeps every query whole', async (t) => {
  const batcher = new HitBatcher();
  const sent: Query[] = [];
  const meta: PacketMeta = { client: { address: '127.0.0.1', port: 5300 }, transport: 'udp', listener: 'test' };
  for (let i = 0; i < 400; i++) {
    const q = query(`${'x'.repeat(40)}.${i}.bad.example`, meta);
    batcher.add(q, await answerFor(q), 15);
    sent.push(q);
  }
  const batch = batcher.take();
  t.ok(batch.bytes.byteLength > 16_384, `${batch.bytes.byteLength} bytes of queries`);
  const seen = await relay(batch);
  t.same(
    seen.map(({ query: q }) => q.question.name),
    sent.map((q) => q.question.name),
  );
});

t.test('a hit whose zone is not in force on the receiving side is left out', async (t) => {
  const batcher = new HitBatcher();
  const q = query('both.example', { client: { address: '127.0.0.1', port: 5300 }, transport: 'udp', listener: 'test' });
  const answer = await answerFor(q);
  t.ok(answer.policy !== undefined && answer.wouldHave?.length === 1);
  batcher.add(q, answer, 15);
  const onlyDisabled = new PolicySet([{ zone: disabled, settings: settings('disabled', 'disabled list') }]);
  const [record] = await relay(batcher.take(), onlyDisabled);
  t.equal(record!.answer.policy, undefined, 'the applied zone is not here');
  t.same(answerView(record!.answer).wouldHave, answer.wouldHave!.map(hitView), 'the zone that is still here');
});
