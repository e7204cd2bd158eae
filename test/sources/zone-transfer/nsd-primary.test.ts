import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { askUdp } from '../../helpers/dns-client.js';
import { startFakeUpstream } from '../../helpers/fake-upstream.js';
import { startNsd, type RunningNsd } from '../../helpers/nsd.js';
import { startTestServer, testConfig, type TestServer } from '../../helpers/stopzone.js';
import { zoneStatusWhere } from '../../helpers/zone-events.js';

/**
 * A second primary implementation: NSD serves the policy zone by AXFR, with
 * TSIG (hmac-sha512 and hmac-sha1) or without. The transferred zone must
 * answer exactly as the same zone loaded from its file, local data of several
 * types included. Then the SOA expire rules, with the primary gone.
 */

const ZONE = 'feed.rpz';
const zoneText = `$TTL 300
@ SOA ns.feed.rpz. hostmaster.feed.rpz. 7 3600 600 86400 60
@ NS ns.feed.rpz.
ns A 127.0.0.1
blocked.example CNAME .
*.blocked.example CNAME .
empty.example CNAME *.
local.example A 192.0.2.10
local.example AAAA 2001:db8::10
local.example TXT "blocked by the feed" "second string"
mail.example MX 10 mx.local.example.
garden.example CNAME walled.example.
32.10.2.0.192.rpz-ip CNAME .
`;
const QUESTIONS: Array<[string, string]> = [
  ['blocked.example', 'A'],
  ['www.blocked.example', 'A'],
  ['empty.example', 'A'],
  ['local.example', 'A'],
  ['local.example', 'AAAA'],
  ['local.example', 'TXT'],
  ['mail.example', 'MX'],
  ['garden.example', 'A'],
  ['answer-ip.example', 'A'],
  ['allowed.example', 'A'],
];

async function upstream(t: Test) {
  const server = await startFakeUpstream({
    records: {
      'allowed.example': [{ type: 'A', ttl: 60, data: '192.0.2.1' }],
      'blocked.example': [{ type: 'A', ttl: 60, data: '192.0.2.2' }],
      'answer-ip.example': [{ type: 'A', ttl: 60, data: '192.0.2.10' }],
      'walled.example': [{ type: 'A', ttl: 60, data: '192.0.2.99' }],
    },
  });
  t.teardown(() => server.close());
  return server;
}

async function nsdWith(t: Test, provide: string, keys: Array<{ name: string; algorithm: string; secret: string }> = []): Promise<RunningNsd> {
  const nsd = await startNsd({ zones: [{ name: ZONE, text: zoneText, options: [`provide-xfr: 127.0.0.1 ${provide}`] }], keys });
  t.teardown(() => nsd.stop());
  return nsd;
}

/** The answers a user would see, as comparable text. */
async function answers(server: TestServer): Promise<string[]> {
  const out: string[] = [];
  for (const [name, type] of QUESTIONS) {
    const { packet } = await askUdp(server.target, name, { type });
    const data = (packet.answers ?? []).map((a) => `${a.name} ${a.type} ${JSON.stringify((a as { data?: unknown }).data)}`).sort();
    out.push(`${name} ${type}: ${packet.rcode} ${data.join(' | ')}`);
  }
  return out;
}

async function boot(t: Test, zoneYaml: string, extra = '', state = mkdtempSync(join(tmpdir(), 'stopzone-nsd-secondary-'))): Promise<TestServer> {
  const fake = await upstream(t);
  const server = await startTestServer(testConfig([fake.hostPort], `state: { dir: "${state}" }\n${extra}policy:\n  zones:\n    - ${zoneYaml}\n`, 'info'));
  t.teardown(() => server.close());
  return server;
}

t.test('the same policy by AXFR from NSD as from the zone file, with TSIG hmac-sha512, hmac-sha1 or none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-nsd-file-'));
  writeFileSync(join(dir, 'feed.rpz'), zoneText);
  const fromFile = await answers(await boot(t, `{ name: ${ZONE}, file: "${join(dir, 'feed.rpz')}" }`));
  t.match(fromFile.join('\n'), /blocked\.example A: NXDOMAIN/, 'the reference answers block');

  for (const algorithm of ['hmac-sha512', 'hmac-sha1', null] as const) {
    const key = algorithm === null ? null : { name: `nsd-${algorithm}`, algorithm, secret: randomBytes(algorithm === 'hmac-sha1' ? 20 : 64).toString('base64') };
    const nsd = await nsdWith(t, key === null ? 'NOKEY' : key.name, key === null ? [] : [key]);
    const keys = key === null ? '' : `tsigKeys:\n  - { name: ${key.name}, algorithm: ${key.algorithm}, secret: "${key.secret}" }\n`;
    const server = await boot(t, `{ name: ${ZONE}, primaries: ["${nsd.hostPort}"]${key === null ? '' : `, key: ${key.name}`} }`, keys);
    const status = server.server.zones.status()[0]!;
    t.match(status, { serial: '7', lastError: null, lastTransfer: { kind: 'axfr', from: nsd.hostPort } }, `AXFR from NSD (${algorithm ?? 'no TSIG'})`);
    t.ok(status.lastTransfer!.bytes > 200, `transfer size reported: ${status.lastTransfer!.bytes} bytes`);
    t.same(await answers(server), fromFile, `answers equal the file's (${algorithm ?? 'no TSIG'})`);
    const metrics = await (await fetch(`http://${server.server.admin.endpoints[0]}/metrics`)).text();
    t.match(metrics, new RegExp(`stopzone_policy_zone_transfer_bytes\\{zone="${ZONE.replace('.', '\\.')}"\\} ${status.lastTransfer!.bytes}`), 'transfer size in /metrics');
  }
});

t.test('past the SOA expire time without a primary: enforced with a loud warning, or dropped when configured', async (t) => {
  for (const whenExpired of ['enforce', 'drop'] as const) {
    const state = mkdtempSync(join(tmpdir(), 'stopzone-expire-'));
    const nsd = await nsdWith(t, 'NOKEY');
    const zone = `{ name: ${ZONE}, primaries: ["${nsd.hostPort}"], transfer: { whenExpired: ${whenExpired} } }`;
    const first = await boot(t, zone, '', state);
    t.equal((await askUdp(first.target, 'blocked.example')).packet.rcode, 'NXDOMAIN');
    const copy = first.server.zones.status()[0]!.file;
    await first.close();
    await nsd.stop();
    // As if the primary had last confirmed the copy more than the SOA's expire time (86400 s) ago.
    writeFileSync(`${copy}.meta.json`, JSON.stringify({ serial: 7, primary: nsd.hostPort, confirmed: Date.now() - 86_401_000 }));

    const second = await boot(t, zone, '', state);
    const status = await zoneStatusWhere(second, (s) => s.lastError !== null, 5000, { now: true });
    t.equal(status.expired, true, `${whenExpired}: the zone is reported expired`);
    const metrics = await (await fetch(`http://${second.server.admin.endpoints[0]}/metrics`)).text();
    t.match(metrics, /stopzone_policy_zone_expired\{zone="feed\.rpz"\} 1/, `${whenExpired}: /metrics says so`);
    const rcode = (await askUdp(second.target, 'blocked.example')).packet.rcode;
    if (whenExpired === 'enforce') {
      t.equal(rcode, 'NXDOMAIN', 'enforce: the last good version stays in force');
      t.ok(second.logs.some((l) => l.level === 40 && /past its SOA expire time.*stays in force/.test(String(l.msg))), 'enforce: a loud warning');
    } else {
      t.equal(rcode, 'NOERROR', 'drop: the zone is no longer enforced (as BIND does)');
      t.ok(second.logs.some((l) => l.level === 50 && /no longer enforced/.test(String(l.msg))), 'drop: logged as an error');
      t.equal((await askUdp(second.target, 'allowed.example')).packet.rcode, 'NOERROR', 'drop: not SERVFAIL, the zone had loaded once');
    }
  }
});
