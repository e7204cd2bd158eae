import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { findTsig, TsigError } from '../../src/sources/zone-transfer/tsig-record.js';
import { signMessage, type TsigKey } from '../../src/sources/zone-transfer/tsig.js';
import { sendUdp } from '../helpers/dns-client.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';
import { zoneStatusWhere } from '../helpers/zone-events.js';

/**
 * NOTIFY floods (issue 17, D9): refused NOTIFYs log one line and then a
 * summary, not one line each; unsigned NOTIFYs spoofed from the primary's
 * address are coalesced into one SOA check per zone and interval, counted at
 * a fake primary; a TSIG-signed NOTIFY replayed is refused. The server's clock
 * is injected: time moves only when the test moves it.
 */

const ZONE = 'rpz.test';
const soa = { mname: 'ns.rpz.test', rname: 'hostmaster.rpz.test', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 };

/** A NOTIFY request for `zone` (opcode 4, AA, one SOA question) with ID `id`. */
function askNotify(zone: string, id = 0x1234): Buffer {
  const labels = zone.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  const header = Buffer.from([id >> 8, id & 0xff, 0x24, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 6, 0, 1])]);
}

/** A fake primary serving the zone's SOA (serial 1), and Stopzone as its secondary holding serial 1 from a last-good copy. */
async function setup(t: Test, options: { key?: TsigKey; now: () => number }): Promise<{ primary: FakeUpstream; server: TestServer }> {
  const primary = await startFakeUpstream({ records: { [ZONE]: [{ type: 'SOA', data: soa }] } });
  t.teardown(() => primary.close());
  const state = mkdtempSync(join(tmpdir(), 'stopzone-notify-'));
  writeFileSync(join(state, `${ZONE}.rpz`), `$TTL 300\n@ SOA ns.rpz.test. hostmaster.rpz.test. 1 3600 600 86400 60\n@ NS ns.rpz.test.\nlisted.example CNAME .\n`);
  const keys = options.key === undefined ? '' : `tsigKeys:\n  - { name: ${options.key.name}, algorithm: ${options.key.algorithm}, secret: "${options.key.secret}" }\n`;
  const server = await startTestServer(
    testConfig(
      [primary.hostPort],
      `state: { dir: "${state}" }\n${keys}policy:\n  zones:\n    - { name: ${ZONE}, primaries: ["${primary.hostPort}"]${options.key === undefined ? '' : `, key: ${options.key.name}`}, required: false }\n`,
      'info',
    ),
    { now: options.now },
  );
  t.teardown(() => server.close());
  return { primary, server };
}

const soaQueries = (primary: FakeUpstream): number => primary.queries.filter((q) => q.type === 'SOA').length;
const rcodeOf = (reply: Buffer | null): number => reply![3]! & 0x0f;

t.test('200 unsigned NOTIFYs from the primary\'s address: one SOA check, one pending re-check once the interval has passed, one log line', async (t) => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const { primary, server } = await setup(t, { now: () => clock });
  // Start-up asks the primary once, since the zone came from a copy.
  await zoneStatusWhere(server, (s) => s.lastTransfer?.kind === 'up-to-date', 5000, { now: true });
  t.equal(soaQueries(primary), 1, 'the start-up check');

  const checked = zoneStatusWhere(server, (s) => s.lastTransfer?.kind === 'up-to-date', 5000);
  const rcodes: number[] = [];
  for (let i = 0; i < 200; i++) rcodes.push(rcodeOf(await sendUdp(server.target, askNotify(ZONE, i))));
  t.same(new Set(rcodes), new Set([0]), 'every NOTIFY answered NOERROR');
  await checked;
  t.equal(soaQueries(primary), 2, '200 NOTIFYs within the interval gave one SOA check (and one pending re-check)');
  const accepted = server.logs.filter((l) => String(l.msg).startsWith(`NOTIFY for ${ZONE} from 127.0.0.1`));
  t.equal(accepted.length, 1, 'one "NOTIFY for ..." line, not 200');

  // Once the interval has passed, the pending re-check runs: one more, not 199.
  clock += 1_000;
  const again = zoneStatusWhere(server, (s) => s.lastTransfer?.kind === 'up-to-date', 5000);
  t.equal(rcodeOf(await sendUdp(server.target, askNotify(ZONE, 500))), 0);
  await again;
  t.equal(soaQueries(primary), 3, 'the pending re-check ran once');
});

t.test('refused NOTIFYs: the first is logged, the rest summarised once a minute', async (t) => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const { server } = await setup(t, { now: () => clock });
  const rcodes: number[] = [];
  // 127.0.0.2 is not a primary.
  for (let i = 0; i < 200; i++) rcodes.push(rcodeOf(await sendUdp(server.target, askNotify(ZONE, i), { from: '127.0.0.2' })));
  t.same(new Set(rcodes), new Set([5]), 'every one REFUSED');
  const refused = () => server.logs.filter((l) => l.level === 40 && l.more === undefined && String(l.msg).includes('refused'));
  t.equal(refused().length, 1, 'one warning for 200 refused NOTIFYs');
  t.match(refused()[0], { zone: ZONE, from: '127.0.0.2' }, 'the first names the zone and the sender');

  clock += 61_000;
  await sendUdp(server.target, askNotify(ZONE, 999), { from: '127.0.0.2' });
  const summary = server.logs.find((l) => l.more !== undefined);
  t.match(summary, { level: 40, kind: 'NOTIFY refused', more: 199 }, 'a summary counts the 199 left out');
  t.match(String(summary?.msg), /199 more like this in the last minute/);
  t.equal(refused().length, 2, 'and the first of the new minute is logged again');
});

t.test('a TSIG-signed NOTIFY replayed is refused with BADTIME; a new signature is accepted', async (t) => {
  const key: TsigKey = { name: 'notify-key', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') };
  let clock = Date.now();
  const { server } = await setup(t, { key, now: () => clock });
  const signed = signMessage(askNotify(ZONE, 0x4242), key, { now: () => clock }).message;

  const first = await sendUdp(server.target, signed);
  t.equal(rcodeOf(first), 0, 'the first copy is accepted');
  const replies: string[] = [];
  for (let i = 0; i < 20; i++) {
    const replay = await sendUdp(server.target, signed);
    const tsig = findTsig(replay!);
    replies.push(`rcode ${rcodeOf(replay)}, TSIG error ${'found' in tsig && tsig.found !== null ? (TsigError[tsig.found.error] ?? tsig.found.error) : 'none'}`);
  }
  t.same(new Set(replies), new Set(['rcode 9, TSIG error BADTIME']), '20 replays: each NOTAUTH with TSIG error BADTIME (RFC 8945 section 5.2.3)');
  clock += 1_000;
  const fresh = signMessage(askNotify(ZONE, 0x4242), key, { now: () => clock }).message;
  t.equal(rcodeOf(await sendUdp(server.target, fresh)), 0, 'the same NOTIFY signed again, a second later, is accepted');
});
