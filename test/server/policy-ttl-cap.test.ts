import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { askUdp, type Reply } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/**
 * Issue 19 item 4, no answer outlives a boundary: an answer a schedule will change is given a TTL no longer
 * than the seconds left until the change, so a student's resolver asks again when lessons start (and a
 * blocked answer is asked again when they end). Clock injected, over UDP from 127.0.0.2 (students) and
 * 127.0.0.3 (staff).
 */
const dir = mkdtempSync(join(tmpdir(), 'stopzone-ttlcap-'));
const file = join(dir, 'school.rpz');
writeFileSync(file, '$TTL 3600\n@ SOA ns.school. hostmaster.school. 1 3600 600 86400 3600\n@ NS ns.school.\ngames.example CNAME .\n');

/** Monday 1 June 2026 in London (BST, UTC+1). */
const at = (hh: number, mm: number, ss = 0): number => Date.UTC(2026, 5, 1, hh - 1, mm, ss);

const yaml = `groups:
  - { name: students, clients: ["127.0.0.2/32"] }
  - { name: staff, clients: ["127.0.0.3/32"] }
schedules:
  lessons:
    timeZone: Europe/London
    windows:
      - { days: [mon, tue, wed, thu, fri], from: "08:00", to: "11:30" }
policy:
  zones:
    - { name: school.rpz, file: ${file}, maxPolicyTtl: 3600, groups: [{ name: students, during: lessons }] }
`;

const STUDENT = '127.0.0.2';
const STAFF = '127.0.0.3';

async function setup(t: Test) {
  const upstream = await startFakeUpstream({ records: { 'games.example': [{ type: 'A', ttl: 3600, data: '192.0.2.10' }] } });
  let now = at(7, 59);
  const server = await startTestServer(testConfig([upstream.hostPort], yaml, 'warn'), { now: () => now });
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const ask = (from: string): Promise<Reply> => askUdp(server.target, 'games.example', { from });
  return { ask, setNow: (ms: number) => (now = ms) };
}

/** Every TTL in the reply but OPT's, which carries no TTL. */
function ttls(reply: Reply): number[] {
  const { answers = [], authorities = [], additionals = [] } = reply.packet;
  return [...answers, ...authorities, ...additionals].filter((r) => r.type !== 'OPT').map((r) => (r as { ttl?: number }).ttl ?? 0);
}

t.test('an answer fetched just before lessons start lives only until they do; staff keep the upstream TTL', async (t) => {
  const { ask, setNow } = await setup(t);
  const early = await ask(STUDENT);
  t.equal(early.packet.rcode, 'NOERROR', 'student at 07:59: not blocked yet');
  t.ok(ttls(early).length > 0 && ttls(early).every((ttl) => ttl <= 60), `student at 07:59: every TTL at most 60 s (${ttls(early)})`);
  setNow(at(7, 59, 30));
  const later = await ask(STUDENT);
  t.ok(ttls(later).length > 0 && ttls(later).every((ttl) => ttl <= 30), `student at 07:59:30: every TTL at most 30 s (${ttls(later)})`);
  const staff = await ask(STAFF);
  t.equal(staff.packet.rcode, 'NOERROR');
  t.ok(ttls(staff).length > 0 && ttls(staff).every((ttl) => ttl > 3000), `staff at 07:59:30: the upstream's TTL, not capped (${ttls(staff)})`);
  setNow(at(8, 0));
  t.equal((await ask(STUDENT)).packet.rcode, 'NXDOMAIN', 'student at 08:00: blocked');
  t.equal((await ask(STAFF)).packet.rcode, 'NOERROR', 'staff at 08:00: not');
  setNow(at(8, 1));
  const answered = await ask(STAFF);
  t.ok(ttls(answered).every((ttl) => ttl > 3000), `staff from the cache at 08:01: still the full TTL (${ttls(answered)}): the cache kept the uncapped answer`);
});

t.test('a blocked answer given just before lessons end lives only until they do', async (t) => {
  const { ask, setNow } = await setup(t);
  setNow(at(10, 0));
  const mid = await ask(STUDENT);
  t.equal(mid.packet.rcode, 'NXDOMAIN');
  t.ok(ttls(mid).some((ttl) => ttl > 60), `at 10:00 the policy TTL (maxPolicyTtl 3600) is not cut to a minute (${ttls(mid)})`);
  setNow(at(11, 29));
  const blocked = await ask(STUDENT);
  t.equal(blocked.packet.rcode, 'NXDOMAIN', 'student at 11:29: blocked');
  t.ok(ttls(blocked).length > 0 && ttls(blocked).every((ttl) => ttl <= 60), `every TTL at most 60 s (${ttls(blocked)})`);
  setNow(at(11, 30));
  t.equal((await ask(STUDENT)).packet.rcode, 'NOERROR', 'student at 11:30: allowed');
});
