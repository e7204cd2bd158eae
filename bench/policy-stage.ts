/**
 * Scenario: the policy stage alone, in process, with a `next` that answers at once from a prebuilt upstream
 * answer (no sockets, no cache): the CPU cost RPZ adds to one query, per case.
 *
 * Hypothesis: moving the decision into rpz/evaluate.ts (issue 18) costs the common query nothing it can
 * measure: an unlisted name with no rpz-ip zone stays within noise of the stage before the move (~1 µs),
 * and a QNAME hit stays dominated by writing the answer. Baseline beside it: the same file run against the
 * previous commit's src/ (git archive the commit, symlink node_modules, run this file there).
 *
 * Cases: "miss": one QNAME-only zone of 10,000 names, an unlisted name whose answer is one A record;
 * "hit": a listed name (NXDOMAIN with the zone's SOA); "rpz-ip miss": a zone that also has an rpz-ip
 * trigger, so every answer's addresses are checked; "cname miss": an answer with a CNAME (the chain walked).
 *
 * Run: node --import ./test/helpers/ts-resolve.mjs bench/policy-stage.ts [queries=200000] [rounds=5]
 */
import dnsPacket from 'dns-packet';
import { loadPolicyZoneText } from '../src/rpz/load-zone.js';
import { PolicySet, type ZoneSettings } from '../src/rpz/policy-set.js';
import { decodeQuery } from '../src/server/decode-query.js';
import { policyStage } from '../src/server/stages/policy.js';
import type { Answer, Query } from '../src/model/query.js';

const queries = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);
const settings: ZoneSettings = { policy: 'given', maxPolicyTtl: 5, breakDnssec: true, logName: 'bench', ede: { code: 15 }, log: true };

async function stageFor(extra: string) {
  const names = Array.from({ length: 10_000 }, (_, i) => `listed${i}.example CNAME .`).join('\n');
  const zone = await loadPolicyZoneText(`$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n${names}\n${extra}\n`, 'bench.rpz');
  const set = new PolicySet([{ zone, settings }]);
  return policyStage({ current: () => set }, { a: [], aaaa: [] });
}

function query(name: string): Query {
  const raw = dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] });
  const decoded = decodeQuery(raw, { client: { address: '127.0.0.1', port: 1 }, transport: 'udp', listener: 'bench' });
  if (decoded.kind !== 'query') throw new Error('bad query');
  return decoded.query;
}

function answer(name: string, cname: boolean): Answer {
  const answers: dnsPacket.Answer[] = cname
    ? [{ type: 'CNAME', name, ttl: 300, data: 'target.example' }, { type: 'A', name: 'target.example', ttl: 300, data: '192.0.2.1' }]
    : [{ type: 'A', name, ttl: 300, data: '192.0.2.1' }];
  const message = dnsPacket.encode({ type: 'response', id: 0, flags: 0x8180, questions: [{ name, type: 'A', class: 'IN' }], answers });
  return { message, source: 'upstream', rcode: 0 };
}

const plain = await stageFor('');
const withIp = await stageFor('32.66.2.0.192.rpz-ip CNAME .');
const cases = [
  { name: 'miss', stage: plain, query: query('www.unlisted.test'), answer: answer('www.unlisted.test', false) },
  { name: 'hit', stage: plain, query: query('listed42.example'), answer: answer('listed42.example', false) },
  { name: 'rpz-ip miss', stage: withIp, query: query('www.unlisted.test'), answer: answer('www.unlisted.test', false) },
  { name: 'cname miss', stage: plain, query: query('www.unlisted.test'), answer: answer('www.unlisted.test', true) },
];

for (const c of cases) {
  const next = async (): Promise<Answer> => c.answer;
  const times: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < queries; i++) await c.stage(c.query, next);
    const ns = Number(process.hrtime.bigint() - start) / queries;
    if (round > 0) times.push(ns); // round 0 warms up
  }
  times.sort((a, b) => a - b);
  console.log(`${c.name.padEnd(12)} median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ns/query (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}) over ${rounds} × ${queries}`);
}
