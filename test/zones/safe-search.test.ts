import { fileURLToPath } from 'node:url';
import t from 'tap';
import { SHIPPED_ZONES } from '../../src/config/shipped-zones.js';
import { loadPolicyZone } from '../../src/rpz/load-zone.js';
import { askTcp, askUdp, type Reply } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/**
 * The shipped safe-search example (issue 19 item 6): it loads as the server loads a zone, with no warnings,
 * it is not in the shipped config, and applied to students only, over real sockets a student asking for a
 * search engine gets the CNAME to its safe-search host (resolved through the upstream) while staff get the
 * engine's plain answer.
 */
const EXAMPLE = fileURLToPath(new URL('../../zones/safe-search.rpz.example', import.meta.url));

t.test('the example loads with no warnings, and is off by default', async (t) => {
  const zone = await loadPolicyZone(EXAMPLE, 'safe-search.rpz');
  t.same(zone.stats.warnings, [], 'no warnings');
  t.equal(zone.stats.serial, '1', 'has its SOA');
  const used = (counts: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));
  t.same(used(zone.stats.triggers), { qname: 14 }, 'every rule is a name trigger (14 names)');
  t.same(Object.keys(used(zone.stats.actions)), ['local-data'], 'and every action local data (the CNAMEs)');
  t.notOk(SHIPPED_ZONES.some((shipped) => shipped.file.includes('safe-search')), 'the shipped config does not load it');
});

const PLAIN = { google: '192.0.2.1', bing: '192.0.2.2', youtube: '192.0.2.3' };
const SAFE = { google: '216.239.38.120', bing: '204.79.197.220', youtube: '216.239.38.119' };

t.test('students get the safe-search host, staff the plain answer', async (t) => {
  const upstream = await startFakeUpstream({
    records: {
      'www.google.com': [{ type: 'A', ttl: 300, data: PLAIN.google }],
      'www.bing.com': [{ type: 'A', ttl: 300, data: PLAIN.bing }],
      'www.youtube.com': [{ type: 'A', ttl: 300, data: PLAIN.youtube }],
      'forcesafesearch.google.com': [{ type: 'A', ttl: 300, data: SAFE.google }],
      'strict.bing.com': [{ type: 'A', ttl: 300, data: SAFE.bing }],
      'restrict.youtube.com': [{ type: 'A', ttl: 300, data: SAFE.youtube }],
    },
  });
  const groups = `groups:
  - { name: students, clients: ["127.0.0.2"] }
  - { name: staff, clients: ["127.0.0.3"] }
policy:
  zones:
    - { name: safe-search.rpz, file: "${EXAMPLE}", groups: [students], logName: "Safe search" }
`;
  const server = await startTestServer(testConfig([upstream.hostPort], groups, 'warn'));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const records = (reply: Reply) => (reply.packet.answers ?? []).map((a) => `${a.name} ${a.type} ${String((a as { data?: unknown }).data)}`);
  const cases = [
    ['www.google.com', 'forcesafesearch.google.com', SAFE.google, PLAIN.google],
    ['www.bing.com', 'strict.bing.com', SAFE.bing, PLAIN.bing],
    ['www.youtube.com', 'restrict.youtube.com', SAFE.youtube, PLAIN.youtube],
  ] as const;
  for (const [name, host, safe, plain] of cases) {
    const student = await askUdp(server.target, name, { from: '127.0.0.2' });
    t.equal(student.packet.rcode, 'NOERROR', `${name}, student: NOERROR`);
    t.same(records(student), [`${name} CNAME ${host}`, `${host} A ${safe}`], `${name}, student: the CNAME to ${host} and its address`);
    t.same(records(await askUdp(server.target, name, { from: '127.0.0.3' })), [`${name} A ${plain}`], `${name}, staff: the plain answer`);
  }
  t.same(records(await askTcp(server.target, 'www.google.com', { from: '127.0.0.2' })), ['www.google.com CNAME forcesafesearch.google.com', `forcesafesearch.google.com A ${SAFE.google}`], 'a student over TCP: the same');
  t.same(records(await askUdp(server.target, 'www.google.com', { from: '127.0.0.1' })), [`www.google.com A ${PLAIN.google}`], 'a client in no group (default): the plain answer');
  t.match(server.blockEvents.find((e) => e.qname === 'www.google.com'), { group: 'students' }, 'the block log records the rewrite with the group');
});
