import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { ZoneRecord } from '../../../src/rpz/zone-reader.js';
import { TransferReader } from '../../../src/sources/zone-transfer/transfer-reader.js';
import { askUdp } from '../../helpers/dns-client.js';
import { startFakePrimary } from '../../helpers/fake-primary.js';
import { startFakeUpstream } from '../../helpers/fake-upstream.js';
import { startTestServer, testConfig, type TestServer } from '../../helpers/stopzone.js';

/** Transfers that break the protocol, from a scripted primary: refused, and the version in force and its copy stay. */

const ZONE = 'rpz.test';
const rule = (name: string) => ({ type: 'CNAME' as const, name: `${name}.${ZONE}`, ttl: 300, data: '.' });

async function boot(t: Test, primary: string): Promise<TestServer> {
  const state = mkdtempSync(join(tmpdir(), 'stopzone-fake-primary-'));
  const upstream = await startFakeUpstream({ records: Object.fromEntries(['a.example', 'b.example'].map((n) => [n, [{ type: 'A', ttl: 60, data: '192.0.2.1' }]])) });
  const server = await startTestServer(testConfig([upstream.hostPort], `state: { dir: "${state}" }\npolicy:\n  zones:\n    - { name: ${ZONE}, primaries: ["${primary}"] }\n`, 'info'));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  return server;
}

const rcode = async (server: TestServer, name: string) => (await askUdp(server.target, name)).packet.rcode;

t.test('an AXFR whose closing SOA serial differs from the opening one is refused (RFC 5936 section 2.2)', async (t) => {
  const primary = await startFakePrimary(ZONE);
  t.teardown(() => primary.close());
  primary.serve({ serial: 1, records: [rule('a.example')] });
  const server = await boot(t, primary.hostPort);
  t.match(server.server.zones.status()[0], { serial: '1', lastError: null }, 'a well-formed AXFR loads');
  const copy = server.server.zones.status()[0]!.file;
  const before = readFileSync(copy, 'utf8');

  primary.serve({ serial: 2, records: [rule('a.example'), rule('b.example')], closingSerial: 3 });
  t.notOk(await server.server.zones.refresh(0), 'the refresh fails');
  const status = server.server.zones.status()[0]!;
  t.match(status.lastError, /the transfer began with SOA serial 2 but ended with serial 3/, 'the reason names both serials');
  t.equal(status.serial, '1', 'the version in force stays');
  t.equal(await rcode(server, 'b.example'), 'NOERROR', 'the rule of the refused transfer is not in force');
  t.equal(await rcode(server, 'a.example'), 'NXDOMAIN', 'the old rules are');
  t.equal(readFileSync(copy, 'utf8'), before, 'the last-good copy is untouched');
  t.ok(server.logs.some((l) => l.level === 50 && /ended with serial 3/.test(String(l.err))), 'logged as an error');
});

t.test('the transfer reader: a closing SOA must repeat the opening serial, also for a zone of its SOA alone', async (t) => {
  const soa = (serial: number): ZoneRecord => ({ owner: ZONE, ttl: 300, type: 'SOA', rdata: [`ns.${ZONE}.`, `h.${ZONE}.`, String(serial), '1', '2', '3', '4'], origin: ZONE, file: 'axfr', line: 0 });
  const record: ZoneRecord = { owner: `a.${ZONE}`, ttl: 300, type: 'CNAME', rdata: ['.'], origin: ZONE, file: 'axfr', line: 0 };
  for (const kind of ['axfr', 'ixfr'] as const) {
    const withRecords = new TransferReader(kind);
    withRecords.add(soa(7));
    withRecords.add(record);
    t.throws(() => withRecords.add(soa(8)), { message: /began with SOA serial 7 but ended with serial 8/ }, `${kind}: after records`);
    const good = new TransferReader(kind);
    for (const r of [soa(7), record, soa(7)]) good.add(r);
    t.ok(good.done, `${kind}: the same serial ends it`);
  }
  const alone = new TransferReader('axfr');
  alone.add(soa(7));
  t.throws(() => alone.add(soa(9)), { message: /began with SOA serial 7 but ended with serial 9/ }, 'axfr: a zone of its SOA alone');
});

t.test('the transfer reader bounds what it keeps by maxBytes: lines for a whole zone, more for the objects of IXFR deltas', async (t) => {
  const soa = (serial: number): ZoneRecord => ({ owner: ZONE, ttl: 300, type: 'SOA', rdata: [`ns.${ZONE}.`, `h.${ZONE}.`, String(serial), '1', '2', '3', '4'], origin: ZONE, file: 'axfr', line: 0 });
  const records = Array.from({ length: 50 }, (_, i): ZoneRecord => ({ owner: `n${i}.${ZONE}`, ttl: 300, type: 'CNAME', rdata: ['.'], origin: ZONE, file: 'axfr', line: 0 }));
  // The whole zone's text, measured by reading it once with no limit.
  const unbounded = new TransferReader('axfr');
  for (const r of [soa(7), ...records, soa(7)]) unbounded.add(r);
  const result = unbounded.result();
  const text = result.kind === 'axfr' ? result.lines.join('\n').length : 0;
  for (const kind of ['axfr', 'ixfr'] as const) {
    // An IXFR answered with the whole zone keeps it as lines too: the same limit holds it.
    const whole = new TransferReader(kind, text + 200);
    for (const r of [soa(7), ...records, soa(7)]) whole.add(r);
    t.ok(whole.done, `${kind}: a whole zone under a limit of its text plus a little`);
    const tight = new TransferReader(kind, text - 100);
    t.throws(() => [soa(7), ...records, soa(7)].forEach((r) => tight.add(r)), { message: /take more than transfer\.maxBytes/ }, `${kind}: refused under its text`);
  }
  // Deltas are kept as objects and cost more than their text: the same records as a delta pass that limit.
  const deltas = new TransferReader('ixfr', text + 200);
  t.throws(() => [soa(8), soa(7), ...records.slice(0, 25), soa(8), ...records.slice(25), soa(8)].forEach((r) => deltas.add(r)), { message: /take more than transfer\.maxBytes/ }, 'ixfr deltas: charged as objects');
});
