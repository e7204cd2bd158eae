import t, { type Test } from 'tap';
import { askTcp, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { parseTestConfig, startTestServer, testConfig } from '../helpers/stopzone.js';
import { zoneFolder } from '../helpers/zone-files.js';

/**
 * Issue 19 item 8: a reloaded config's groups and schedules take effect while serving (RunningServer.reconfigure,
 * what SIGHUP calls), with no query dropped; a change that cannot be applied is refused and the running config
 * stays. Clients at 127.0.0.2 (students) and 127.0.0.3 (staff); the clock is injected.
 */
const zone = zoneFolder('stopzone-reload-groups-');
const legal = zone('legal', 'abuse.example CNAME .');
const school = zone('school', 'games.example CNAME .');

/** Monday 1 June 2026, 10:00 in London (BST). */
const MONDAY_10 = Date.UTC(2026, 5, 1, 9, 0);
/** Queries held at the upstream across reloads (distinct names: identical misses would share one upstream query). */
const HELD = 200;
const STUDENT = '127.0.0.2';
const STAFF = '127.0.0.3';

/** A config: the groups' YAML, a lessons window from `from` to 15:30, and the school list for `schoolGroups`. */
function yaml(upstream: string, { groups, from = '08:00', schoolGroups = '[{ name: students, during: lessons }]', extra = '' }: { groups: string; from?: string; schoolGroups?: string; extra?: string }): string {
  return testConfig(
    [upstream],
    `groups:\n${groups}
schedules:
  lessons:
    timeZone: Europe/London
    windows: [{ days: [mon, tue, wed, thu, fri], from: "${from}", to: "15:30" }]
policy:
  zones:
    - { name: legal.rpz, file: ${legal}, page: { legal: true } }
    - { name: school.rpz, file: ${school}, groups: ${schoolGroups} }
${extra}`,
    'info',
  );
}
const STUDENTS_ONLY = '  - { name: students, clients: ["127.0.0.2/32"] }\n  - { name: staff, clients: ["127.0.0.3/32"] }';
const BOTH_STUDENTS = '  - { name: students, clients: ["127.0.0.2/32", "127.0.0.3/32"] }';

async function setup(t: Test) {
  const upstream = await startFakeUpstream({
    records: {
      'games.example': [{ type: 'A', ttl: 300, data: '192.0.2.10' }],
      'abuse.example': [{ type: 'A', ttl: 300, data: '192.0.2.13' }],
      'fine.example': [{ type: 'A', ttl: 300, data: '192.0.2.14' }],
      ...Object.fromEntries(Array.from({ length: HELD }, (_, i) => [`n${i}.fine.example`, [{ type: 'A', ttl: 300, data: '192.0.2.15' }]])),
    },
  });
  const now = MONDAY_10;
  const server = await startTestServer(yaml(upstream.hostPort, { groups: STUDENTS_ONLY }), { now: () => now });
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const rcode = async (name: string, from: string, transport: 'udp' | 'tcp' = 'udp') => (await (transport === 'udp' ? askUdp : askTcp)(server.target, name, { from })).packet.rcode;
  const reload = (text: string) => server.server.reconfigure(parseTestConfig(text));
  return { server, upstream, rcode, reload };
}

t.test('a reload moves a client into another group: the new group\'s zones apply at once, over UDP and TCP', async (t) => {
  const { upstream, rcode, reload } = await setup(t);
  t.equal(await rcode('games.example', STUDENT), 'NXDOMAIN', 'student in a lesson: blocked');
  t.equal(await rcode('games.example', STAFF), 'NOERROR', 'staff: the school list does not apply');

  const outcome = reload(yaml(upstream.hostPort, { groups: BOTH_STUDENTS }));
  t.same(outcome, { applied: true, restartNeeded: [] }, 'applied, nothing waiting for a restart');
  t.equal(await rcode('games.example', STAFF), 'NXDOMAIN', '127.0.0.3 is now a student: blocked over UDP');
  t.equal(await rcode('games.example', STAFF, 'tcp'), 'NXDOMAIN', 'and over TCP');
  t.equal(await rcode('abuse.example', STAFF), 'NXDOMAIN', 'the legal list still applies');
  t.equal(await rcode('fine.example', STAFF), 'NOERROR', 'an unlisted name is still forwarded');
});

t.test('a reload changes a schedule: a window that now includes this hour blocks, one that excludes it allows', async (t) => {
  const { upstream, rcode, reload } = await setup(t);
  t.equal(await rcode('games.example', STUDENT), 'NXDOMAIN', '10:00 is inside 08:00-15:30');
  t.same(reload(yaml(upstream.hostPort, { groups: STUDENTS_ONLY, from: '11:00' })), { applied: true, restartNeeded: [] });
  t.equal(await rcode('games.example', STUDENT), 'NOERROR', 'lessons now start at 11:00: allowed at 10:00');
  t.equal(await rcode('games.example', STUDENT, 'tcp'), 'NOERROR', 'and over TCP');
  t.same(reload(yaml(upstream.hostPort, { groups: STUDENTS_ONLY, schoolGroups: '[students, staff]' })), { applied: true, restartNeeded: [] });
  t.equal(await rcode('games.example', STUDENT), 'NXDOMAIN', 'the school list now applies to students at every hour');
  t.equal(await rcode('games.example', STAFF), 'NXDOMAIN', 'and to staff');
});

t.test('queries held at the upstream across two reloads are all answered', async (t) => {
  const { server, upstream, rcode, reload } = await setup(t);
  upstream.setBehaviour('hold');
  const count = HELD;
  // Allowed names wait at the upstream while the groups change under them, twice.
  const pending = Array.from({ length: count }, (_, i) => askUdp(server.target, `n${i}.fine.example`, { from: i % 2 === 0 ? STUDENT : STAFF, timeoutMs: 10_000 }));
  // Every one is held at the upstream before the groups change.
  await upstream.received(count);
  t.same(reload(yaml(upstream.hostPort, { groups: BOTH_STUDENTS })).applied, true);
  t.equal(await rcode('games.example', STAFF), 'NXDOMAIN', 'a policy answer needs no upstream: given at once under the new groups');
  t.same(reload(yaml(upstream.hostPort, { groups: STUDENTS_ONLY })).applied, true);
  upstream.release();
  const answers = await Promise.all(pending);
  t.equal(answers.filter((answer) => answer.packet.rcode === 'NOERROR').length, count, `all ${count} queries held across two reloads answered NOERROR`);
  upstream.setBehaviour('normal');
  t.equal(await rcode('games.example', STAFF), 'NOERROR', 'the second reload is in force: staff again');
});

t.test('a change that cannot be applied while serving is refused, and the running groups stay', async (t) => {
  const { upstream, rcode, reload } = await setup(t);
  const withOwnUpstreams = yaml(upstream.hostPort, { groups: `${BOTH_STUDENTS.replace(' }', ', upstreams: ["127.0.0.1:9"] }')}` });
  const refused = reload(withOwnUpstreams);
  t.equal(refused.applied, false, 'refused');
  t.match(refused.applied === false ? refused.reason : '', /^groups\.0\.upstreams: group "students" names upstreams \(127\.0\.0\.1:9\) that no group had at start-up; .* needs a restart$/);
  t.equal(await rcode('games.example', STAFF), 'NOERROR', 'staff still staff: the running groups stay');
  t.throws(() => reload(yaml(upstream.hostPort, { groups: STUDENTS_ONLY, from: '8:00' })), /schedules\.lessons\.windows\.0\.from: found "8:00"/, 'a config that does not parse never reaches reconfigure (the caller logs it)');
  t.equal(await rcode('games.example', STUDENT), 'NXDOMAIN', 'student still blocked');
});

t.test('keys that only a restart applies are named; a zone dropped from the config keeps applying to every group', async (t) => {
  const { upstream, rcode, reload } = await setup(t);
  const outcome = reload(yaml(upstream.hostPort, { groups: STUDENTS_ONLY, extra: 'cache: { maxEntries: 500 }\n' }));
  t.same(outcome, { applied: true, restartNeeded: ['cache'] }, 'the cache size waits for a restart, and is named');
  const dropped = reload(
    testConfig(
      [upstream.hostPort],
      `groups:\n${STUDENTS_ONLY}\npolicy:\n  zones:\n    - { name: legal.rpz, file: ${legal}, page: { legal: true } }\n`,
      'info',
    ),
  );
  t.same(dropped, { applied: true, restartNeeded: ['policy.zones'] }, 'a zone removed is a restart change');
  t.equal(await rcode('games.example', STAFF), 'NXDOMAIN', 'school.rpz stays loaded until the restart and meanwhile applies to every group (staff too): a reload never lets a name through halfway');
  t.equal(await rcode('fine.example', STAFF), 'NOERROR', 'an unlisted name is still forwarded');
});
