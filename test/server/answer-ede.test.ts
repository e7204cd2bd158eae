import t, { type Test } from 'tap';
import { askTcp, askUdp, edeOf } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';
import { zoneFolder } from '../helpers/zone-files.js';

/**
 * The EDE text of a blocked answer names the client's group when the config has groups (issue 19 item 7), over
 * real UDP and TCP from 127.0.0.2 (students), 127.0.0.3 (staff) and 127.0.0.1 (no group: default); a zone's own
 * ede.text is sent as written; without groups the text is the one it always was.
 */
const zone = zoneFolder('stopzone-ede-groups-');
const legal = zone('legal', 'abuse.example CNAME .');
const school = zone('school', 'games.example CNAME .');
const own = zone('own', 'chat.example CNAME .');

const STUDENT = '127.0.0.2';
const STAFF = '127.0.0.3';
const OTHER = '127.0.0.1';

const zonesYaml = (scoped: boolean) => `stopPage: { enabled: false, addresses: ["192.0.2.53"] }
policy:
  zones:
    - { name: legal.rpz, file: ${legal}, logName: "National list", page: { legal: true }, ede: { code: 16 } }
    - { name: school.rpz, file: ${school}, policy: stop-page, logName: "School list"${scoped ? ', groups: [students]' : ''} }
    - { name: own.rpz, file: ${own}, ede: { code: 17, text: "Filtered by the school" } }
`;
const groupsYaml = `groups:
  - { name: students, clients: ["${STUDENT}/32"] }
  - { name: staff, clients: ["${STAFF}/32"] }
`;

async function setup(t: Test, withGroups: boolean) {
  const upstream = await startFakeUpstream({ records: { 'games.example': [{ type: 'A', ttl: 300, data: '192.0.2.10' }] } });
  const server = await startTestServer(testConfig([upstream.hostPort], `${withGroups ? groupsYaml : ''}${zonesYaml(withGroups)}`, 'warn'));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  return {
    ede: async (name: string, from: string, transport: 'udp' | 'tcp' = 'udp') => edeOf(await (transport === 'udp' ? askUdp : askTcp)(server.target, name, { from, bufsize: 1232 })),
  };
}

t.test('with groups, the EDE text names the client\'s group', async (t) => {
  const { ede } = await setup(t, true);
  const rows = [
    { name: 'a student sent to the stop page', qname: 'games.example', from: STUDENT, transport: 'udp', want: { code: 15, text: 'Blocked by School list for group students; see http://games.example/' } },
    { name: 'the same over TCP', qname: 'games.example', from: STUDENT, transport: 'tcp', want: { code: 15, text: 'Blocked by School list for group students; see http://games.example/' } },
    { name: 'staff blocked by the legal list: their own group', qname: 'abuse.example', from: STAFF, transport: 'udp', want: { code: 16, text: 'Blocked by National list for group staff' } },
    { name: 'a client in no group: default', qname: 'abuse.example', from: OTHER, transport: 'tcp', want: { code: 16, text: 'Blocked by National list for group default' } },
    { name: 'a zone\'s own ede.text is sent as the admin wrote it', qname: 'chat.example', from: STUDENT, transport: 'udp', want: { code: 17, text: 'Filtered by the school' } },
  ] as const;
  for (const row of rows) t.same(await ede(row.qname, row.from, row.transport), row.want, row.name);
  t.equal(await ede('games.example', STAFF), null, 'staff are not on the school list: the upstream\'s answer, no EDE');
});

t.test('without groups, the EDE text is unchanged', async (t) => {
  const { ede } = await setup(t, false);
  t.same(await ede('games.example', STUDENT), { code: 15, text: 'Blocked by School list; see http://games.example/' });
  t.same(await ede('abuse.example', STAFF, 'tcp'), { code: 16, text: 'Blocked by National list' });
  t.same(await ede('chat.example', OTHER), { code: 17, text: 'Filtered by the school' });
});
