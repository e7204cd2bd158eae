import t from 'tap';
import dnsPacket from 'dns-packet';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { PolicySet, type ZoneSettings } from '../../src/rpz/policy-set.js';
import { decodeQuery } from '../../src/server/decode-query.js';
import type { Answer, Query } from '../../src/model/query.js';
import { policyStage } from '../../src/server/stages/policy.js';
import { buildQuery, decodeReply } from '../helpers/dns-client.js';

/** The policy stage alone, with a recording fake `next`, so a test can assert both the answer and whether `next` ran. */
const settings = (over: Partial<ZoneSettings> = {}): ZoneSettings => ({
  policy: 'given',
  maxPolicyTtl: 5,
  breakDnssec: false,
  logName: 'test list',
  ede: { code: 15 },
  log: true,
  ...over,
});

async function stage(zoneText: string, over: Partial<ZoneSettings> = {}) {
  const zone = await loadPolicyZoneText(`$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n${zoneText}`, 'policy.rpz');
  const set = new PolicySet([{ zone, settings: settings(over) }]);
  return policyStage({ current: () => set }, { a: [], aaaa: [] });
}

function query(name: string, options: { dnssecOk?: boolean } = {}): Query {
  const decoded = decodeQuery(buildQuery(name, { bufsize: 1232, ...(options.dnssecOk && { dnssecOk: true }) }), { client: { address: '127.0.0.1', port: 1 }, transport: 'udp', listener: 'test' });
  if (decoded.kind !== 'query') throw new Error('bad query');
  return decoded.query;
}

function upstreamAnswer(name: string, signed: boolean): Answer {
  const answers: dnsPacket.Answer[] = [{ type: 'A', name, ttl: 300, data: '192.0.2.1' }];
  if (signed) {
    answers.push({
      type: 'RRSIG',
      name,
      ttl: 300,
      data: { typeCovered: 'A', algorithm: 13, labels: 2, originalTTL: 300, expiration: 2000000000, inception: 1700000000, keyTag: 1, signersName: 'example', signature: Buffer.alloc(64) },
    } as dnsPacket.Answer);
  }
  const message = dnsPacket.encode({ type: 'response', id: 0, flags: 0x8180, questions: [{ name, type: 'A', class: 'IN' }], answers });
  return { message, source: 'upstream', rcode: 0 };
}

function recordingNext(answer: Answer) {
  const seen: string[] = [];
  return { seen, next: async (q: Query) => (seen.push(q.question.lname), answer) };
}

t.test('a QNAME hit is answered without calling next', async (t) => {
  const run = await stage('bad.example CNAME .');
  const { seen, next } = recordingNext(upstreamAnswer('bad.example', false));
  const answer = await run(query('bad.example'), next);
  t.equal(answer.source, 'policy');
  t.equal(answer.rcode, 3);
  t.equal(answer.policy?.via, 'bad.example.policy.rpz');
  t.same(seen, [], 'next never ran');
});

t.test('an unlisted name goes to next and comes back unchanged', async (t) => {
  const run = await stage('bad.example CNAME .');
  const upstream = upstreamAnswer('good.example', false);
  const { seen, next } = recordingNext(upstream);
  t.equal(await run(query('good.example'), next), upstream);
  t.same(seen, ['good.example']);
});

t.test('break-dnssec: signed answers to DO=1 clients are not rewritten unless the zone says so', async (t) => {
  const rows = [
    { name: 'DO=1, signed, breakDnssec off', dnssecOk: true, signed: true, breakDnssec: false, rewritten: false },
    { name: 'DO=1, unsigned, breakDnssec off', dnssecOk: true, signed: false, breakDnssec: false, rewritten: true },
    { name: 'DO=0, signed, breakDnssec off', dnssecOk: false, signed: true, breakDnssec: false, rewritten: true },
    { name: 'DO=1, signed, breakDnssec on', dnssecOk: true, signed: true, breakDnssec: true, rewritten: true },
  ];
  for (const row of rows) {
    const run = await stage('bad.example CNAME .', { breakDnssec: row.breakDnssec });
    const { next } = recordingNext(upstreamAnswer('bad.example', row.signed));
    const answer = await run(query('bad.example', { dnssecOk: row.dnssecOk }), next);
    t.equal(answer.source === 'policy', row.rewritten, row.name);
    if (answer.source === 'policy') t.equal(decodeReply(answer.message!).rcode, 'NXDOMAIN');
  }
});

t.test('policy disabled: the hit is reported as "would have", the answer is the upstream one', async (t) => {
  const run = await stage('bad.example CNAME .', { policy: 'disabled' });
  const upstream = upstreamAnswer('bad.example', false);
  const { next } = recordingNext(upstream);
  const answer = await run(query('bad.example'), next);
  t.equal(answer.source, 'upstream');
  t.equal(answer.wouldHave?.[0]?.via, 'bad.example.policy.rpz');
});
