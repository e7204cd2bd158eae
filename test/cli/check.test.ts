import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import t from 'tap';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stopzone-check-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const head = '$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n';

t.test('stopzone check: counts by trigger type and action, warnings with file:line, exit 0', async (t) => {
  const path = file(
    'school.rpz',
    `${head}bad.example CNAME .\n*.bad.example CNAME .\nok.example CNAME rpz-passthru.\n32.1.2.0.192.rpz-ip CNAME .\n1.2.0.192.rpz-ip CNAME .\nlocal.example A 192.0.2.1\n`,
  );
  const run = runCli(['check', path]);
  t.equal(await run.exited, 0);
  const out = run.stdout();
  t.match(out, /school\.rpz: zone school, serial 1, 8 records, loaded in \d+ ms/);
  t.match(out, /triggers: 4 qname, 1 ip/);
  t.match(out, /actions:  3 nxdomain, 1 passthru, 1 local-data/);
  t.match(out, /warning: 1 × invalid rpz IP address\n\s+.*school\.rpz:8: /);
});

t.test('stopzone check: a syntax error names file, line, found and expected; exit 1', async (t) => {
  const path = file('broken.rpz', `${head}bad.example IM CNAME .\n`);
  const run = runCli(['check', '--zone', 'broken.rpz', path]);
  t.equal(await run.exited, 1);
  t.match(run.stdout(), /broken\.rpz:4: found "IM", expected/);
  t.match(run.stdout(), /error: the zone was not loaded/);
});

t.test('stopzone check --config: plain lists are read in their format, downloaded and transferred zones are left out', async (t) => {
  file('hosts.txt', '0.0.0.0 ads.example\n127.0.0.1 track.example\n');
  // A feed server and a primary that would see any request: check must send them nothing.
  const feedRequests: string[] = [];
  const feed = http.createServer((request, response) => (feedRequests.push(request.url ?? ''), response.writeHead(200).end('0.0.0.0 ads.example\n')));
  const feedConnections: net.Socket[] = [];
  feed.on('connection', (socket) => feedConnections.push(socket));
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => feed.close(() => resolve())));
  const primary = await startFakeUpstream({});
  t.teardown(() => primary.close());
  const config = file(
    'stopzone.yaml',
    `policy:\n  zones:\n    - { name: hosts.list, file: hosts.txt, format: hosts }\n    - { name: feed.rpz, url: "http://127.0.0.1:${(feed.address() as net.AddressInfo).port}/feed.rpz" }\n    - { name: xfr.rpz, primaries: ["${primary.hostPort}"] }\n`,
  );
  const run = runCli(['check', '--config', config]);
  t.equal(await run.exited, 0);
  const out = run.stdout();
  t.match(out, /hosts\.txt: zone hosts\.list, serial 1, \d+ records/);
  t.match(out, /triggers: 4 qname/, 'two names, each with its wildcard');
  t.notMatch(out, /feed\.rpz|xfr\.rpz/, 'the downloaded and transferred zones are not reported');
  t.same([feedConnections.length, feedRequests], [0, []], 'the feed server saw no connection: check never downloads');
  t.same(primary.queries, [], 'the primary saw no query (SOA, AXFR or IXFR) over UDP or TCP');
});

t.test('stopzone check --format reads a plain list; the actions shown are the policy\'s; warnings give real lines (issue 18 §3.3)', async (t) => {
  const list = file('school.txt', 'ads.example\ntiktok example.com\n');
  const run = runCli(['check', '--format', 'domains', '--policy', 'stop-page', '--zone', 'school.list', list]);
  t.equal(await run.exited, 0, run.stderr());
  const out = run.stdout();
  t.match(out, /school\.txt: zone school\.list, serial 1, \d+ records \(a domains list of 2 names\), loaded in \d+ ms/);
  t.match(out, /actions:  4 stop-page \(policy stop-page, in place of the rules' own: 4 nxdomain\)/);
  t.match(out, new RegExp(`warning: 1 × single-label name \\(a whole top-level domain\\)\\n\\s+${list}:2: found "tiktok"`));

  const nsdname = file('ns.rpz', `${head}ns.example.rpz-nsdname CNAME .\n`);
  const config = file('check.yaml', `policy:\n  zones:\n    - { name: ns.rpz, file: ns.rpz, policy: disabled }\n    - { name: school.list, file: school.txt, format: domains, policy: stop-page }\n`);
  const configured = runCli(['check', '--config', config]);
  t.equal(await configured.exited, 0, configured.stderr());
  const text = configured.stdout();
  t.match(text, /actions:  none enforced \(policy disabled: only logs what the rules' own would do: 1 nxdomain\)/);
  t.match(text, /actions:  4 stop-page/, 'the configured policy of each zone');
  t.notMatch(text, /:0:/, 'no line 0: a zone-wide warning names the zone alone');

  const bad = runCli(['check', '--format', 'csv', list]);
  t.equal(await bad.exited, 2);
  t.match(bad.stderr(), /--format "csv": expected rpz, domains, hosts or adblock/);
});

t.test('stopzone check --config --at: per group, the zones in force at that instant and the next schedule change', async (t) => {
  file('games.rpz', `${head}games.example CNAME .\n`);
  file('social.rpz', `${head}social.example CNAME .\n`);
  file('security.rpz', `${head}malware.example CNAME .\n`);
  const config = file(
    'groups.yaml',
    `groups:
  - { name: students, clients: ["10.1.0.0/16"] }
  - { name: guests, clients: ["10.9.0.0/16"] }
schedules:
  lessons:
    timeZone: Europe/London
    windows:
      - { days: [mon, tue, wed, thu, fri], from: "08:00", to: "11:30" }
      - { days: [mon, tue, wed, thu, fri], from: "12:15", to: "15:30" }
policy:
  zones:
    - { name: games.rpz, file: games.rpz, groups: [{ name: students, during: lessons }, guests] }
    - { name: social.rpz, file: social.rpz, groups: [{ name: guests, outside: lessons }] }
    - { name: security.rpz, file: security.rpz }
`,
  );
  const groupsAt = async (at: string): Promise<string> => {
    const run = runCli(['check', '--config', config, '--at', at]);
    t.equal(await run.exited, 0, run.stderr());
    const out = run.stdout();
    t.match(out, /games\.rpz: zone games\.rpz, serial 1/, 'the zones are checked as before');
    return out.slice(out.indexOf('client groups at'));
  };
  t.equal(
    await groupsAt('2026-11-23T10:00:00Z'),
    `client groups at 2026-11-23T10:00:00.000Z:
  default: security.rpz; not now: games.rpz, social.rpz
    next change: none (no zone on a schedule for this group)
  students: games.rpz, security.rpz; not now: social.rpz
    next change: 2026-11-23 Mon 11:30 UTC+00:00 (schedule lessons): games.rpz stops
  guests: games.rpz, security.rpz; not now: social.rpz
    next change: 2026-11-23 Mon 11:30 UTC+00:00 (schedule lessons): social.rpz starts
`,
    'a Monday morning lesson',
  );
  const friday = await groupsAt('2027-06-04T15:00:00+01:00');
  t.match(friday, /^client groups at 2027-06-04T14:00:00\.000Z:\n/, 'an offset is taken into account');
  t.match(friday, /\n  students: games\.rpz, security\.rpz; not now: social\.rpz\n    next change: 2027-06-04 Fri 15:30 UTC\+01:00 \(schedule lessons\): games\.rpz stops\n/, 'local time in the schedule\'s zone, in summer time');
  const weekend = await groupsAt('2027-06-04T16:00:00+01:00');
  t.match(weekend, /\n  students: security\.rpz; not now: games\.rpz, social\.rpz\n    next change: 2027-06-07 Mon 08:00 UTC\+01:00 \(schedule lessons\): games\.rpz starts\n/, 'over the weekend to Monday');
  const bad = runCli(['check', '--config', config, '--at', '2026-11-23 10:00']);
  t.equal(await bad.exited, 2);
  t.match(bad.stderr(), /--at "2026-11-23 10:00": expected an ISO 8601 time with an offset/);
});

t.test('stopzone check --config without groups prints no group section', async (t) => {
  file('only.rpz', `${head}bad.example CNAME .\n`);
  const run = runCli(['check', '--config', file('plain.yaml', 'policy:\n  zones:\n    - { name: only.rpz, file: only.rpz }\n')]);
  t.equal(await run.exited, 0);
  t.notMatch(run.stdout(), /client groups/);
});
