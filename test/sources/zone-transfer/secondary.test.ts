import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { askUdp } from '../../helpers/dns-client.js';
import { freePort } from '../../helpers/daemon.js';
import { startFakePrimary, type FakePrimary } from '../../helpers/fake-primary.js';
import { startFakeUpstream } from '../../helpers/fake-upstream.js';
import { startTestServer, testConfig, type TestServer } from '../../helpers/stopzone.js';
import { zoneStatusWhere } from '../../helpers/zone-events.js';

/**
 * What an admin of a secondary relies on (issue 18 §4): a transfer bigger
 * than transfer.maxBytes or slower than transfer.timeoutSeconds is abandoned
 * with the key named and the version in force kept; an IXFR the primary
 * answers whole or refuses falls back to AXFR (RFC 1995 section 4); a
 * primary that does not answer is passed over for the next one.
 */

const ZONE = 'rpz.test';
const NAMES = ['a.example', 'b.example'];
const rule = (name: string) => ({ type: 'CNAME' as const, name: `${name}.${ZONE}`, ttl: 300, data: '.' });

async function primary(t: Test): Promise<FakePrimary> {
  const started = await startFakePrimary(ZONE);
  t.teardown(() => started.close());
  started.serve({ serial: 1, records: [rule('a.example')] });
  return started;
}

async function boot(t: Test, primaries: string[], transfer = ''): Promise<TestServer> {
  const state = mkdtempSync(join(tmpdir(), 'stopzone-secondary-'));
  const upstream = await startFakeUpstream({ records: Object.fromEntries(NAMES.map((n) => [n, [{ type: 'A', ttl: 60, data: '192.0.2.1' }]])) });
  const zone = `{ name: ${ZONE}, primaries: ${JSON.stringify(primaries)}${transfer === '' ? '' : `, transfer: { ${transfer} }`} }`;
  const server = await startTestServer(testConfig([upstream.hostPort], `state: { dir: "${state}" }\npolicy:\n  zones:\n    - ${zone}\n`, 'info'));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  // The first transfer (no copy yet, its size unknown) runs in the refresh thread, which a loaded machine may start late.
  await zoneStatusWhere(server, (s) => s.lastAttempt !== null, 60_000, { now: true });
  return server;
}

const rcode = async (server: TestServer, name: string) => (await askUdp(server.target, name)).packet.rcode;

t.test('a transfer larger than transfer.maxBytes is abandoned, naming the key; the version in force stays', async (t) => {
  const fake = await primary(t);
  const server = await boot(t, [fake.hostPort], 'maxBytes: 1024');
  t.match(server.server.zones.status()[0], { serial: '1', lastError: null }, 'a small zone transfers');
  fake.serve({ serial: 2, records: [rule('b.example'), ...Array.from({ length: 60 }, (_, i) => rule(`filler-${i}.example`))] });
  t.notOk(await server.server.zones.refresh(0), 'the refresh fails');
  const status = server.server.zones.status()[0]!;
  t.match(status.lastError, /is larger than transfer\.maxBytes \(1024 bytes\)/, 'the error names the key and the limit');
  t.equal(status.serial, '1', 'serial 1 stays in force');
  t.equal(await rcode(server, 'a.example'), 'NXDOMAIN', 'its rule is enforced');
  t.equal(await rcode(server, 'b.example'), 'NOERROR', 'nothing of the oversized transfer is');
});

t.test('a primary that accepts the connection and never answers is given up after transfer.timeoutSeconds, naming the key', async (t) => {
  const fake = await primary(t);
  const server = await boot(t, [fake.hostPort], 'timeoutSeconds: 1');
  fake.serve({ serial: 2, records: [rule('b.example')], silent: true });
  t.notOk(await server.server.zones.refresh(0), 'the refresh fails');
  const status = server.server.zones.status()[0]!;
  t.match(status.lastError, new RegExp(`the SOA query for ${ZONE} from ${fake.hostPort} took longer than 1 s \\(transfer\\.timeoutSeconds`), 'the error names the query, the primary and the key');
  t.equal(status.serial, '1', 'serial 1 stays in force');
  t.equal(await rcode(server, 'a.example'), 'NXDOMAIN');
});

t.test('an IXFR answered with the whole zone, or refused, falls back to AXFR and says why (RFC 1995 section 4)', async (t) => {
  const fake = await primary(t);
  const server = await boot(t, [fake.hostPort]);
  t.same(fake.asked, ['SOA', 'AXFR'], 'nothing held at start-up: AXFR');

  fake.serve({ serial: 2, records: [rule('a.example'), rule('b.example')] });
  t.ok(await server.server.zones.refresh(0), 'the refresh succeeds');
  t.same(fake.asked.slice(2), ['SOA', 'IXFR'], 'serial 1 held: an IXFR is asked for');
  t.match(server.server.zones.status()[0], { serial: '2', lastError: null, lastTransfer: { kind: 'axfr' } }, 'the whole zone counts as an AXFR');
  t.match(server.logs.filter((l) => l.msg === 'IXFR not used; transferred the whole zone').at(-1), { zone: ZONE, reason: 'the primary answered the IXFR with the whole zone' });
  t.equal(await rcode(server, 'b.example'), 'NXDOMAIN', 'the new rule is enforced');

  fake.serve({ serial: 3, records: [rule('b.example')], ixfr: 'refused' });
  t.ok(await server.server.zones.refresh(0), 'the refresh succeeds');
  t.same(fake.asked.slice(4), ['SOA', 'IXFR', 'AXFR'], 'the refused IXFR is followed by an AXFR');
  t.match(server.server.zones.status()[0], { serial: '3', lastError: null, lastTransfer: { kind: 'axfr' } });
  t.match(server.logs.filter((l) => l.msg === 'IXFR not used; transferred the whole zone').at(-1), { zone: ZONE, reason: /refused the IXFR of rpz\.test \(REFUSED\)/ });
  t.equal(await rcode(server, 'a.example'), 'NOERROR', 'the rule the AXFR left out is lifted');
});

t.test('failover: a primary that does not answer is passed over for the next; when none answers, each one\'s reason is given', async (t) => {
  const fake = await primary(t);
  const dead = `127.0.0.1:${await freePort()}`; // nothing listens there: the connection is refused
  const server = await boot(t, [dead, fake.hostPort]);
  t.match(server.server.zones.status()[0], { serial: '1', lastError: null, lastTransfer: { kind: 'axfr', from: fake.hostPort } }, 'transferred from the second primary');
  t.equal(await rcode(server, 'a.example'), 'NXDOMAIN');

  await fake.close();
  t.notOk(await server.server.zones.refresh(0), 'with both down the refresh fails');
  const error = server.server.zones.status()[0]!.lastError!;
  t.match(error, new RegExp(`from ${dead} failed: connect ECONNREFUSED`), 'the first primary\'s reason');
  t.match(error, new RegExp(`from ${fake.hostPort} failed: connect ECONNREFUSED`), 'the second primary\'s reason');
  t.equal(await rcode(server, 'a.example'), 'NXDOMAIN', 'the version in force stays');
});
