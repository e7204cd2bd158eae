import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/load-config.js';
import { addressToBytes } from '../../src/rpz/ip-prefix.js';
import { loadZoneSource } from '../../src/sources/load-source.js';
import { OFF_THREAD_BYTES, refreshOffThread, runRefresh } from '../../src/sources/refresh-off-thread.js';
import { askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/**
 * Big zones are compiled in a worker thread and moved to the answering
 * thread as typed arrays: the zone that arrives must answer exactly as the
 * one compiled in place, local data and IP prefixes included.
 */

const dir = mkdtempSync(join(tmpdir(), 'stopzone-off-thread-'));
const lines = ['$TTL 300', '@ SOA ns hostmaster 42 3600 600 86400 60', '@ NS ns'];
for (let i = 0; i < 30_000; i++) lines.push(`name-${i}.example CNAME .`, `*.wild-${i}.example CNAME .`);
lines.push('local.example A 192.0.2.10', 'local.example TXT "kept as bytes"', 'garden.example CNAME walled.example.', '24.0.2.0.192.rpz-ip CNAME .', '48.zz.db8.2001.rpz-client-ip CNAME rpz-drop.');
const big = join(dir, 'big.rpz');
writeFileSync(big, `${lines.join('\n')}\n`);
const config = parseConfig(`policy: { zones: [{ name: big.rpz, file: "${big}" }] }\n`, {}).policy.zones[0]!;

t.test('a zone compiled in a worker answers as one compiled here', async (t) => {
  const [here, there] = await Promise.all([loadZoneSource(config, big), refreshOffThread({ config, path: big, held: null }).then((result) => result.zone!)]);
  t.same(there.stats, here.stats, 'the same counts and serial');
  for (const name of ['name-0.example', 'name-29999.example', 'x.wild-7.example', 'wild-7.example', 'absent.example', 'local.example', 'garden.example']) {
    const a = here.indexes.qname.lookup(name);
    const b = there.indexes.qname.lookup(name);
    t.same(b, a, `qname ${name}`);
    if (a !== null) t.same(there.rule(b!.value), here.rule(a.value), `rule of ${name}`);
  }
  const local = there.rule(there.indexes.qname.lookup('local.example')!.value).local!;
  t.ok(Buffer.isBuffer(local[0]!.rdata), 'local data RDATA arrives as a Buffer');
  t.ok(Buffer.isBuffer(there.soa!.rdata), 'so does the SOA');
  t.same(there.indexes.ip.longest(addressToBytes('192.0.2.77')!), here.indexes.ip.longest(addressToBytes('192.0.2.77')!), 'rpz-ip prefix');
  t.same(there.indexes.clientIp.longest(addressToBytes('2001:db8::1')!), here.indexes.clientIp.longest(addressToBytes('2001:db8::1')!), 'client-ip prefix');
});

t.test('only big files go to a worker; a broken one reports file:line from there', async (t) => {
  t.ok(lines.join('\n').length > OFF_THREAD_BYTES, 'the test zone is over the threshold');
  t.equal((await runRefresh({ config, path: big, held: null })).offThread, true);
  const small = join(dir, 'small.rpz');
  writeFileSync(small, '$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\nx CNAME .\n');
  t.equal((await runRefresh({ config: { ...config, file: small }, path: small, held: null })).offThread, false);
  const broken = join(dir, 'broken.rpz');
  writeFileSync(broken, `${lines.join('\n')}\nbad.example IN IN CNAME .\n`);
  await t.rejects(runRefresh({ config: { ...config, file: broken }, path: broken, held: null }), { message: new RegExp(`broken\\.rpz:${lines.length + 1}: `) });
});

t.test('a zone from a URL is refreshed in a worker however small its copy: what arrives is the feed\'s to decide', async (t) => {
  const feed = createServer((_request, response) => response.end('ads.example\ntrack.example\n'));
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  t.teardown(() => feed.close());
  const url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/list.txt`;
  const urlConfig = parseConfig(`policy: { zones: [{ name: feed.list, url: "${url}", format: domains }] }\n`, {}).policy.zones[0]!;
  const copy = join(dir, 'feed.list.txt');
  writeFileSync(copy, 'old.example\n');
  const outcome = await runRefresh({ config: urlConfig, path: copy, held: null });
  t.equal(outcome.offThread, true, 'off the answering thread, with a copy of 12 bytes');
  t.not(outcome.zone, null, 'a new version loaded');
  t.not(outcome.zone!.indexes.qname.lookup('track.example'), null, 'the list the feed sent');
  t.equal(outcome.zone!.indexes.qname.lookup('old.example'), null, 'not the old copy');
  const start = await runRefresh({ config: urlConfig, path: copy, held: null, copyOnly: true });
  t.equal(start.offThread, false, 'a start-up load of the small copy, which asks no one, stays here');
});

t.test('the server loads a big zone off-thread and enforces it', async (t) => {
  const upstream = await startFakeUpstream({ records: { 'other.example': [{ type: 'A', ttl: 60, data: '198.51.100.1' }] } });
  t.teardown(() => upstream.close());
  const server = await startTestServer(testConfig([upstream.hostPort], `policy: { zones: [{ name: big.rpz, file: "${big}" }] }\n`, 'info'));
  t.teardown(() => server.close());
  t.ok(server.logs.some((l) => l.msg === 'policy zone loaded' && l.offThread === true), 'logged as loaded off-thread');
  t.equal((await askUdp(server.target, 'name-123.example')).packet.rcode, 'NXDOMAIN');
  t.equal((await askUdp(server.target, 'other.example')).packet.rcode, 'NOERROR');
});

t.test('a small zone file that $INCLUDEs is read in the refresh thread: what it includes may be big', async (t) => {
  const main = join(dir, 'includes.rpz');
  writeFileSync(main, `$TTL 300\n@ SOA ns hostmaster 7 3600 600 86400 60\n$INCLUDE ${big} part\n`);
  const result = await runRefresh({ config: { ...config, name: 'includes.rpz', file: main }, path: main, held: null });
  t.equal(result.offThread, true, 'off the answering thread');
  t.ok((result.zone!.stats.triggers.qname ?? 0) > 60_000, 'the included rules are loaded');
  t.not(result.zone!.indexes.qname.lookup('name-29999.example.part'), null);
});
