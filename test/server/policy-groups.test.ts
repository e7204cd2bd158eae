import t, { type Test } from 'tap';
import { askTcp, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';
import { zoneFolder } from '../helpers/zone-files.js';

/**
 * Client groups and schedules end to end: one Stopzone, clients at 127.0.0.2 (students), 127.0.0.3 (staff),
 * 127.0.0.4 (guests) and 127.0.0.1 (no group: default), queried over UDP and TCP with the clock moved
 * between lesson time and lunch instead of waiting for it.
 */
const zone = zoneFolder('stopzone-groups-');
const legal = zone('legal', 'abuse.example CNAME .');
const school = zone('school', 'games.example CNAME .\n*.games.example CNAME .');
const guests = zone('guests', 'social.example CNAME .');

/** Monday 1 June 2026 in London (BST, UTC+1): 10:00 is a lesson, 12:30 lunch, Saturday 6 June no school. */
const LESSON = Date.UTC(2026, 5, 1, 9, 0);
const LUNCH = Date.UTC(2026, 5, 1, 11, 30);
const SATURDAY = Date.UTC(2026, 5, 6, 9, 0);

const groupsYaml = `groups:
  - { name: students, clients: ["127.0.0.2/32"] }
  - { name: staff, clients: ["127.0.0.3"] }
  - { name: guests, clients: ["127.0.0.4/32"] }
schedules:
  lessons:
    timeZone: Europe/London
    windows:
      - { days: [mon, tue, wed, thu, fri], from: "08:00", to: "12:00" }
      - { days: [mon, tue, wed, thu, fri], from: "13:00", to: "15:30" }
policy:
  zones:
    - { name: legal.rpz, file: ${legal}, page: { legal: true }, ede: { code: 16 } }
    - { name: school.rpz, file: ${school}, groups: [{ name: students, during: lessons }, guests] }
    - { name: guests.rpz, file: ${guests}, groups: [guests] }
`;

async function setup(t: Test) {
  const upstream = await startFakeUpstream({
    records: {
      'games.example': [{ type: 'A', ttl: 300, data: '192.0.2.10' }],
      'www.games.example': [{ type: 'A', ttl: 300, data: '192.0.2.11' }],
      'social.example': [{ type: 'A', ttl: 300, data: '192.0.2.12' }],
      'abuse.example': [{ type: 'A', ttl: 300, data: '192.0.2.13' }],
    },
  });
  let now = LESSON;
  const server = await startTestServer(testConfig([upstream.hostPort], groupsYaml, 'warn'), { now: () => now });
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const rcode = async (name: string, from: string, transport: 'udp' | 'tcp' = 'udp') => ((await (transport === 'udp' ? askUdp : askTcp)(server.target, name, { from })).packet.rcode);
  return { server, rcode, setNow: (ms: number) => (now = ms) };
}

const STUDENT = '127.0.0.2';
const STAFF = '127.0.0.3';
const GUEST = '127.0.0.4';
const OTHER = '127.0.0.1';

t.test('a student is blocked from the school list during a lesson and not at lunch; staff never', async (t) => {
  const { rcode, setNow } = await setup(t);
  t.equal(await rcode('games.example', STUDENT), 'NXDOMAIN', 'student, Monday 10:00: blocked');
  t.equal(await rcode('www.games.example', STUDENT, 'tcp'), 'NXDOMAIN', 'student over TCP, wildcard: blocked');
  t.equal(await rcode('games.example', STAFF), 'NOERROR', 'staff, Monday 10:00: the school list does not apply');
  t.equal(await rcode('games.example', OTHER), 'NOERROR', 'a client in no group (default): not listed for it');
  setNow(LUNCH);
  t.equal(await rcode('games.example', STUDENT), 'NOERROR', 'student, Monday 12:30 (lunch): allowed');
  t.equal(await rcode('www.games.example', STUDENT, 'tcp'), 'NOERROR', 'and over TCP');
  t.equal(await rcode('games.example', STAFF), 'NOERROR', 'staff at lunch: allowed');
  setNow(LESSON + 4 * 3_600_000);
  t.equal(await rcode('games.example', STUDENT), 'NXDOMAIN', 'student, Monday 14:00: blocked again');
  setNow(SATURDAY);
  t.equal(await rcode('games.example', STUDENT), 'NOERROR', 'student, Saturday 10:00: no lessons');
  setNow(LESSON - 3_600_000);
});

t.test('guests get the school list at every hour and their own list; others do not get the guests list', async (t) => {
  const { rcode, setNow } = await setup(t);
  for (const at of [LESSON, LUNCH, SATURDAY]) {
    setNow(at);
    t.equal(await rcode('games.example', GUEST), 'NXDOMAIN', `guest, school list, ${new Date(at).toISOString()}`);
    t.equal(await rcode('social.example', GUEST), 'NXDOMAIN', `guest, own list, ${new Date(at).toISOString()}`);
  }
  t.equal(await rcode('social.example', STUDENT), 'NOERROR', 'students are not on the guests list');
  t.equal(await rcode('social.example', STAFF), 'NOERROR', 'nor staff');
});

t.test('the legal list blocks every group at every hour', async (t) => {
  const { rcode, setNow } = await setup(t);
  for (const at of [LESSON, LUNCH, SATURDAY]) {
    setNow(at);
    for (const client of [STUDENT, STAFF, GUEST, OTHER]) t.equal(await rcode('abuse.example', client), 'NXDOMAIN', `${client} at ${new Date(at).toISOString()}`);
  }
});

t.test('the block-log event names the group', async (t) => {
  const { server } = await setup(t);
  await askUdp(server.target, 'games.example', { from: STUDENT });
  await askUdp(server.target, 'abuse.example', { from: STAFF });
  await askUdp(server.target, 'abuse.example', { from: OTHER });
  await server.server.blockLog.close();
  // Each client's event, found by its address: across workers, events reach the one writer in no set order.
  const of = (client: string) => server.blockEvents.find((event) => event.client === client);
  t.match(of(STUDENT), { msg: 'blocked', qname: 'games.example', zone: 'school.rpz', group: 'students' });
  t.match(of(STAFF), { msg: 'blocked', qname: 'abuse.example', zone: 'legal.rpz', group: 'staff' });
  t.match(of(OTHER), { msg: 'blocked', qname: 'abuse.example', zone: 'legal.rpz', group: 'default' });
  t.equal(server.blockEvents.length, 3);
});
