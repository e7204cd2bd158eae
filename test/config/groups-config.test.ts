import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/load-config.js';

/** groups, schedules and zones' groups as the loader reads them, and the configs it refuses with file:line, key and reason. */
const dir = mkdtempSync(join(tmpdir(), 'stopzone-groups-config-'));
writeFileSync(join(dir, 'z.rpz'), '$TTL 60\n@ SOA ns. h. 1 1 1 1 1\n@ NS ns.\n');
const parse = (yaml: string) => parseConfig(yaml, {}, 'cfg', dir);

const base = `groups:
  - { name: students, clients: ["10.1.0.0/16"] }
  - { name: staff, clients: ["10.2.0.0/16"] }
schedules:
  school-hours:
    timeZone: Europe/London
    windows: [{ days: [mon, tue, wed, thu, fri], from: "08:00", to: "15:30" }]
`;

t.test('groups, schedules and each zone\'s rule per group', async (t) => {
  const config = parse(`${base}policy:
  zones:
    - { name: all.rpz, file: z.rpz }
    - name: school.rpz
      file: z.rpz
      groups: [{ name: students, during: school-hours }, { name: default, outside: school-hours }, staff]
    - { name: legal.rpz, file: z.rpz, page: { legal: true }, groups: [students, staff, default] }
`);
  t.same(config.groups.map((g) => g.name), ['default', 'students', 'staff'], 'default first');
  t.same(config.groups[1]!.clients!.map((n) => n.label), ['10.1.0.0/16']);
  const [all, school, legal] = config.policy.zones;
  t.same(all!.groups, ['always', 'always', 'always'], 'no groups key: every group at every hour');
  const schedule = config.schedules['school-hours']!;
  t.equal(schedule.name, 'school-hours');
  const [forDefault, forStudents, forStaff] = school!.groups as Array<{ during?: unknown; outside?: unknown }>;
  t.equal(forDefault?.outside, schedule, 'default: outside school hours');
  t.equal(forStudents?.during, schedule, 'students: during');
  t.equal(forStaff, 'always', 'staff by name alone: always');
  t.same(legal!.groups, ['always', 'always', 'always'], 'a legal zone listing every group is accepted');
  // 2026-06-01 is a Monday: 10:00 BST is 09:00 UTC.
  t.equal(schedule.inForce(Date.UTC(2026, 5, 1, 9)), true, 'the compiled schedule is in force on a Monday at 10:00 London time');
});

t.test('a zone that leaves a group out never applies to it', async (t) => {
  const config = parse(`${base}policy:\n  zones:\n    - { name: s.rpz, file: z.rpz, groups: [students] }\n`);
  t.same(config.policy.zones[0]!.groups, ['never', 'always', 'never']);
});

const zoneWith = (groups: string, extra = '') => `${base}policy:\n  zones:\n    - { name: s.rpz, file: z.rpz, groups: ${groups}${extra} }\n`;

t.test('configs refused at start-up, with file:line, the key and the reason', async (t) => {
  const rows: Array<{ name: string; yaml: string; want: RegExp }> = [
    { name: 'an unknown group in a zone', yaml: zoneWith('[pupils]'), want: /^cfg:10: policy\.zones\.0\.groups\.0: found "pupils"; expected the name of a group \(default, students, staff\)$/ },
    { name: 'an unknown schedule', yaml: zoneWith('[{ name: students, during: lunch }]'), want: /^cfg:10: policy\.zones\.0\.groups\.0\.during: found "lunch"; expected the name of a schedule \(school-hours\)$/ },
    { name: 'during and outside together', yaml: zoneWith('[{ name: students, during: school-hours, outside: school-hours }]'), want: /policy\.zones\.0\.groups\.0\.outside: found "school-hours"; expected during or outside, not both/ },
    { name: 'a group twice in one zone', yaml: zoneWith('[students, { name: students, during: school-hours }]'), want: /policy\.zones\.0\.groups\.1: found "students"; expected each group once/ },
    { name: 'a legal zone that leaves a group out', yaml: zoneWith('[students, staff]', ', page: { legal: true }'), want: /^cfg:10: policy\.zones\.0\.groups: found a list \(\["students","staff"\]\); expected every group \(default, students, staff\) at every hour, or no groups key: zone "s\.rpz" has page\.legal true, a list imposed by law that no group may escape, and this list leaves out default$/ },
    { name: 'a legal zone on a schedule', yaml: zoneWith('[default, staff, { name: students, outside: school-hours }]', ', page: { legal: true }'), want: /policy\.zones\.0\.groups: .*page\.legal true.*leaves out students$/ },
    { name: 'a group named default', yaml: 'groups: [{ name: default, clients: ["10.0.0.0/8"] }]\n', want: /^cfg:1: groups\.0\.name: found "default"; expected a name other than "default"/ },
    { name: 'two groups of one name', yaml: 'groups:\n  - { name: a, clients: ["10.0.0.0/8"] }\n  - { name: a, clients: ["10.1.0.0/16"] }\n', want: /^cfg:3: groups\.1\.name: found "a"; expected a name no earlier group has$/ },
    { name: 'a group with neither clients nor listeners', yaml: 'groups: [{ name: a }]\n', want: /groups\.0: found "a"; expected clients, listeners or both/ },
    { name: 'a bad network', yaml: 'groups: [{ name: a, clients: ["10.0.0.0/33"] }]\n', want: /groups\.0\.clients\.0: found "10\.0\.0\.0\/33"; expected an address or a network .*prefix at most 32/ },
    { name: 'a bad group upstream', yaml: 'groups: [{ name: a, clients: ["10.0.0.0/8"], upstreams: ["10.0.0.1:99999"] }]\n', want: /^cfg:1: groups\.0\.upstreams\.0: found "10\.0\.0\.1:99999"; expected .*port from 1 to 65535/ },
    { name: 'an empty group upstreams list', yaml: 'groups: [{ name: a, clients: ["10.0.0.0/8"], upstreams: [] }]\n', want: /^cfg:1: groups\.0\.upstreams: found a list \(\[\]\); expected This group's own upstream resolvers/ },
    { name: 'a listener Stopzone does not bind', yaml: 'groups: [{ name: a, listeners: ["10.9.9.9"] }]\n', want: /groups\.0\.listeners\.0: found "10\.9\.9\.9"; expected one of listen\.addresses \(127\.0\.0\.1, ::1\)/ },
    {
      name: 'a schedule error names schedules.NAME and the path inside it',
      yaml: 'schedules:\n  school-hours:\n    timeZone: Europe/London\n    windows:\n      - { days: [mon], from: "8:00", to: "15:30" }\n',
      want: /^cfg:5: schedules\.school-hours\.windows\.0\.from: found "8:00"; expected a time "HH:MM" from "00:00" to "23:59"$/,
    },
    { name: 'a bad time zone', yaml: 'schedules:\n  s:\n    timeZone: Europe/Londn\n    windows: [{ days: [mon], from: "08:00", to: "09:00" }]\n', want: /^cfg:3: schedules\.s\.timeZone: found "Europe\/Londn"; expected an IANA time zone name/ },
    { name: 'a bad day off', yaml: 'schedules:\n  s:\n    timeZone: UTC\n    windows: [{ days: [mon], from: "08:00", to: "09:00" }]\n    daysOff: ["2027-02-29"]\n', want: /^cfg:5: schedules\.s\.daysOff\.0: found "2027-02-29"; expected a date/ },
    { name: 'a bad day name', yaml: 'schedules:\n  s:\n    timeZone: UTC\n    windows: [{ days: [monday], from: "08:00", to: "09:00" }]\n', want: /schedules\.s\.windows\.0\.days\.0: found "monday"; expected one of mon, tue/ },
  ];
  for (const row of rows) t.throws(() => parse(row.yaml), { name: 'ConfigError', message: row.want }, row.name);
});

t.test('a group\'s own upstreams are parsed once, like the top-level ones', async (t) => {
  const config = parse('upstreams: ["127.0.0.1:5301"]\ngroups:\n  - { name: guests, clients: ["10.9.0.0/16"], upstreams: ["127.0.0.1:5302", "[::1]:5303"] }\n  - { name: staff, clients: ["10.2.0.0/16"] }\n');
  const [, guests, staff] = config.groups;
  t.same(guests?.upstreams?.map((u) => [u.host, u.port, u.family]), [['127.0.0.1', 5302, 4], ['::1', 5303, 6]], 'guests: their own, parsed');
  t.equal(String(guests?.upstreams?.[1]), '[::1]:5303', 'printed as configured');
  t.equal(staff?.upstreams, undefined, 'staff: none of their own (the top-level ones apply)');
});
