import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { consoleZones } from '../helpers/console-client.js';
import { startConsoleServer } from '../helpers/console-server.js';

/**
 * GET /api/why: what the policy decides now for a name and a client or group, with the zone, list, rule,
 * trigger, action and schedule behind it, or the allow rule that lets it through; nothing is sent upstream.
 */

/** Monday 1 June 2026 in London (BST): 10:00 is a lesson, 12:30 lunch. */
const LESSON = Date.UTC(2026, 5, 1, 9, 0);
const LUNCH = Date.UTC(2026, 5, 1, 11, 30);

async function setup(t: Test) {
  const zones = consoleZones('blocked.example CNAME .\n*.blocked.example CNAME .\n32.9.0.0.127.rpz-client-ip CNAME .\n');
  writeFileSync(zones.allow, `${'$TTL 300\n@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 60\n  NS localhost.\n'}ok.games.example CNAME rpz-passthru.\n`);
  const zone = (name: string, body: string): string => {
    const file = join(zones.dir, name);
    writeFileSync(file, `$TTL 300\n@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 60\n  NS localhost.\n${body}`);
    return file;
  };
  const school = zone('school.rpz', 'games.example CNAME .\n*.games.example CNAME .\n');
  const intranet = zone('intranet.rpz', 'intranet.example A 10.0.0.80\n');
  let now = LESSON;
  const console = await startConsoleServer(t, ['games.example'], {
    zones,
    now: () => now,
    extra: `groups:\n  - { name: students, clients: ["127.0.0.2/32"] }\n  - { name: staff, clients: ["127.0.0.3/32"] }\nschedules:\n  lessons:\n    timeZone: Europe/London\n    windows:\n      - { days: [mon, tue, wed, thu, fri], from: "08:00", to: "12:00" }\n`,
    moreZones: `    - { name: school.rpz, file: ${school}, logName: "School list", groups: [{ name: students, during: lessons }] }\n    - { name: intranet.rpz, file: ${intranet} }\n`,
  });
  const reader = console.client();
  const why = async (query: Record<string, string>) => reader.call('GET', `/api/why?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${console.tokens.read}` } });
  return { console, why, setNow: (ms: number) => (now = ms) };
}

t.test('the rule, zone, list, trigger, action and schedule that decide a name now, per group and client', async (t) => {
  const { console, why, setNow } = await setup(t);
  const all = ['allow.rpz', 'local.rpz', 'school.rpz', 'intranet.rpz'];
  const rows: Array<{ name: string; query: Record<string, string>; want: Record<string, unknown> }> = [
    {
      name: 'a name a zone blocks for everyone',
      query: { name: 'blocked.example' },
      want: { name: 'blocked.example', group: 'default', decision: 'blocked', zone: 'local.rpz', list: 'local.rpz', rule: 'blocked.example.local.rpz', trigger: 'qname', action: 'nxdomain', inForce: ['allow.rpz', 'local.rpz', 'intranet.rpz'] },
    },
    { name: 'any spelling: letter case and the final dot', query: { name: 'WWW.Blocked.Example.', group: 'staff' }, want: { name: 'www.blocked.example', group: 'staff', decision: 'blocked', rule: '*.blocked.example.local.rpz' } },
    { name: 'a student in a lesson, by client address', query: { name: 'games.example', client: '127.0.0.2' }, want: { group: 'students', decision: 'blocked', zone: 'school.rpz', list: 'School list', schedule: 'during lessons', inForce: all } },
    { name: 'staff, the same name: no rule', query: { name: 'games.example', group: 'staff' }, want: { group: 'staff', decision: 'allowed', inForce: ['allow.rpz', 'local.rpz', 'intranet.rpz'] } },
    { name: 'an allow rule lets a student through', query: { name: 'ok.games.example', group: 'students' }, want: { decision: 'passthru', zone: 'allow.rpz', rule: 'ok.games.example.allow.rpz', action: 'passthru' } },
    { name: 'local data', query: { name: 'intranet.example', type: 'AAAA' }, want: { decision: 'rewritten', zone: 'intranet.rpz', action: 'local-data' } },
    { name: 'a client-IP rule', query: { name: 'anything.example', client: '127.0.0.9' }, want: { group: 'default', decision: 'blocked', trigger: 'client-ip', rule: '32.9.0.0.127.rpz-client-ip.local.rpz' } },
  ];
  for (const row of rows) {
    const reply = await why(row.query);
    t.equal(reply.status, 200, row.name);
    t.match(reply.json, row.want, row.name);
  }
  t.notOk('schedule' in (await why({ name: 'blocked.example' })).json, 'no schedule for a zone in force at every hour');
  setNow(LUNCH);
  const lunch = (await why({ name: 'games.example', client: '127.0.0.2' })).json;
  t.match(lunch, { decision: 'allowed', inForce: ['allow.rpz', 'local.rpz', 'intranet.rpz'] }, 'at lunch the school list is not in force for students');
  t.same(console.upstream.queries, [], 'nothing was sent upstream');
});

t.test('questions it cannot answer get 400 and say why', async (t) => {
  const { why } = await setup(t);
  const rows: Array<[Record<string, string>, RegExp]> = [
    [{ name: 'a..b' }, /"a\.\.b" is no domain name/],
    [{ name: `${'a'.repeat(64)}.example` }, /is no domain name/],
    [{ name: 'x.example', group: 'teachers' }, /no client group "teachers"; the groups are default, students, staff/],
    [{ name: 'x.example', client: 'not-an-address' }, /"not-an-address" is no IP address/],
    [{}, /querystring must have required property 'name'/],
  ];
  for (const [query, message] of rows) {
    const reply = await why(query);
    t.equal(reply.status, 400, JSON.stringify(query));
    t.match(reply.json, { statusCode: 400, message }, JSON.stringify(query));
  }
});
