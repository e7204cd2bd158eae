import t from 'tap';
import dnsPacket from 'dns-packet';
import { MEMORY_BOUND_BYTES } from './campaign.js';
import { clientPacket } from './client-packets.js';
import { httpReplyProblem } from './http-round.js';
import { KNOWN_FINDINGS } from './known-findings.js';
import { LISTED_V4 } from './policy.js';
import { listedDataIn } from './reply-check.js';
import { freshSeed } from './rng.js';
import { ROUNDS, runRound, type TargetName } from './rounds.js';
import { zoneText } from './zone-texts.js';

/**
 * A short round of every fuzz target (seconds each; the long run is
 * `npm run fuzz`, see test/fuzz/README.md). A fresh seed each run, printed
 * in every test name: FUZZ_SEED=<seed> replays it exactly.
 */
const seed = Number(process.env.FUZZ_SEED ?? freshSeed());

t.test('an input is the same bytes whenever it is rebuilt, and seeds differ', async (t) => {
  t.same(clientPacket(seed, 12345), clientPacket(seed, 12345));
  t.same(zoneText(seed, 99), zoneText(seed, 99));
  const a = Array.from({ length: 50 }, (_, i) => clientPacket(1, i).toString('hex'));
  const b = Array.from({ length: 50 }, (_, i) => clientPacket(2, i).toString('hex'));
  t.not(a.join(), b.join(), 'seed 1 and seed 2 give other inputs');
});

t.test('the checks see what they are for', async (t) => {
  const reply = (data: string) =>
    dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'a.test', type: 'A' }], answers: [{ type: 'A', name: 'a.test', ttl: 1, data }] }));
  t.match(listedDataIn(reply(LISTED_V4)), { inChain: true }, 'a listed address on the chain');
  t.equal(listedDataIn(reply('192.0.2.1')), null, 'an unlisted address');
  t.match(httpReplyProblem(Buffer.from('garbage')), /status line/);
  t.match(httpReplyProblem(Buffer.from('HTTP/1.1 500 Oops\r\n\r\n')), /^500/);
  t.equal(httpReplyProblem(Buffer.from('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')), null);
});

for (const target of Object.keys(ROUNDS) as TargetName[]) {
  const count = ROUNDS[target].ciCount;
  t.test(`fuzz ${target}: ${count} inputs, FUZZ_SEED=${seed}`, async (t) => {
    const campaign = await runRound(target, { seed, from: 0, count, tcpShare: 0.2, decodeEvery: 1, log: (line) => t.comment(line) });
    for (const line of campaign.summary()) t.comment(line);
    const known = KNOWN_FINDINGS[target] ?? {};
    for (const [kind, n] of campaign.findingCounts) {
      const first = campaign.findings.find((f) => f.kind === kind);
      const replay = first !== undefined && first.index >= 0 ? ` (replay: npm run fuzz -- --target ${target} --seed ${seed} --from ${first.index} --count 1)` : '';
      t.equal(n, 0, `${kind}${replay}: ${first?.detail.slice(0, 300) ?? ''}`, known[kind] === undefined ? {} : { todo: known[kind] });
    }
    t.equal(campaign.findingCounts.size - Object.keys(known).filter((kind) => campaign.findingCounts.has(kind)).length, 0, 'no finding outside the known ones');
    t.ok(campaign.growth <= MEMORY_BOUND_BYTES, `resident memory grew ${(campaign.growth / 1048576).toFixed(1)} MiB after the warm-up (bound ${MEMORY_BOUND_BYTES / 1048576} MiB)`);
    const worked = ['replies', 'rcode NOERROR', 'loaded', 'rejected with a clear error', 'page requests'].some((name) => (campaign.counters.get(name) ?? 0) > 0);
    t.ok(worked, `the round reached its target: ${[...campaign.counters].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  });
}
