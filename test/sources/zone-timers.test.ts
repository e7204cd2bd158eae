import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startFakePrimary } from '../helpers/fake-primary.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { askUdp } from '../helpers/dns-client.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';
import { zoneStatusWhere } from '../helpers/zone-events.js';

/**
 * A zone with primaries is refreshed on its SOA refresh timer after a
 * success and its retry timer after a failure, raised to
 * transfer.minRefreshSeconds and lowered to transfer.maxRefreshSeconds; past
 * its SOA expire time, counted on the zone clock from the last time a
 * primary answered, it is reported expired. The clock stands still: the next
 * attempt is exactly the clamped timer away.
 */

const ZONE = 'rpz.test';
const rule = (name: string) => ({ type: 'CNAME' as const, name: `${name}.${ZONE}`, ttl: 300, data: '.' });

t.test('SOA refresh and retry timers, clamped to transfer.minRefreshSeconds and maxRefreshSeconds; expiry on the zone clock', async (t) => {
  const primary = await startFakePrimary(ZONE);
  t.teardown(() => primary.close());
  primary.serve({ serial: 1, records: [rule('a.example')], timers: { refresh: 3600, retry: 600, expire: 7200 } });
  const upstream = await startFakeUpstream({ records: { 'a.example': [{ type: 'A', ttl: 60, data: '192.0.2.1' }] } });
  t.teardown(() => upstream.close());
  const clock = new ManualClock(Date.now());
  const state = mkdtempSync(join(tmpdir(), 'stopzone-timers-'));
  const zone = `{ name: ${ZONE}, primaries: ["${primary.hostPort}"], transfer: { minRefreshSeconds: 60, maxRefreshSeconds: 1800 } }`;
  const server = await startTestServer(testConfig([upstream.hostPort], `state: { dir: "${state}" }\npolicy:\n  zones:\n    - ${zone}\n`, 'info'), { zoneClock: clock });
  t.teardown(() => server.close());
  const zones = server.server.zones;
  // The first transfer (no copy yet) runs in the refresh thread, which a loaded machine may start late.
  await zoneStatusWhere(server, (s) => s.lastAttempt !== null, 60_000, { now: true });
  const nextIn = (): number => (zones.status()[0]!.nextAttempt ?? NaN) - clock.now();

  t.ok(await zones.refresh(0), 'the SOA check succeeds');
  t.equal(nextIn(), 1800_000, 'refresh 3600 s is lowered to maxRefreshSeconds (1800 s)');

  primary.serve({ serial: 2, records: [rule('a.example')], timers: { refresh: 30, retry: 900, expire: 7200 } });
  t.ok(await zones.refresh(0), 'serial 2 transfers');
  t.equal(zones.status()[0]!.serial, '2');
  t.equal(nextIn(), 60_000, 'refresh 30 s is raised to minRefreshSeconds (60 s)');

  await primary.close();
  t.notOk(await zones.refresh(0), 'the primary is gone: the refresh fails');
  t.equal(nextIn(), 900_000, 'after a failure the retry timer (900 s) is used');
  t.ok(server.logs.some((l) => l.level === 40 && l.msg === `policy zone ${ZONE}: next attempt in 900 s`), 'the retry is logged');
  t.match(zones.status()[0], { expired: false }, 'not expired within the expire time');

  clock.advance(7201_000);
  t.notOk(await zones.refresh(0), 'still failing');
  t.match(zones.status()[0], { expired: true, serial: '2' }, 'past the SOA expire time (7200 s) on the zone clock: expired, and enforced (whenExpired: enforce)');
  t.equal((await askUdp(server.target, 'a.example')).packet.rcode, 'NXDOMAIN', 'the last good version stays in force');
  t.ok(server.logs.some((l) => l.level === 40 && /past its SOA expire time/.test(String(l.msg))), 'a loud warning');
});
