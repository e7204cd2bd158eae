import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { ZoneStatus } from '../../src/model/zone-status.js';
import { listEntry } from '../../src/sources/plain-list.js';
import { askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';

/** Zones from files: a change is enforced without a restart; a broken file leaves the last good policy in force. */
const head = '$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n';

async function setup(t: Test, files: Record<string, string>, zonesYaml: (dir: string) => string, clock?: (dir: string) => ManualClock) {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-sources-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const upstream = await startFakeUpstream({
    records: Object.fromEntries(['one.example', 'two.example', 'three.example', 'ads.example', 'x.ads.example', 'tracker.example', 'cdn.example'].map((n) => [n, [{ type: 'A', ttl: 60, data: '192.0.2.1' }]])),
  });
  const server = await startTestServer(testConfig([upstream.hostPort], `policy:\n  zones:\n${zonesYaml(dir)}`, 'info'), clock === undefined ? {} : { zoneClock: clock(dir) });
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  return { dir, server };
}

/** Resolves with the status of the next reload of `zone`. */
function nextReload(server: TestServer, zone: string): Promise<ZoneStatus> {
  return new Promise((resolve) => {
    const onReload = (status: ZoneStatus): void => {
      if (status.name !== zone) return;
      server.server.zones.off('reload', onReload);
      resolve(status);
    };
    server.server.zones.on('reload', onReload);
  });
}

const rcode = async (server: TestServer, name: string) => (await askUdp(server.target, name)).packet.rcode;

t.test('a changed zone file is enforced without a restart; an editor\'s rename-over counts too', async (t) => {
  const { dir, server } = await setup(t, { 'school.rpz': `${head}one.example CNAME .\n` }, (d) => `    - { name: school.rpz, file: ${join(d, 'school.rpz')} }\n`);
  t.equal(await rcode(server, 'one.example'), 'NXDOMAIN');
  t.equal(await rcode(server, 'two.example'), 'NOERROR');
  let reloaded = nextReload(server, 'school.rpz');
  writeFileSync(join(dir, 'school.rpz'), `${head}two.example CNAME .\n`);
  t.match(await reloaded, { lastError: null, rules: 1 });
  t.equal(await rcode(server, 'one.example'), 'NOERROR', 'the old rule is gone');
  t.equal(await rcode(server, 'two.example'), 'NXDOMAIN', 'the new rule is in force');
  reloaded = nextReload(server, 'school.rpz');
  writeFileSync(join(dir, 'school.rpz.tmp'), `${head}one.example CNAME .\ntwo.example CNAME .\n`);
  renameSync(join(dir, 'school.rpz.tmp'), join(dir, 'school.rpz'));
  t.match(await reloaded, { lastError: null, rules: 2 });
  t.equal(await rcode(server, 'one.example'), 'NXDOMAIN');
});

t.test('a broken file: the last good zone stays in force, the error names file and line', async (t) => {
  const { dir, server } = await setup(t, { 'school.rpz': `${head}one.example CNAME .\n` }, (d) => `    - { name: school.rpz, file: ${join(d, 'school.rpz')} }\n`);
  const reloaded = nextReload(server, 'school.rpz');
  writeFileSync(join(dir, 'school.rpz'), `${head}two.example CNAME .\nthree.example IM CNAME .\n`);
  const status = await reloaded;
  t.match(status.lastError, /school\.rpz:5: found "IM", expected/);
  t.equal(await rcode(server, 'one.example'), 'NXDOMAIN', 'the last good version still blocks');
  t.equal(await rcode(server, 'two.example'), 'NOERROR', 'nothing of the broken version is in force');
  t.ok(server.logs.some((l) => l.msg === 'policy zone school.rpz failed to load' && /^the last good version stays in force: serial 1, loaded at \d{4}-\d\d-\d\dT/.test(String(l.kept))));
  const metrics = await (await fetch(`http://${server.server.admin.endpoints[0]}/metrics`)).text();
  t.match(metrics, /stopzone_policy_zone_failing\{zone="school\.rpz"\} 1/);
});

t.test('SIGHUP (reloadAll) reloads every zone', async (t) => {
  const { dir, server } = await setup(
    t,
    { 'a.rpz': `${head}one.example CNAME .\n`, 'b.rpz': `${head}` },
    (d) => `    - { name: a.rpz, file: ${join(d, 'a.rpz')} }\n    - { name: b.rpz, file: ${join(d, 'b.rpz')} }\n`,
  );
  server.server.zones.close(); // no watching: only the explicit reload may pick the change up
  writeFileSync(join(dir, 'b.rpz'), `${head}two.example CNAME .\n`);
  t.equal(await rcode(server, 'two.example'), 'NOERROR');
  await server.server.zones.reloadAll();
  t.equal(await rcode(server, 'two.example'), 'NXDOMAIN');
  t.equal(await rcode(server, 'one.example'), 'NXDOMAIN');
});

t.test('plain lists: domains, hosts and adblock formats block the name and everything below it', async (t) => {
  const { server } = await setup(
    t,
    {
      'domains.txt': '# a domain list\nads.example\n\n',
      'hosts.txt': '127.0.0.1 localhost\n0.0.0.0 tracker.example # comment\n192.0.2.9 cdn.example\n',
      'adblock.txt': '! adblock\n||one.example^\n||two.example^$third-party\n',
    },
    (d) =>
      `    - { name: domains.list, file: ${join(d, 'domains.txt')}, format: domains }\n    - { name: hosts.list, file: ${join(d, 'hosts.txt')}, format: hosts }\n    - { name: adblock.list, file: ${join(d, 'adblock.txt')}, format: adblock }\n`,
  );
  t.equal(await rcode(server, 'ads.example'), 'NXDOMAIN', 'domains: the name');
  t.equal(await rcode(server, 'x.ads.example'), 'NXDOMAIN', 'domains: below it');
  t.equal(await rcode(server, 'tracker.example'), 'NXDOMAIN', 'hosts: a 0.0.0.0 line');
  t.equal(await rcode(server, 'cdn.example'), 'NOERROR', 'hosts: a line pointing at a real address is not a block');
  t.equal(await rcode(server, 'one.example'), 'NXDOMAIN', 'adblock: ||name^');
  t.equal(await rcode(server, 'two.example'), 'NOERROR', 'adblock: rules with options are not name blocks');
});

t.test('listEntry reads each format strictly', async (t) => {
  const rows: Array<[string, 'domains' | 'hosts' | 'adblock', string | null]> = [
    ['Example.COM.', 'domains', 'example.com'],
    ['bad..name', 'domains', null],
    ['  # comment', 'domains', null],
    ['0.0.0.0 ads.example', 'hosts', 'ads.example'],
    [':: ads6.example', 'hosts', 'ads6.example'],
    ['0.0.0.0 localhost', 'hosts', null],
    ['||ads.example^', 'adblock', 'ads.example'],
    ['||ads.example^$important', 'adblock', 'ads.example'],
    ['||ads.example/path^', 'adblock', null],
    ['@@||ok.example^', 'adblock', null],
  ];
  for (const [line, format, want] of rows) t.equal(listEntry(line, format), want, `${format}: ${line}`);
});

const soa = (serial: number) => `$TTL 300\n@ SOA ns hostmaster ${serial} 3600 600 86400 60\n@ NS ns\n`;
const schoolZone = (d: string) => `    - { name: school.rpz, file: ${join(d, 'school.rpz')} }\n`;

t.test('a zone file emptied, cut before its SOA or without one keeps the last good version; the log names the file, why, and what stays', async (t) => {
  const { dir, server } = await setup(t, { 'school.rpz': `${soa(7)}one.example CNAME .\n` }, schoolZone);
  const path = join(dir, 'school.rpz');
  const rows: Array<[string, string, RegExp]> = [
    ['emptied (> school.rpz)', '', /school\.rpz is empty \(0 bytes\); expected a policy zone, starting with its SOA record/],
    ['cut before its SOA', '; school list\n$TTL 300\n', /school\.rpz has no SOA record \(0 records read\)/],
    ['rules without a SOA', 'two.example CNAME .\n', /school\.rpz has no SOA record \(1 records read\)/],
  ];
  for (const [what, text, why] of rows) {
    const reloaded = nextReload(server, 'school.rpz');
    writeFileSync(path, text);
    const status = await reloaded;
    t.match(status.lastError, why, `${what}: the error says why`);
    t.equal(status.serial, '7', `${what}: serial 7 stays in force`);
    t.equal(await rcode(server, 'one.example'), 'NXDOMAIN', `${what}: the listed name is still blocked`);
  }
  const line = server.logs.filter((l) => l.msg === 'policy zone school.rpz failed to load').at(-1);
  t.match(line, { level: 50, zone: 'school.rpz', source: path, err: /has no SOA record/, kept: /^the last good version stays in force: serial 7, loaded at \d{4}-\d\d-\d\dT[\d:.]+Z$/ });
  const reloaded = nextReload(server, 'school.rpz');
  writeFileSync(path, `${soa(8)}two.example CNAME .\n`);
  t.match(await reloaded, { lastError: null, serial: '8' }, 'a whole zone file loads again');
  t.equal(await rcode(server, 'two.example'), 'NXDOMAIN');
  t.equal(await rcode(server, 'one.example'), 'NOERROR');
});

t.test('a plain list: a zero-byte file does not empty the list in force; a comment line empties it on purpose', async (t) => {
  const { dir, server } = await setup(t, { 'domains.txt': 'ads.example\n' }, (d) => `    - { name: domains.list, file: ${join(d, 'domains.txt')}, format: domains }\n`);
  const path = join(dir, 'domains.txt');
  let reloaded = nextReload(server, 'domains.list');
  writeFileSync(path, '');
  t.match((await reloaded).lastError, /domains\.txt is empty \(0 bytes\); an empty file does not replace a list in force/);
  t.equal(await rcode(server, 'ads.example'), 'NXDOMAIN', 'the list in force stays');
  reloaded = nextReload(server, 'domains.list');
  writeFileSync(path, '# nothing blocked for now\n');
  t.match(await reloaded, { lastError: null, rules: 0 });
  t.equal(await rcode(server, 'ads.example'), 'NOERROR', 'emptied on purpose');
});

t.test('at start-up: an empty zone file or a named pipe stops start-up with the reason; an empty plain list loads as an empty list', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-sources-'));
  writeFileSync(join(dir, 'school.rpz'), '');
  const upstream = await startFakeUpstream({ records: { 'ads.example': [{ type: 'A', ttl: 60, data: '192.0.2.1' }] } });
  t.teardown(() => upstream.close());
  await t.rejects(startTestServer(testConfig([upstream.hostPort], `policy:\n  zones:\n${schoolZone(dir)}`, 'info')), { message: /school\.rpz is empty \(0 bytes\); expected a policy zone/ });
  execFileSync('mkfifo', [join(dir, 'pipe.rpz')]);
  await t.rejects(startTestServer(testConfig([upstream.hostPort], `policy:\n  zones:\n    - { name: pipe.rpz, file: ${join(dir, 'pipe.rpz')} }\n`, 'info')), { message: /pipe\.rpz is not a regular file \(a named pipe\)/ }, 'a named pipe would hold start-up until someone writes to it');
  const { server } = await setup(t, { 'allow.txt': '' }, (d) => `    - { name: allow.list, file: ${join(d, 'allow.txt')}, format: domains, policy: passthru }\n`);
  t.match(server.server.zones.status()[0], { lastError: null, rules: 0 }, 'an empty allow list is a list');
  t.equal(await rcode(server, 'ads.example'), 'NOERROR');
});

/** Settle interval of the tests with a ManualClock (the default of policy.fileSettleMs). */
const SETTLE = 1000;

/** A clock whose time is just past the settle interval after the files were written: start-up reads them at once. */
const clockAfterWrite = () => new ManualClock(Date.now() + SETTLE + 1);

/** Which comes first: the zone waiting on the clock (as it should while a file is written), or a reload. */
const waitsOrLoads = (server: TestServer, clock: ManualClock) =>
  Promise.race([clock.waited().then(() => 'waits for the file to settle'), nextReload(server, 'school.rpz').then((s) => `loaded ${s.rules} rules (${s.lastError ?? 'no error'})`)]);

t.test('a zone file written slowly in place is not loaded until the writer stops, though what is written so far parses', async (t) => {
  let clock: ManualClock | undefined;
  const { dir, server } = await setup(t, { 'school.rpz': `${soa(1)}one.example CNAME .\ntwo.example CNAME .\n` }, schoolZone, () => (clock = clockAfterWrite()));
  const path = join(dir, 'school.rpz');
  // The writer (cp, or a script with >) truncates, then writes: first a prefix that parses and lacks two.example.
  const fd = openSync(path, 'w');
  writeSync(fd, `${soa(2)}one.example CNAME .\n`);
  t.equal(await waitsOrLoads(server, clock!), 'waits for the file to settle');
  t.equal(await rcode(server, 'two.example'), 'NXDOMAIN', 'no window: the prefix is not in force');
  writeSync(fd, 'two.example CNAME .\n');
  clock!.advance(SETTLE);
  t.equal(await waitsOrLoads(server, clock!), 'waits for the file to settle', 'the file changed across the settle interval: still waiting');
  t.equal(await rcode(server, 'two.example'), 'NXDOMAIN');
  t.equal(await rcode(server, 'three.example'), 'NOERROR');
  writeSync(fd, 'three.example CNAME .\n');
  closeSync(fd);
  const reloaded = nextReload(server, 'school.rpz');
  clock!.advance(SETTLE); // sees the last write
  await clock!.waited();
  clock!.advance(SETTLE); // sees nothing new: the file has settled
  t.match(await reloaded, { lastError: null, serial: '2', rules: 3 }, 'the whole file is loaded once the writer is done');
  for (const name of ['one.example', 'two.example', 'three.example']) t.equal(await rcode(server, name), 'NXDOMAIN', name);
});

t.test('a writer that pauses longer than fileSettleMs after a prefix: the prefix has fewer rules, so it waits one more interval and is dropped when the file moves on', async (t) => {
  let clock: ManualClock | undefined;
  const { dir, server } = await setup(t, { 'school.rpz': `${soa(1)}one.example CNAME .\ntwo.example CNAME .\n` }, schoolZone, () => (clock = clockAfterWrite()));
  const path = join(dir, 'school.rpz');
  const fd = openSync(path, 'w');
  writeSync(fd, `${soa(2)}one.example CNAME .\n`);
  const firstReload = nextReload(server, 'school.rpz');
  t.equal(await waitsOrLoads(server, clock!), 'waits for the file to settle');
  clock!.advance(SETTLE); // the writer pauses: the file looks settled, and the prefix (1 rule, 2 in force) is read
  t.equal(await waitsOrLoads(server, clock!), 'waits for the file to settle', 'fewer rules than in force: it waits one more interval');
  t.equal(await rcode(server, 'two.example'), 'NXDOMAIN', 'no window: the prefix is not in force');
  writeSync(fd, 'two.example CNAME .\nthree.example CNAME .\n');
  closeSync(fd);
  clock!.advance(SETTLE); // the file moved on: the prefix is dropped, and the wait starts again
  await clock!.waited();
  clock!.advance(SETTLE);
  t.match(await firstReload, { lastError: null, serial: '2', rules: 3 }, 'the first version swapped in is the whole file');
  t.ok(server.logs.some((l) => l.reason === `it changed again within ${SETTLE} ms of a read that found fewer rules than the version in force`), 'the log says why the read was dropped');
});

t.test('a zone file that shrinks on purpose (a rename-over) is loaded after one more settle interval', async (t) => {
  let clock: ManualClock | undefined;
  const { dir, server } = await setup(t, { 'school.rpz': `${soa(1)}one.example CNAME .\ntwo.example CNAME .\n` }, schoolZone, () => (clock = clockAfterWrite()));
  const reloaded = nextReload(server, 'school.rpz');
  writeFileSync(join(dir, 'school.rpz.tmp'), `${soa(2)}one.example CNAME .\n`);
  renameSync(join(dir, 'school.rpz.tmp'), join(dir, 'school.rpz'));
  await clock!.waited();
  clock!.advance(SETTLE); // settled: read, 1 rule against 2
  await clock!.waited();
  clock!.advance(SETTLE); // still unchanged one interval later: in force
  t.match(await reloaded, { lastError: null, serial: '2', rules: 1 });
  t.equal(await rcode(server, 'two.example'), 'NOERROR', 'the removed rule is lifted');
});
