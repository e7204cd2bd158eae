import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { referenceCode } from '../../src/observe/block-event.js';
import { askUdp, edeOf as ede } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/** EDE on policy answers, one block event per hit with the fields docs/design.md lists, and the metrics that count them. */
const dir = mkdtempSync(join(tmpdir(), 'stopzone-observe-'));
const zoneFile = (name: string, body: string) => {
  const file = join(dir, `${name}.rpz`);
  writeFileSync(file, `$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n${body}\n`);
  return file;
};
const law = zoneFile('law', 'csam.example CNAME .');
const school = zoneFile('school', 'games.example CNAME .\nok.example CNAME rpz-passthru.\n32.66.2.0.192.rpz-ip CNAME .');
const stop = zoneFile('stop', 'stopme.example CNAME .');

async function setup(t: Test, extra = '') {
  const upstream = await startFakeUpstream({ records: { 'ok.example': [{ type: 'A', ttl: 60, data: '192.0.2.8' }], 'ip.example': [{ type: 'A', ttl: 60, data: '192.0.2.66' }] } });
  const yaml = testConfig(
    [upstream.hostPort],
    `stopPage: { enabled: false, addresses: ["192.0.2.53"] }
policy:
  zones:
    - { name: law.rpz, file: ${law}, logName: "National hotline list", ede: { code: 16 }, page: { legal: true } }
    - { name: school.rpz, file: ${school}, logName: "School policy" }
    - { name: stop.rpz, file: ${stop}, policy: stop-page, ede: { code: 17, text: "Filtered by the school" } }
${extra}`,
    'warn',
  );
  const server = await startTestServer(yaml);
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  return server;
}

t.test('Extended DNS Errors on policy answers when the client sent EDNS, and only then', async (t) => {
  const server = await setup(t);
  t.same(ede(await askUdp(server.target, 'csam.example', { bufsize: 1232 })), { code: 16, text: 'Blocked by National hotline list' }, 'code 16 for a list imposed by law');
  t.same(ede(await askUdp(server.target, 'games.example', { bufsize: 1232 })), { code: 15, text: 'Blocked by School policy' });
  t.same(ede(await askUdp(server.target, 'stopme.example', { bufsize: 1232 })), { code: 17, text: 'Filtered by the school' }, 'the zone\'s own text');
  t.equal(ede(await askUdp(server.target, 'ok.example', { bufsize: 1232 })), null, 'no EDE on PASSTHRU');
  const plain = await askUdp(server.target, 'games.example');
  t.notOk(plain.packet.additionals?.some((r) => r.type === 'OPT'), 'no OPT, so no EDE, without EDNS in the query');
});

t.test('one block event per hit, with the docs/design.md fields and a reference code', async (t) => {
  const server = await setup(t);
  const before = Date.now();
  await askUdp(server.target, 'Games.Example', { bufsize: 1232, type: 'AAAA' });
  await askUdp(server.target, 'ip.example');
  await askUdp(server.target, 'ok.example');
  await new Promise<void>((resolve) => server.server.blockLog.close().then(resolve));
  // With workers, each hands its events to the block log's one writer by itself: across workers, the events' order
  // is not the queries'.
  const named = (qname: string) => server.blockEvents.filter((event) => String(event.qname).toLowerCase() === qname);
  const [[games], [ip], rest] = [named('games.example'), named('ip.example'), named('ok.example')];
  t.equal(server.blockEvents.length, 3, 'three events, one per hit');
  t.match(games, {
    msg: 'blocked',
    level: 30,
    client: '127.0.0.1',
    qname: 'Games.Example',
    qtype: 'AAAA',
    zone: 'school.rpz',
    list: 'School policy',
    rule: 'games.example.school.rpz',
    trigger: 'qname',
    action: 'nxdomain',
    ede: 15,
    transport: 'udp',
    listener: `127.0.0.1:${server.target.port}`,
  });
  t.ok(typeof games?.time === 'string' && Date.parse(games.time as string) >= before - 1000, 'ISO time');
  t.match(games?.ref, /^[0-9A-HJKMNP-TV-Z]{8}$/, 'an 8-character reference code');
  t.match(ip, { trigger: 'ip', rule: '32.66.2.0.192.rpz-ip.school.rpz', address: '192.0.2.66', ede: null, action: 'nxdomain' });
  t.match(rest, [{ msg: 'passthru', level: 20, rule: 'ok.example.school.rpz' }], 'PASSTHRU (allow list) hits at debug level');
  const hour = Date.parse(games!.time as string);
  t.equal(games?.ref, referenceCode(server.server.blockLog.referenceKey, '127.0.0.1', 'Games.Example', 'school.rpz', 'games.example.school.rpz', hour), 'the code the stop page computes');
});

t.test('privacy: truncated client addresses; passthru events can be turned off', async (t) => {
  const server = await setup(t, 'blockLog: { client: truncate, passthru: false }');
  await askUdp(server.target, 'ok.example', { from: '127.0.0.9' });
  await askUdp(server.target, 'games.example', { from: '127.0.0.9' });
  await server.server.blockLog.close();
  t.match(server.blockEvents, [{ msg: 'blocked', level: 30, client: '127.0.0.0/24' }]);
  t.equal(server.blockEvents.length, 1, 'no passthru event');
});

t.test('/metrics counts queries, policy hits, cache lookups; /healthz and /readyz answer', async (t) => {
  // One answering loop: the second ok.example is a hit in the cache the first filled (with workers each has its own).
  const server = await setup(t, 'workers: 1');
  await askUdp(server.target, 'games.example');
  await askUdp(server.target, 'games.example');
  await askUdp(server.target, 'ok.example');
  await askUdp(server.target, 'ok.example');
  const admin = `http://${server.server.admin.endpoints[0]}`;
  const metrics = await (await fetch(`${admin}/metrics`)).text();
  t.match(metrics, /stopzone_policy_hits_total\{zone="school\.rpz",action="nxdomain",trigger="qname",group="default"\} 2/);
  t.match(metrics, /stopzone_policy_hits_total\{zone="school\.rpz",action="passthru",trigger="qname",group="default"\} 2/);
  t.match(metrics, /stopzone_queries_total\{transport="udp",rcode="NXDOMAIN"\} 2/);
  t.match(metrics, /stopzone_cache_lookups_total\{result="miss"\} 1/);
  t.match(metrics, /stopzone_cache_lookups_total\{result="hit"\} 1/);
  t.match(metrics, /stopzone_policy_zone_rules\{zone="school\.rpz"\} 3/);
  t.match(metrics, /stopzone_policy_zone_serial\{zone="law\.rpz"\} 1/);
  t.match(metrics, /stopzone_upstream_seconds_count\{upstream="127\.0\.0\.1:\d+"\} 1/);
  t.match(metrics, /stopzone_block_log_dropped_total 0/);
  t.equal((await fetch(`${admin}/healthz`)).status, 200);
  t.equal((await fetch(`${admin}/readyz`)).status, 200);
  t.equal((await fetch(`${admin}/nope`)).status, 404);
});

t.test('/metrics counts policy hits per client group', async (t) => {
  const server = await setup(t, 'groups:\n  - { name: students, clients: ["127.0.0.2/32"] }\n  - { name: staff, clients: ["127.0.0.3/32"] }');
  await askUdp(server.target, 'games.example', { from: '127.0.0.2' });
  await askUdp(server.target, 'games.example', { from: '127.0.0.2' });
  await askUdp(server.target, 'csam.example', { from: '127.0.0.3' });
  await askUdp(server.target, 'games.example', { from: '127.0.0.1' });
  const metrics = await (await fetch(`http://${server.server.admin.endpoints[0]}/metrics`)).text();
  const hits = metrics.split('\n').filter((line) => line.startsWith('stopzone_policy_hits_total{')).sort();
  t.same(hits, [
    'stopzone_policy_hits_total{zone="law.rpz",action="nxdomain",trigger="qname",group="staff"} 1',
    'stopzone_policy_hits_total{zone="school.rpz",action="nxdomain",trigger="qname",group="default"} 1',
    'stopzone_policy_hits_total{zone="school.rpz",action="nxdomain",trigger="qname",group="students"} 2',
  ], 'one series per (zone, action, trigger, group) that fired, and no other');
});
