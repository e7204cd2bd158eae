import { execFile } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { skipWhenMissing } from '../helpers/missing-tool.js';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load-config.js';
import { loadPolicyZone } from '../../src/rpz/load-zone.js';
import { askUdp, type Reply } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/**
 * The policy shipped in zones/: it loads cleanly in Stopzone and in BIND, and
 * over real UDP on loopback the bypass guard gives each vendor's documented
 * answer, the allow list overrides later zones, the test name reaches the stop
 * page, and everything else is forwarded.
 */
const ZONES = fileURLToPath(new URL('../../zones/', import.meta.url));
const SHIPPED = ['allow', 'bypass-guard', 'local'] as const;
const zoneFile = (name: string): string => join(ZONES, `${name}.rpz`);

/** The zone with every commented-out example turned on (";name ..." lines become "name ..."). */
const uncommented = (text: string): string => text.replace(/^;(?=[A-Za-z0-9*_])/gm, '');

t.test('each shipped zone loads as the server loads it, with no warnings', async (t) => {
  for (const name of SHIPPED) {
    const zone = await loadPolicyZone(zoneFile(name), `${name}.rpz`);
    t.same(zone.stats.warnings, [], `${name}.rpz: no warnings`);
    t.equal(zone.stats.serial, '1', `${name}.rpz: has its SOA`);
  }
  const guard = await loadPolicyZone(zoneFile('bypass-guard'), 'bypass-guard.rpz');
  t.match(guard.stats.actions, { nxdomain: 3, nodata: 3 }, 'bypass guard: 3 NXDOMAIN (Firefox, Private Relay), 3 NODATA (DDR)');
  const local = await loadPolicyZone(zoneFile('local'), 'local.rpz');
  t.match(local.stats.triggers, { qname: 1 }, 'local.rpz: only the test name is active');
  const allow = await loadPolicyZone(zoneFile('allow'), 'allow.rpz');
  t.equal(allow.stats.records, 2, 'allow.rpz: SOA and NS only, nothing allowed by default');
});

t.test('every commented example in allow.rpz and local.rpz is a valid rule', async (t) => {
  const dir = t.testdir();
  for (const name of ['allow', 'local']) {
    const path = join(dir, `${name}.rpz`);
    await writeFile(path, uncommented(await readFile(zoneFile(name), 'utf8')));
    const zone = await loadPolicyZone(path, `${name}.rpz`);
    t.same(zone.stats.warnings, [], `${name}.rpz examples: no warnings`);
    t.ok(zone.stats.records > 5, `${name}.rpz examples: ${zone.stats.records} records`);
    const checked = await namedCheckzone(`${name}.rpz`, path);
    // Without named-checkzone: a comment here, a failure in CI.
    if (checked === null) t.comment(skipWhenMissing(true, 'named-checkzone is not installed (Debian package bind9-utils)'));
    else t.equal(checked.code, 0, `${name}.rpz examples: named-checkzone accepts them\n${checked.output}`);
  }
});

const noCheckzone = skipWhenMissing((await namedCheckzoneBinary()) === null, 'named-checkzone is not installed (Debian package bind9-utils)');

t.test('BIND accepts each shipped zone (named-checkzone)', { skip: noCheckzone }, async (t) => {
  for (const name of SHIPPED) {
    const checked = await namedCheckzone(`${name}.rpz`, zoneFile(name));
    t.equal(checked?.code, 0, `${name}.rpz: ${checked?.output.trim()}`);
  }
});

t.test('BIND accepts the safe-search example (named-checkzone)', { skip: noCheckzone }, async (t) => {
  const checked = await namedCheckzone('safe-search.rpz', join(ZONES, 'safe-search.rpz.example'));
  t.equal(checked?.code, 0, `safe-search.rpz.example: ${checked?.output.trim()}`);
});

t.test('the Kubernetes example carries the shipped zones unchanged and a configuration Stopzone accepts', async (t) => {
  const read = async (file: string): Promise<unknown> => parse(await readFile(new URL(`../../docs/examples/kubernetes/${file}`, import.meta.url), 'utf8'));
  const configMap = (await read('configmap.yaml')) as { data: Record<string, string> };
  for (const name of ['allow', 'bypass-guard']) {
    t.equal(configMap.data[`${name}.rpz`], await readFile(zoneFile(name), 'utf8'), `configmap.yaml: ${name}.rpz is zones/${name}.rpz (after changing the zone, make the ConfigMap again: the command is at the top of configmap.yaml)`);
  }
  const dir = t.testdir();
  const key = join(dir, 'stopzone-xfr.key');
  await writeFile(key, 'c2VjcmV0LWZvci10aGUtdGVzdA==\n');
  const text = configMap.data['stopzone.yaml']!.replace('/etc/stopzone-keys/stopzone-xfr.key', key);
  const config = parseConfig(text, {}, 'configmap.yaml: stopzone.yaml', '/etc/stopzone');
  t.same(config.policy.zones.map((z) => z.file ?? z.primaries?.map((primary) => primary.label)), ['/etc/stopzone/zones/allow.rpz', '/etc/stopzone/zones/bypass-guard.rpz', ['192.168.10.5']]);
  const deployment = (await read('deployment.yaml')) as { spec: { template: { spec: { volumes: Array<{ name: string; configMap?: { items: Array<{ key: string; path: string }> } }> } } } };
  const items = deployment.spec.template.spec.volumes.find((v) => v.name === 'config')!.configMap!.items;
  t.same(items.map((i) => i.key).sort(), Object.keys(configMap.data).sort(), 'deployment.yaml mounts every ConfigMap key');
  t.same(
    items.filter((i) => i.key.endsWith('.rpz')).map((i) => `/etc/stopzone/${i.path}`),
    config.policy.zones.flatMap((z) => (z.file === undefined ? [] : [z.file])),
    'at the paths the configuration names',
  );
});

/** Boots Stopzone with the shipped zones (allow.rpz extended by one test rule) and a test-only feed after them. */
async function boot(t: Test) {
  const upstream = await startFakeUpstream({
    records: {
      'www.example.org': [{ type: 'A', data: '192.0.2.1' }],
      'allowed.example': [{ type: 'A', data: '192.0.2.2' }],
      // Real names answer upstream; the guard must answer first and never forward them.
      'use-application-dns.net': [{ type: 'A', data: '192.0.2.10' }],
      'mask.icloud.com': [{ type: 'A', data: '192.0.2.11' }, { type: 'AAAA', data: '2001:db8::11' }],
      'mask-h2.icloud.com': [{ type: 'A', data: '192.0.2.12' }, { type: 'AAAA', data: '2001:db8::12' }],
      '_dns.resolver.arpa': [{ type: 'A', data: '192.0.2.13' }],
    },
  });
  const dir = t.testdir();
  const allow = join(dir, 'allow.rpz');
  await writeFile(allow, `${await readFile(zoneFile('allow'), 'utf8')}allowed.example CNAME rpz-passthru.\n`);
  const feed = join(dir, 'feed.rpz');
  await writeFile(feed, '$TTL 300\n@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 60\n NS localhost.\nallowed.example CNAME .\nlisted.example CNAME .\n');
  const server = await startTestServer(
    testConfig(
      [upstream.hostPort],
      [
        'policy:',
        '  zones:',
        `    - { name: allow.rpz, file: "${allow}" }`,
        `    - { name: bypass-guard.rpz, file: "${zoneFile('bypass-guard')}", logName: "Encrypted-DNS bypass guard" }`,
        `    - { name: local.rpz, file: "${zoneFile('local')}", policy: stop-page, logName: "School list" }`,
        `    - { name: feed.rpz, file: "${feed}" }`,
        'stopPage: { addresses: ["127.0.0.1"], http: ["127.0.0.1:0"], https: ["127.0.0.1:0"] }',
        '',
      ].join('\n'),
      'info',
    ),
  );
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  return { server, upstream };
}

const addresses = (reply: Reply): unknown[] => (reply.packet.answers ?? []).map((a) => (a as { data?: unknown }).data);

t.test('over UDP: the bypass guard, the allow list, the test name and forwarding', async (t) => {
  const { server, upstream } = await boot(t);
  const ask = (name: string, type = 'A') => askUdp(server.target, name, { type, bufsize: 1232 });

  for (const type of ['A', 'AAAA']) {
    const canary = await ask('use-application-dns.net', type);
    t.equal(canary.packet.rcode, 'NXDOMAIN', `Firefox canary ${type}: NXDOMAIN (DoH stays off)`);
  }
  for (const name of ['mask.icloud.com', 'mask-h2.icloud.com']) {
    for (const type of ['A', 'AAAA', 'UNKNOWN_65']) {
      const relay = await ask(name, type);
      t.equal(relay.packet.rcode, 'NXDOMAIN', `${name} ${type === 'UNKNOWN_65' ? 'HTTPS' : type}: NXDOMAIN (Private Relay off here)`);
      t.same(relay.packet.answers, [], `${name} ${type}: no records`);
    }
  }
  for (const [name, type] of [['_dns.resolver.arpa', 'UNKNOWN_64'], ['_dns.resolver.arpa', 'A'], ['resolver.arpa', 'SOA'], ['_dns.other.resolver.arpa', 'UNKNOWN_64']] as const) {
    const ddr = await ask(name, type);
    t.equal(ddr.packet.rcode, 'NOERROR', `${name} ${type === 'UNKNOWN_64' ? 'SVCB' : type}: NOERROR`);
    t.same(ddr.packet.answers, [], `${name}: no records (NODATA: no designated resolver)`);
  }
  const guarded = /^(use-application-dns\.net|mask(-h2)?\.icloud\.com|(.*\.)?resolver\.arpa)$/i;
  t.same(upstream.queries.filter((q) => guarded.test(q.name)), [], 'no guarded name reached the upstream');

  const ordinary = await ask('www.example.org');
  t.same([ordinary.packet.rcode, addresses(ordinary)], ['NOERROR', ['192.0.2.1']], 'an ordinary name is forwarded');
  const allowed = await ask('allowed.example');
  t.same([allowed.packet.rcode, addresses(allowed)], ['NOERROR', ['192.0.2.2']], 'allow.rpz PASSTHRU beats the block in a later zone');
  const listed = await ask('listed.example');
  t.equal(listed.packet.rcode, 'NXDOMAIN', 'the later zone blocks what allow.rpz does not list');

  const test = await ask('blocked.stopzone.test');
  t.same([test.packet.rcode, addresses(test)], ['NOERROR', ['127.0.0.1']], 'the test name resolves to the stop page');
  const page = await get(server.server.stopPage.http[0]!, 'blocked.stopzone.test');
  t.equal(page.status, 403, 'the stop page answers 403 for the test name');
  t.match(page.body, /School list/, 'and names the list');

  await server.server.blockLog.close();
  t.match(
    server.blockEvents.find((e) => e.qname === 'mask.icloud.com'),
    { msg: 'blocked', zone: 'bypass-guard.rpz', list: 'Encrypted-DNS bypass guard', rule: 'mask.icloud.com.bypass-guard.rpz', action: 'nxdomain' },
    'guard hits are block-log events under the guard\'s list name',
  );
});

/** An HTTP GET to the stop page at `hostPort` for `host`. */
function get(hostPort: string, host: string): Promise<{ status: number; body: string }> {
  const at = hostPort.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const req = request({ host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)), path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

/** named-checkzone on PATH, in /usr/bin or in /usr/sbin; null when BIND's tools are not installed. */
async function namedCheckzoneBinary(): Promise<string | null> {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter((d) => d !== ''), '/usr/bin', '/usr/sbin']) {
    const path = join(dir, 'named-checkzone');
    if (await access(path).then(() => true, () => false)) return path;
  }
  return null;
}

/** Runs named-checkzone on a zone; null when it is not installed. */
async function namedCheckzone(zone: string, file: string): Promise<{ code: number; output: string } | null> {
  const binary = await namedCheckzoneBinary();
  if (binary === null) return null;
  return new Promise((resolve) => {
    execFile(binary, [zone, file], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
    });
  });
}
