import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { ZoneStatus } from '../../src/sources/policy-zones.js';
import { listEntry } from '../../src/sources/plain-list.js';
import { askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';

/** Zones from files: a change is enforced without a restart; a broken file leaves the last good policy in force. */
const head = '$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n';

async function setup(t: Test, files: Record<string, string>, zonesYaml: (dir: string) => string) {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-sources-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const upstream = await startFakeUpstream({
    records: Object.fromEntries(['one.example', 'two.example', 'ads.example', 'x.ads.example', 'tracker.example', 'cdn.example'].map((n) => [n, [{ type: 'A', ttl: 60, data: '192.0.2.1' }]])),
  });
  const server = await startTestServer(testConfig([upstream.hostPort], `policy:\n  zones:\n${zonesYaml(dir)}`, 'info'));
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
  t.ok(server.logs.some((l) => l.msg === 'policy zone school.rpz failed to load' && l.kept === 'the last good version stays in force'));
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
