import t from 'tap';
import { parseConfig } from '../../src/config/load-config.js';
import { ClientGroups } from '../../src/server/client-groups.js';

/** Groups as an admin writes them, parsed by the loader, then matched as queries arrive. */
function groupsFrom(yaml: string): ClientGroups {
  return new ClientGroups(parseConfig(`listen: { addresses: ["127.0.0.1", "127.0.0.53", "::1"], port: 0 }\n${yaml}`, {}, 'cfg').groups);
}

const school = groupsFrom(`groups:
  - { name: staff-dns, listeners: ["127.0.0.53"] }
  - { name: students, clients: ["10.1.0.0/16", "2001:db8:1::/48"] }
  - { name: staff, clients: ["10.2.0.0/16", "10.1.99.0/24", "2001:db8:2::/48"] }
  - { name: lab, clients: ["10.3.0.0/16"], listeners: ["::1"] }
`);

const rows: Array<{ name: string; client: string; listener?: string; want: string }> = [
  { name: 'IPv4 in a network', client: '10.1.2.3', want: 'students' },
  { name: 'IPv4 in the second group', client: '10.2.0.1', want: 'staff' },
  { name: 'first match wins: 10.1.99.0/24 is listed for staff, but students comes first', client: '10.1.99.7', want: 'students' },
  { name: 'IPv6 in a network', client: '2001:db8:1::42', want: 'students' },
  { name: 'IPv6 in another', client: '2001:db8:2:5::1', want: 'staff' },
  { name: 'IPv4-mapped IPv6 matches as its IPv4 address', client: '::ffff:10.1.2.3', want: 'students' },
  { name: 'IPv4-mapped IPv6, upper-case prefix', client: '::FFFF:10.2.0.9', want: 'staff' },
  { name: 'no network matches: default', client: '192.168.1.1', want: 'default' },
  { name: 'the mapped address written in hex is the same address', client: '::ffff:a01:203', want: 'students' },
  { name: 'an IPv6 address outside every IPv6 network', client: '2001:db8:9::1', want: 'default' },
  { name: 'the listener address alone decides a listeners-only group, before the clients groups', client: '10.1.2.3', listener: '127.0.0.53:53', want: 'staff-dns' },
  { name: 'clients and listeners together: both match', client: '10.3.0.1', listener: '[::1]:53', want: 'lab' },
  { name: 'clients and listeners together: the client alone is not enough', client: '10.3.0.1', listener: '127.0.0.1:53', want: 'default' },
];

t.test('group matching', async (t) => {
  for (const row of rows) t.equal(school.groupOf(row.client, row.listener ?? '127.0.0.1:53').name, row.want, row.name);
  t.test('the memo gives the same answers a second time, per listener', async (t) => {
    for (const row of rows) t.equal(school.groupOf(row.client, row.listener ?? '127.0.0.1:53').name, row.want, row.name);
  });
  t.same(school.groups.map((g) => [g.index, g.name]), [[0, 'default'], [1, 'staff-dns'], [2, 'students'], [3, 'staff'], [4, 'lab']], 'default is group 0; the rest in config order');
});

t.test('with no groups configured every client is in default', async (t) => {
  const none = groupsFrom('');
  t.equal(none.groupOf('10.1.2.3', '127.0.0.1:53').name, 'default');
  t.equal(none.groupOf('::1', '[::1]:53').index, 0);
});

t.test('by address alone (the stop page sees no DNS listener): a group told by listeners that could claim the client makes it unknown', async (t) => {
  const networksFirst = groupsFrom(`groups:
  - { name: students, clients: ["10.1.0.0/16"] }
  - { name: lab, clients: ["10.3.0.0/16"], listeners: ["::1"] }
  - { name: staff-dns, listeners: ["127.0.0.53"] }
`);
  const rows: Array<{ name: string; groups: ClientGroups; client: string; want: string | null }> = [
    { name: 'a network group before any listener group', groups: networksFirst, client: '10.1.2.3', want: 'students' },
    { name: 'IPv4-mapped, as a dual-stack HTTP socket reports it', groups: networksFirst, client: '::ffff:10.1.2.3', want: 'students' },
    { name: 'clients and listeners: in the network, so the listener would decide', groups: networksFirst, client: '10.3.0.1', want: null },
    { name: 'a listeners-only group further on could claim any other client', groups: networksFirst, client: '192.168.1.1', want: null },
    { name: 'a listeners-only group first could claim every client', groups: school, client: '10.1.2.3', want: null },
    { name: 'not an address', groups: networksFirst, client: '', want: null },
  ];
  for (const row of rows) t.equal(row.groups.byAddress(row.client)?.name ?? null, row.want, row.name);
  const plain = groupsFrom(`groups:
  - { name: students, clients: ["10.1.0.0/16"] }
  - { name: lab, clients: ["10.3.0.0/16"], listeners: ["::1"] }
`);
  t.equal(plain.byAddress('10.9.9.9')?.name, 'default', 'outside every network of every group: default');
  t.equal(plain.byAddress('10.1.0.9')?.grouped, true, 'the config has groups: answers name them');
  t.equal(groupsFrom('').byAddress('10.1.0.9')?.grouped, false, 'no groups: default, not named to the client');
});
