import t, { type Test } from 'tap';
import { answerData, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { getPage } from '../helpers/http-page.js';
import { startTestServer } from '../helpers/stopzone.js';
import { zoneFolder } from '../helpers/zone-files.js';

/**
 * The stop page names the visitor's client group and says why for that group (issue 19 item 7): one Stopzone
 * with DNS on 127.0.0.1 and 127.0.0.53 and its stop page on 127.0.0.1; clients at 127.0.0.2 (students),
 * 127.0.0.3 (staff), and 127.0.0.4, in the group "library" when it asks the DNS address 127.0.0.53 (a group
 * told by listener, which an HTTP visit cannot show) and "default" otherwise. Real DNS queries, then real HTTP
 * visits from the same source addresses.
 */
const zone = zoneFolder('stopzone-page-groups-');
const legal = zone('legal', 'abuse.example CNAME .');
const school = zone('school', 'games.example CNAME .\n*.games.example CNAME .\nvideo.example CNAME .');
const staffList = zone('staff', 'video.example CNAME .');

const STUDENT = '127.0.0.2';
const STAFF = '127.0.0.3';
const VISITOR = '127.0.0.4';

const yaml = (upstream: string) => `listen: { addresses: ["127.0.0.1", "127.0.0.53"], port: 0 }
upstreams: ["${upstream}"]
log: { level: info }
stopPage: { addresses: ["127.0.0.1"], http: ["127.0.0.1:0"], https: [] }
groups:
  - { name: students, clients: ["${STUDENT}/32"] }
  - { name: staff, clients: ["${STAFF}/32"] }
  - { name: library, listeners: ["127.0.0.53"] }
policy:
  zones:
    - { name: legal.rpz, file: ${legal}, policy: stop-page, logName: "National list", page: { legal: true } }
    - { name: school.rpz, file: ${school}, policy: stop-page, logName: "School list", groups: [students, library] }
    - { name: staff.rpz, file: ${staffList}, policy: stop-page, logName: "Staff list", groups: [staff] }
`;

async function setup(t: Test) {
  const upstream = await startFakeUpstream({ records: { 'games.example': [{ type: 'A', ttl: 300, data: '192.0.2.10' }], 'video.example': [{ type: 'A', ttl: 300, data: '192.0.2.11' }] } });
  const server = await startTestServer(yaml(upstream.hostPort));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const page = server.server.stopPage.http[0]!;
  const dnsAt = (address: string) => ({ address, port: server.target.port });
  return {
    server,
    /** The A record DNS gives `from` for `name`, asked at the DNS address `at`. */
    resolve: async (name: string, from: string, at = '127.0.0.1') => answerData(await askUdp(dnsAt(at), name, { from })),
    visit: (host: string, from: string) => getPage(page, '/', { host }, { from }),
    shown: () => server.logs.filter((line) => line.msg === 'stop page shown'),
  };
}

const row = (term: string, value: string) => `<dt>${term}</dt><dd>${value}</dd>`;

t.test('a student sent to the stop page sees the students group and the list that blocked it for students', async (t) => {
  const { resolve, visit, shown } = await setup(t);
  t.same(await resolve('games.example', STUDENT), ['127.0.0.1'], 'DNS sends the student to the stop page');
  const res = await visit('games.example', STUDENT);
  t.equal(res.status, 403);
  t.ok(res.body.includes(row('Blocked by', 'School list')), 'the school list');
  t.ok(res.body.includes(row('Your group', 'students')), 'the students group');
  t.match(shown().at(-1), { client: STUDENT, host: 'games.example', zone: 'school.rpz', group: 'students', status: 403 }, 'the page-view log line names the group');
  const wildcard = await visit('www.games.example', STUDENT);
  t.ok(wildcard.status === 403 && wildcard.body.includes(row('Your group', 'students')), 'a name DNS was not asked for: the address tells the group');
  const both = await visit('video.example', STUDENT);
  t.ok(both.body.includes(row('Blocked by', 'School list')), 'listed in two zones for students: the earlier one, as DNS decides');
});

t.test('staff are not told a list blocked them that does not apply to their group', async (t) => {
  const { resolve, visit, shown } = await setup(t);
  t.same(await resolve('games.example', STAFF), ['192.0.2.10'], 'DNS gives staff the real address');
  const res = await visit('games.example', STAFF);
  t.equal(res.status, 404, 'not blocked for staff');
  t.notOk(res.body.includes('School list'), 'the school list is not named');
  t.ok(res.body.includes('is not blocked here for your group, staff.'), 'the neutral page says for which group');
  t.match(shown().at(-1), { client: STAFF, host: 'games.example', zone: null, group: 'staff', status: 404 });

  t.same(await resolve('video.example', STAFF), ['127.0.0.1'], 'the staff list sends staff to the stop page for video.example');
  const video = await visit('video.example', STAFF);
  t.equal(video.status, 403);
  t.ok(video.body.includes(row('Blocked by', 'Staff list')) && !video.body.includes('School list'), 'the list that blocked it for staff, not the earlier school list');
  t.ok(video.body.includes(row('Your group', 'staff')));

  const abuse = await visit('abuse.example', STAFF);
  t.equal(abuse.status, 451, 'a legal list blocks every group');
  t.ok(abuse.body.includes(row('Blocked by', 'National list')) && abuse.body.includes(row('Your group', 'staff')));
});

t.test('a group told by the DNS listener: the page remembers what DNS saw for this client and name', async (t) => {
  const { resolve, visit, shown } = await setup(t);
  t.same(await resolve('games.example', VISITOR, '127.0.0.53'), ['127.0.0.1'], 'asked at the library address: sent to the stop page');
  const res = await visit('games.example', VISITOR);
  t.equal(res.status, 403);
  t.ok(res.body.includes(row('Blocked by', 'School list')) && res.body.includes(row('Your group', 'library')), 'the library group and its list');
  t.match(shown().at(-1), { client: VISITOR, group: 'library', zone: 'school.rpz' });

  t.same(await resolve('abuse.example', VISITOR), ['127.0.0.1'], 'asked at 127.0.0.1 the same client is in default');
  const abuse = await visit('abuse.example', VISITOR);
  t.ok(abuse.status === 451 && abuse.body.includes(row('Your group', 'default')), 'the group DNS saw for that name: default');

  const unasked = await visit('www.games.example', VISITOR);
  t.notOk(unasked.body.includes('Your group'), 'a name DNS did not send this client to: its address cannot tell library from default, so no group is claimed');
  t.match(shown().at(-1), { client: VISITOR, host: 'www.games.example', group: undefined }, 'nor in the log line');
});
