import t, { type Test } from 'tap';
import { answerData, askTcp, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { metricValue, startTestServer, testConfig } from '../helpers/stopzone.js';

/**
 * Per-group upstreams (issue 19 item 5) over real sockets: guests (127.0.0.4) are forwarded to their own
 * upstream, every other client to the top-level one, and each set of upstreams has its own cache, so an
 * answer cached for one set is never served to a client of the other.
 */
const NAME = 'www.example.org';

async function setup(t: Test) {
  const school = await startFakeUpstream({ records: { [NAME]: [{ type: 'A', ttl: 300, data: '192.0.2.1' }] } });
  const family = await startFakeUpstream({ records: { [NAME]: [{ type: 'A', ttl: 300, data: '198.51.100.1' }] } });
  const groups = `groups:
  - { name: students, clients: ["127.0.0.2"] }
  - { name: guests, clients: ["127.0.0.4"], upstreams: ["${family.hostPort}"] }
  - { name: visitors, clients: ["127.0.0.5"], upstreams: ["${family.hostPort}"] }
`;
  // One answering loop: each upstream asked once, one cache entry per set (with workers, each has its own caches).
  const server = await startTestServer(testConfig([school.hostPort], `workers: 1\n${groups}`, 'warn'));
  t.teardown(async () => {
    await server.close();
    await Promise.all([school.close(), family.close()]);
  });
  return { server, school, family };
}

t.test('guests get their own upstream\'s answer, others the default\'s, and the caches never cross', async (t) => {
  const { server, school, family } = await setup(t);
  const ask = async (from: string) => answerData(await askUdp(server.target, NAME, { from }));
  t.same(await ask('127.0.0.1'), ['192.0.2.1'], 'a client in no group: the top-level upstream');
  t.same(await ask('127.0.0.4'), ['198.51.100.1'], 'a guest right after: not the cached default answer, its own upstream\'s');
  t.same(await ask('127.0.0.2'), ['192.0.2.1'], 'a student (no upstreams of its own): the default set\'s cached answer');
  t.same(await ask('127.0.0.4'), ['198.51.100.1'], 'the guest again: the guest set\'s cached answer');
  t.same(await ask('127.0.0.5'), ['198.51.100.1'], 'visitors name the same list: they share the guests\' set and cache');
  t.same(answerData(await askTcp(server.target, NAME, { from: '127.0.0.4' })), ['198.51.100.1'], 'a guest over TCP: the same');
  t.equal(school.queries.length, 1, 'the top-level upstream was asked once (the student was answered from its cache)');
  t.equal(family.queries.length, 1, 'the guests\' upstream was asked once (later guests and visitors from their set\'s cache)');
  t.equal(await metricValue(server, 'stopzone_cache_entries'), 2, '/metrics counts both sets\' caches: one entry each');
});

t.test('a guest\'s cached answer is never served to a default client', async (t) => {
  const { server, school, family } = await setup(t);
  t.same(answerData(await askUdp(server.target, NAME, { from: '127.0.0.4' })), ['198.51.100.1'], 'guest first');
  t.same(answerData(await askUdp(server.target, NAME, { from: '127.0.0.1' })), ['192.0.2.1'], 'then a default client: the top-level upstream\'s answer');
  t.equal(school.queries.length, 1, 'the top-level upstream was asked for it');
  t.equal(family.queries.length, 1, 'the guests\' upstream once');
});
