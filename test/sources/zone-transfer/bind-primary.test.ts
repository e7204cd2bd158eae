import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { OFF_THREAD_BYTES } from '../../../src/sources/refresh-off-thread.js';
import { signMessage } from '../../../src/sources/zone-transfer/tsig.js';
import { startBindPrimary, type TestKey } from '../../helpers/bind-primary.js';
import { freePort } from '../../helpers/daemon.js';
import { askUdp, sendUdp } from '../../helpers/dns-client.js';
import { startFakeUpstream } from '../../helpers/fake-upstream.js';
import { startTestServer, type TestServer } from '../../helpers/stopzone.js';
import { zoneStatusWhere } from '../../helpers/zone-events.js';

/**
 * Stopzone as a secondary of a real BIND primary: AXFR with TSIG at start-up,
 * NOTIFY then IXFR for a change, a wrong key refused, and a restart from the
 * last-good copy with the primary gone.
 */

const ZONE = 'rpz.test';
const zoneText = `$TTL 300
@ SOA ns.rpz.test. hostmaster.rpz.test. 1 3600 600 86400 60
@ NS ns.rpz.test.
ns A 127.0.0.1
first.example.rpz.test. CNAME .
*.first.example.rpz.test. CNAME .
`;
const NAMES = ['first.example', 'www.first.example', 'second.example', 'third.example', 'allowed.example', 'listed-39999.bulk.example'];

const newKey = (): TestKey => ({ name: 'transfer-key', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') });

async function upstream(t: Test) {
  const server = await startFakeUpstream({ records: Object.fromEntries(NAMES.map((n) => [n, [{ type: 'A', ttl: 60, data: '192.0.2.1' }]])) });
  t.teardown(() => server.close());
  return server;
}

/** Boots Stopzone on `port` as a secondary of `primary` with `key`, its copies in `state`. */
async function secondary(t: Test, options: { port: number; primary: string; key: TestKey; state: string; upstream: string; zoneExtra?: string }): Promise<TestServer> {
  const yaml = `listen: { addresses: ["127.0.0.1"], port: ${options.port} }
upstreams: ["${options.upstream}"]
log: { level: info }
state: { dir: "${options.state}" }
tsigKeys:
  - { name: ${options.key.name}, algorithm: ${options.key.algorithm}, secret: "${options.key.secret}" }
policy:
  zones:
    - { name: ${ZONE}, primaries: ["${options.primary}"], key: ${options.key.name}${options.zoneExtra ?? ''} }
`;
  const server = await startTestServer(yaml);
  t.teardown(() => server.close());
  return server;
}

const rcode = async (server: TestServer, name: string) => (await askUdp(server.target, name)).packet.rcode;

async function setup(t: Test, text = zoneText) {
  const key = newKey();
  const port = await freePort();
  const primary = await startBindPrimary({ zone: ZONE, text, key, notify: [`127.0.0.1:${port}`] });
  t.teardown(() => primary.stop());
  const state = mkdtempSync(join(tmpdir(), 'stopzone-secondary-'));
  const fake = await upstream(t);
  return { key, port, primary, state, upstream: fake.hostPort };
}

t.test('AXFR with TSIG at start-up, then a change at the primary: NOTIFY, IXFR, enforced', async (t) => {
  const { key, port, primary, state, upstream: up } = await setup(t);
  const server = await secondary(t, { port, primary: primary.hostPort, key, state, upstream: up });
  t.match(server.server.zones.status()[0], { serial: '1', lastError: null, lastTransfer: { kind: 'axfr', from: primary.hostPort } }, 'the zone came by AXFR');
  t.equal(await rcode(server, 'first.example'), 'NXDOMAIN');
  t.equal(await rcode(server, 'www.first.example'), 'NXDOMAIN');
  t.equal(await rcode(server, 'second.example'), 'NOERROR', 'not listed yet');

  // A bound on the test, not a claim about speed (bench/ measures that).
  const enforced = zoneStatusWhere(server, (s) => s.serial === '2', 30_000);
  await primary.update([`update add second.example.${ZONE}. 300 CNAME .`]);
  const status = await enforced;
  t.equal(await rcode(server, 'second.example'), 'NXDOMAIN', 'the new rule is enforced');
  t.equal(status.lastTransfer?.kind, 'ixfr', 'the change came by IXFR');
  const loaded = server.logs.filter((l) => l.msg === 'policy zone loaded');
  t.match(loaded.at(-1), { serial: '2', compiled: 'delta', transfer: { kind: 'ixfr' } }, 'the IXFR changed the zone in force in place, not compiled whole');
  const notify = server.logs.find((l) => String(l.msg).startsWith(`NOTIFY for ${ZONE} from 127.0.0.1`));
  t.ok(notify, 'the NOTIFY was accepted and logged');
  const ms = status.lastSuccess! - new Date(notify?.time as string | number).getTime();
  // The SOA refresh is an hour and tap stops a test file after 120 s: a transfer during the test can only be the NOTIFY's.
  t.ok(ms >= 0, `enforced after the NOTIFY arrived (${ms} ms after)`);

  // A deletion travels the same way; the old rules stay.
  const removed = zoneStatusWhere(server, (s) => s.serial === '3', 30_000);
  await primary.update([`update delete first.example.${ZONE}. CNAME`]);
  t.equal((await removed).lastTransfer?.kind, 'ixfr');
  t.match(server.logs.filter((l) => l.msg === 'policy zone loaded').at(-1), { serial: '3', compiled: 'delta' });
  t.equal(await rcode(server, 'first.example'), 'NOERROR', 'a deleted rule is lifted');
  t.equal(await rcode(server, 'www.first.example'), 'NXDOMAIN', 'the wildcard stays');
  t.equal(await rcode(server, 'second.example'), 'NXDOMAIN');
});

t.test('a zone over the off-thread size: its AXFR and its IXFR run in the refresh thread, and the change is enforced', async (t) => {
  const bulk = Array.from({ length: 40_000 }, (_, i) => `listed-${i}.bulk.example.${ZONE}. CNAME .`);
  const { key, port, primary, state, upstream: up } = await setup(t, `${zoneText}${bulk.join('\n')}\n`);
  const server = await secondary(t, { port, primary: primary.hostPort, key, state, upstream: up });
  const loaded = () => server.logs.filter((l) => l.msg === 'policy zone loaded');
  t.match(loaded()[0], { serial: '1', offThread: true, transfer: { kind: 'axfr' } }, 'the first AXFR (no copy, size unknown) ran in the refresh thread');
  const copy = server.server.zones.status()[0]!.file;
  t.ok(statSync(copy).size >= OFF_THREAD_BYTES, 'the copy is over the off-thread size');
  t.equal(await rcode(server, 'listed-39999.bulk.example'), 'NXDOMAIN');

  // A bound on the test, not the 2 s claim (the first test makes that): run from source, the refresh thread
  // compiles its TypeScript modules before it starts, which takes seconds on a busy machine.
  const enforced = zoneStatusWhere(server, (s) => s.serial === '2', 15_000);
  await primary.update([`update add second.example.${ZONE}. 300 CNAME .`, `update delete listed-39999.bulk.example.${ZONE}. CNAME`]);
  t.equal((await enforced).lastTransfer?.kind, 'ixfr', 'the change came by IXFR');
  t.match(loaded()[1], { serial: '2', offThread: true, compiled: 'delta', transfer: { kind: 'ixfr' } }, 'applied to the copy and to the zone in force in the refresh thread');
  t.equal(await rcode(server, 'second.example'), 'NXDOMAIN', 'the added rule is enforced');
  t.equal(await rcode(server, 'listed-39999.bulk.example'), 'NOERROR', 'the deleted rule is lifted');
  t.equal(await rcode(server, 'listed-0.bulk.example'), 'NXDOMAIN', 'the rest stays');
});

t.test('a wrong TSIG key is refused and logged: no transfer, no unfiltered answer; NOTIFY with a wrong key or from a stranger is refused', async (t) => {
  const { port, primary, state, upstream: up } = await setup(t);
  const wrong = newKey();
  const server = await secondary(t, { port, primary: primary.hostPort, key: wrong, state, upstream: up });
  const status = server.server.zones.status()[0]!;
  t.equal(status.serial, null, 'nothing transferred');
  t.match(status.lastError, /TSIG|NOTAUTH|BADSIG|REFUSED/, 'the reason names the signature');
  t.ok(server.logs.some((l) => l.level === 50 && /TSIG|NOTAUTH|BADSIG|REFUSED/.test(String(l.err))), 'logged as an error');
  t.equal(await rcode(server, 'allowed.example'), 'SERVFAIL', 'a required zone never loaded: nothing is forwarded unfiltered');

  // A NOTIFY signed with another key, as an attacker without the secret would send it.
  const notify = Buffer.from(askNotify(ZONE));
  const forged = signMessage(notify, newKey()).message;
  const answer = await sendUdp(server.target, forged);
  t.equal(answer![3]! & 0x0f, 9, 'NOTAUTH for a NOTIFY with a bad signature');
  t.ok(server.logs.some((l) => String(l.msg).includes('refused') && /does not verify|signed with key/.test(String(l.reason))), 'the refused NOTIFY is logged');
  // From 127.0.0.2, which is not a primary.
  const stranger = await sendUdp(server.target, signMessage(notify, wrong).message, { from: '127.0.0.2' });
  t.equal(stranger![3]! & 0x0f, 5, 'REFUSED from an address that is not a primary');
});

t.test('restart with the primary gone: the last-good copy is served at once', async (t) => {
  const { key, port, primary, state, upstream: up } = await setup(t);
  const first = await secondary(t, { port, primary: primary.hostPort, key, state, upstream: up });
  const changed = zoneStatusWhere(first, (s) => s.serial === '2', 30_000);
  await primary.update([`update add third.example.${ZONE}. 300 CNAME .`]);
  await changed;
  await first.close();
  await primary.stop();

  const second = await secondary(t, { port: await freePort(), primary: primary.hostPort, key, state, upstream: up });
  t.equal(await rcode(second, 'third.example'), 'NXDOMAIN', 'the rule from the IXFR is in force from the copy');
  t.equal(await rcode(second, 'www.first.example'), 'NXDOMAIN');
  t.equal(await rcode(second, 'allowed.example'), 'NOERROR', 'not SERVFAIL: the required zone is in force');
  t.ok(second.logs.some((l) => String(l.msg).startsWith('policy zone loaded from its last-good copy') && l.serial === '2'), 'loaded from the copy, serial 2');
  const admin = `http://${second.server.admin.endpoints[0]}`;
  t.equal((await fetch(`${admin}/readyz`)).status, 200, 'ready without the primary');
  // The refresh that start-up begins finds the primary gone (it may already have).
  const failed = await zoneStatusWhere(second, (s) => s.lastError !== null, 5000, { now: true });
  t.match(failed.lastError, /127\.0\.0\.1/, 'the unreachable primary is named');
  t.equal(await rcode(second, 'third.example'), 'NXDOMAIN', 'still enforced after the failed refresh');
});

t.test('an owner name that reads as $INCLUDE stays a name: nothing is included, from the transfer or from the copy after a restart', async (t) => {
  // Lower case and no dot, so that a copy written without escapes would name this very file.
  const secret = join(tmpdir(), `stopzone-secret-${randomBytes(6).toString('hex')}`);
  writeFileSync(secret, 'leak hunter2-from-the-secondary\n');
  t.teardown(() => rmSync(secret, { force: true }));
  const hostile = `$INCLUDE(${secret});x`;
  // BIND's own master-file escapes: the owner's first label holds "$INCLUDE(", the path, ");x".
  const { key, port, primary, state, upstream: up } = await setup(t, `${zoneText}\\$INCLUDE\\(${secret}\\)\\;x.${ZONE}. CNAME .\nodd\\(name\\;.${ZONE}. CNAME t\\(x\\;.example.\n`);
  const first = await secondary(t, { port, primary: primary.hostPort, key, state, upstream: up });
  t.match(first.server.zones.status()[0], { serial: '1', lastError: null }, 'the zone loads');
  t.equal(await rcode(first, hostile), 'NXDOMAIN', 'the hostile owner is a rule for that literal name');
  t.equal(await rcode(first, 'www.first.example'), 'NXDOMAIN');
  await first.close();
  await primary.stop();

  const second = await secondary(t, { port: await freePort(), primary: primary.hostPort, key, state, upstream: up });
  t.ok(second.logs.some((l) => String(l.msg).startsWith('policy zone loaded from its last-good copy')), 'the copy loads');
  t.equal(await rcode(second, hostile), 'NXDOMAIN', 'the same rule, from the copy');
  t.equal(await rcode(second, 'allowed.example'), 'NOERROR');
  for (const server of [first, second]) t.notOk(server.logs.some((l) => JSON.stringify(l).includes('hunter2')), 'nothing of the local file is logged');
});

t.test('a transfer that does not load leaves the last-good copy as it was: a restart with the primary down serves the good version', async (t) => {
  const { key, port, primary, state, upstream: up } = await setup(t);
  // A low line limit makes a long TXT record a version that cannot load.
  const zoneExtra = ', maxLineLength: 1024';
  const first = await secondary(t, { port, primary: primary.hostPort, key, state, upstream: up, zoneExtra });
  t.match(first.server.zones.status()[0], { serial: '1', lastError: null });
  const failed = zoneStatusWhere(first, (s) => s.lastError !== null, 5000);
  const long = Array.from({ length: 5 }, () => `"${'x'.repeat(250)}"`).join(' ');
  await primary.update([`update add second.example.${ZONE}. 300 CNAME .`, `update add long.example.${ZONE}. 300 TXT ${long}`]);
  t.match((await failed).lastError, /found a line longer than 1,024 characters/, 'the new version does not load, and says why');
  t.equal(first.server.zones.status()[0]!.serial, '1', 'the good version stays in force');
  t.equal(await rcode(first, 'second.example'), 'NOERROR');
  await first.close();
  await primary.stop();

  const second = await secondary(t, { port: await freePort(), primary: primary.hostPort, key, state, upstream: up, zoneExtra });
  t.ok(second.logs.some((l) => String(l.msg).startsWith('policy zone loaded from its last-good copy') && l.serial === '1'), 'the good copy, serial 1, loads');
  t.equal(await rcode(second, 'first.example'), 'NXDOMAIN', 'its rules are enforced');
  t.equal(await rcode(second, 'allowed.example'), 'NOERROR', 'not SERVFAIL');
  t.equal((await fetch(`http://${second.server.admin.endpoints[0]}/readyz`)).status, 200, 'ready');
});

/** A NOTIFY request for `zone` (opcode 4, AA, one SOA question). */
function askNotify(zone: string): Buffer {
  const labels = zone.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  const header = Buffer.from([0x12, 0x34, 0x24, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 6, 0, 1])]);
}

