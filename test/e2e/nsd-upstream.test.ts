import t from 'tap';
import { answerData, answerTtls, askTcp, askUdp } from '../helpers/dns-client.js';
import { skipWhenMissing } from '../helpers/missing-tool.js';
import { nsdInstalled, startNsd, type RunningNsd } from '../helpers/nsd.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/** A real authoritative server (NSD from Debian) as Stopzone's upstream. */
const zone = `$ORIGIN example.test.
$TTL 600
@      IN SOA ns.example.test. hostmaster.example.test. 2026112301 3600 600 86400 120
@      IN NS  ns
ns     IN A   127.0.0.1
www    IN A   192.0.2.80
www    IN AAAA 2001:db8::80
alias  IN CNAME www
short  30 IN A 192.0.2.30
${Array.from({ length: 40 }, (_, i) => `big IN TXT "NSD text record ${i} with some padding to make it large"`).join('\n')}
`;

// Only a missing NSD skips (and fails in CI); NSD failing to start is a failure wherever it happens.
const skip = skipWhenMissing(!(await nsdInstalled()), 'NSD is not installed (Debian package nsd)');
const nsd: RunningNsd | undefined = skip === false ? await startNsd({ zones: [{ name: 'example.test', text: zone }] }) : undefined;

t.test('Stopzone forwarding to a real NSD', { skip }, async (t) => {
  let clock = 1_000_000;
  // One answering loop: the second query checks that loop's cache (with workers each has its own).
  const server = await startTestServer(testConfig([nsd!.hostPort], 'workers: 1\n'), { now: () => clock });
  t.teardown(async () => {
    await server.close();
    await nsd!.stop();
  });

  const a = await askUdp(server.target, 'www.example.test');
  t.same(answerData(a), ['192.0.2.80']);
  t.same(answerTtls(a), [600]);

  clock += 12_000;
  const cached = await askUdp(server.target, 'www.example.test');
  t.same(answerTtls(cached), [588], 'served from the cache, TTL counted down');

  const alias = await askUdp(server.target, 'alias.example.test', { type: 'AAAA', bufsize: 1232 });
  t.same(alias.packet.answers?.map((r) => [r.type, (r as { data?: unknown }).data]), [['CNAME', 'www.example.test'], ['AAAA', '2001:db8::80']]);
  t.ok(alias.packet.additionals?.some((r) => r.type === 'OPT'), 'OPT echoed');

  const missing = await askUdp(server.target, 'nothere.example.test');
  t.equal(missing.packet.rcode, 'NXDOMAIN');
  t.equal(missing.packet.authorities?.[0]?.type, 'SOA', 'negative answer carries the SOA');
  clock += 119_000;
  t.equal(((await askUdp(server.target, 'nothere.example.test')).packet.authorities?.[0] as { ttl?: number } | undefined)?.ttl, 1, 'negative TTL from the SOA minimum (120), counted down');

  const big = await askUdp(server.target, 'big.example.test', { type: 'TXT', bufsize: 512 });
  t.equal(big.packet.flag_tc, true, 'large answer truncated at 512');
  const whole = await askTcp(server.target, 'big.example.test', { type: 'TXT' });
  t.equal(whole.packet.answers?.length, 40, 'whole over TCP');
});
