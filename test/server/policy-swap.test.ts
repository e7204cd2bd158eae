import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { PolicySet, type ZoneSettings } from '../../src/rpz/policy-set.js';
import { answerData, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const settings: ZoneSettings = { policy: 'given', maxPolicyTtl: 5, breakDnssec: false, logName: 'swap', ede: { code: 15 }, log: true };
const policy = async (rule: string) =>
  new PolicySet([{ zone: await loadPolicyZoneText(`$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n${rule}\n`, 'swap.rpz'), settings }]);

t.test('a policy swapped while queries run: each answer is the old policy or the new, never a mix; the old set is freed', async (t) => {
  const upstream = await startFakeUpstream({ records: { 'bad.example': [{ type: 'A', ttl: 60, data: '192.0.2.1' }] } });
  const server = await startTestServer(testConfig([upstream.hostPort], '', 'warn'));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  let old: PolicySet | null = await policy('bad.example CNAME .');
  const oldRef = new WeakRef(old);
  server.server.policy.replace(old);
  old = null;
  const next = await policy('bad.example A 192.0.2.99');

  const outcomes = new Map<string, number>();
  let answered = 0;
  let swapNow: () => void = () => {};
  const swapPoint = new Promise<void>((resolve) => (swapNow = resolve));
  const ask = async () => {
    const reply = await askUdp(server.target, 'bad.example');
    const key = `${reply.packet.rcode} ${answerData(reply).join(',')}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    if (++answered === 50) swapNow();
  };
  // 300 queries in flight; the policy is replaced once 50 have been answered.
  const all = Array.from({ length: 300 }, ask);
  await swapPoint;
  server.server.policy.replace(next);
  await Promise.all(all);

  const seen = [...outcomes.keys()].sort();
  t.ok(seen.every((k) => k === 'NXDOMAIN ' || k === 'NOERROR 192.0.2.99'), `only the two policies' answers: ${JSON.stringify([...outcomes])}`);
  t.ok((outcomes.get('NXDOMAIN ') ?? 0) >= 50, 'the old policy answered the queries before the swap');
  t.equal(upstream.queries.length, 0, 'never unfiltered: the upstream was not asked');
  t.same(answerData(await askUdp(server.target, 'bad.example')), ['192.0.2.99'], 'the new policy is in force');

  await new Promise((resolve) => setImmediate(resolve));
  gc();
  t.equal(oldRef.deref(), undefined, 'the old policy set was garbage-collected');
});
