import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { answerData, askTcp, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/** Policy answers end to end: Stopzone with policy zones in front of a fake upstream, over real sockets. */
const dir = mkdtempSync(join(tmpdir(), 'stopzone-policy-'));
const zone = (name: string, body: string): string => {
  const file = join(dir, `${name}.rpz`);
  writeFileSync(file, `$TTL 300\n@ SOA ns.${name}. hostmaster.${name}. 7 3600 600 86400 60\n@ NS ns.${name}.\n${body}\n`);
  return file;
};

const allow = zone('allow', 'ok.bad.example CNAME rpz-passthru.\nfine.example CNAME fine.example.');
const block = zone(
  'block',
  [
    'bad.example CNAME .',
    '*.bad.example CNAME .',
    'nodata.example CNAME *.',
    'local.example A 192.0.2.200',
    'local.example TXT "blocked locally"',
    'evil.example.test CNAME .',
    '32.66.2.0.192.rpz-ip CNAME .',
    'g.example CNAME *.garden.test.',
    'drop.example CNAME rpz-drop.',
    'tcp.example CNAME rpz-tcp-only.',
    '32.2.0.0.127.rpz-client-ip CNAME .',
    'fine.example CNAME .',
  ].join('\n'),
);
const stop = zone('stop', 'stopme.example CNAME .');

const records = {
  'bad.example': [{ type: 'A', ttl: 300, data: '192.0.2.1' }],
  'www.bad.example': [{ type: 'A', ttl: 300, data: '192.0.2.2' }],
  'ok.bad.example': [{ type: 'A', ttl: 300, data: '192.0.2.3' }],
  'fine.example': [{ type: 'A', ttl: 300, data: '192.0.2.9' }],
  'alias.example.test': [{ type: 'CNAME', ttl: 300, data: 'evil.example.test' }],
  'evil.example.test': [{ type: 'A', ttl: 300, data: '192.0.2.4' }],
  'ipblocked.test': [{ type: 'A', ttl: 300, data: '192.0.2.66' }],
  'g.example.garden.test': [{ type: 'A', ttl: 300, data: '192.0.2.77' }],
  'tcp.example': [{ type: 'A', ttl: 300, data: '192.0.2.5' }],
  'www.example.test': [{ type: 'A', ttl: 300, data: '192.0.2.10' }],
};

async function setup(t: Test) {
  const upstream = await startFakeUpstream({ records });
  const policy = `stopPage: { addresses: ["192.0.2.53", "2001:db8::53"], enabled: false }
policy:
  zones:
    - { name: allow.rpz, file: ${allow} }
    - { name: block.rpz, file: ${block} }
    - { name: stop.rpz, file: ${stop}, policy: stop-page }
`;
  const server = await startTestServer(testConfig([upstream.hostPort], policy, 'warn'));
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  const asked = (name: string) => upstream.queries.filter((q) => q.name.toLowerCase() === name).length;
  return { server, upstream, asked };
}

t.test('QNAME triggers: exact, wildcard below, never the name itself for *.', async (t) => {
  const { server, asked } = await setup(t);
  const exact = await askUdp(server.target, 'bad.example', { bufsize: 1232 });
  t.equal(exact.packet.rcode, 'NXDOMAIN');
  t.equal(exact.packet.flags! & 0x0400, 0, 'AA=0');
  t.ok(exact.packet.additionals?.some((r) => r.type === 'SOA' && r.name === 'block.rpz'), 'policy zone SOA in the additional section');
  t.equal(asked('bad.example'), 0, 'the upstream never saw the listed name');
  t.equal((await askUdp(server.target, 'WWW.Bad.Example')).packet.rcode, 'NXDOMAIN', 'wildcard, any letter case');
  t.equal((await askUdp(server.target, 'www.example.test')).packet.rcode, 'NOERROR', 'unlisted name forwarded');
});

t.test('PASSTHRU in an earlier zone is an allow list; the CNAME-to-self form too', async (t) => {
  const { server } = await setup(t);
  t.same(answerData(await askUdp(server.target, 'ok.bad.example')), ['192.0.2.3']);
  t.same(answerData(await askUdp(server.target, 'fine.example')), ['192.0.2.9']);
});

t.test('NODATA, local data by QTYPE, ANY, TTL capped at maxPolicyTtl', async (t) => {
  const { server } = await setup(t);
  const nodata = await askUdp(server.target, 'nodata.example');
  t.same([nodata.packet.rcode, nodata.packet.answers?.length], ['NOERROR', 0]);
  const a = await askUdp(server.target, 'local.example');
  t.same(answerData(a), ['192.0.2.200']);
  t.equal((a.packet.answers?.[0] as { ttl: number }).ttl, 5, 'TTL capped at 5 s');
  t.equal(a.packet.answers?.[0]?.name, 'local.example', 'owner is the query name');
  const aaaa = await askUdp(server.target, 'local.example', { type: 'AAAA' });
  t.same([aaaa.packet.rcode, aaaa.packet.answers?.length], ['NOERROR', 0], 'no AAAA local data: NODATA');
  const any = await askTcp(server.target, 'local.example', { type: 'ANY' });
  t.same(any.packet.answers?.map((r) => r.type).sort(), ['A', 'TXT']);
});

t.test('a CNAME chain into a listed name is rewritten at that step', async (t) => {
  const { server } = await setup(t);
  const reply = await askUdp(server.target, 'alias.example.test');
  t.equal(reply.packet.rcode, 'NXDOMAIN');
  t.same(reply.packet.answers?.map((r) => [r.name, r.type, (r as { data?: unknown }).data]), [['alias.example.test', 'CNAME', 'evil.example.test']]);
});

t.test('rpz-ip on the answer address, cached or fresh', async (t) => {
  const { server } = await setup(t);
  t.equal((await askUdp(server.target, 'ipblocked.test')).packet.rcode, 'NXDOMAIN');
  t.equal((await askUdp(server.target, 'ipblocked.test')).packet.rcode, 'NXDOMAIN', 'again, from the cache');
});

t.test('walled garden: CNAME to the query name under the garden, resolved upstream', async (t) => {
  const { server } = await setup(t);
  const reply = await askUdp(server.target, 'g.example');
  t.same(reply.packet.answers?.map((r) => [r.name, r.type, (r as { data?: unknown }).data]), [
    ['g.example', 'CNAME', 'g.example.garden.test'],
    ['g.example.garden.test', 'A', '192.0.2.77'],
  ]);
});

t.test('DROP sends nothing; TCP-only truncates over UDP and answers over TCP', async (t) => {
  const { server } = await setup(t);
  await t.rejects(askUdp(server.target, 'drop.example', { timeoutMs: 400 }), /no UDP reply/);
  const udp = await askUdp(server.target, 'tcp.example');
  t.same([udp.packet.flag_tc, udp.packet.answers?.length], [true, 0]);
  t.same(answerData(await askTcp(server.target, 'tcp.example')), ['192.0.2.5']);
});

t.test('policy stop-page answers A/AAAA with the stop page and NODATA otherwise', async (t) => {
  const { server } = await setup(t);
  t.same(answerData(await askUdp(server.target, 'stopme.example')), ['192.0.2.53']);
  t.same(answerData(await askUdp(server.target, 'stopme.example', { type: 'AAAA' })), ['2001:db8::53']);
  const txt = await askUdp(server.target, 'stopme.example', { type: 'TXT' });
  t.same([txt.packet.rcode, txt.packet.answers?.length], ['NOERROR', 0]);
});

t.test('Client-IP triggers by source address; RD=0 is rewritten too (no recursive-only way around a list)', async (t) => {
  const { server } = await setup(t);
  t.equal((await askUdp(server.target, 'www.example.test', { from: '127.0.0.2' })).packet.rcode, 'NXDOMAIN');
  t.equal((await askUdp(server.target, 'www.example.test', { from: '127.0.0.1' })).packet.rcode, 'NOERROR');
  t.equal((await askUdp(server.target, 'bad.example', { rd: false })).packet.rcode, 'NXDOMAIN', 'RD=0 gets the policy answer');
});
