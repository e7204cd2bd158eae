import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { answerData, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { runCli } from '../helpers/cli.js';

/** Issue 18 §3.1: a config file that does not mention policy zones keeps the shipped ones, as running with no file does. */
const dir = mkdtempSync(join(tmpdir(), 'stopzone-shipped-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const common = 'admin: { listen: ["127.0.0.1:0"] }\nstopPage: { enabled: true, addresses: ["192.0.2.80"], http: ["127.0.0.1:0"], https: ["127.0.0.1:0"] }\n';

t.test("the README's example config (listen, upstreams, access) keeps the shipped zones: the test name is blocked", async (t) => {
  const upstream = await startFakeUpstream({ records: { 'blocked.stopzone.test': [{ type: 'A', ttl: 60, data: '192.0.2.9' }], 'example.com': [{ type: 'A', ttl: 60, data: '192.0.2.10' }], 'use-application-dns.net': [{ type: 'A', ttl: 60, data: '192.0.2.11' }] } });
  t.teardown(() => upstream.close());
  const config = file('readme.yaml', `listen:\n  addresses: ["127.0.0.1"]\n  port: 0\nupstreams: ["${upstream.hostPort}"]\naccess:\n  allow: ["127.0.0.0/8"]\n${common}`);
  const server = runCli(['serve', '--config', config]);
  t.teardown(() => void server.child.kill('SIGKILL'));
  const line = JSON.parse(await server.waitFor(/"msg":"stopzone serving"/)) as { endpoints: Array<{ address: string; port: number }> };
  const target = line.endpoints[0]!;
  t.same(answerData(await askUdp(target, 'blocked.stopzone.test')), ['192.0.2.80'], 'the test name gets the stop page, not the upstream\'s 192.0.2.9');
  t.equal((await askUdp(target, 'use-application-dns.net')).packet.rcode, 'NXDOMAIN', 'the bypass guard is in force');
  t.same(answerData(await askUdp(target, 'example.com')), ['192.0.2.10'], 'other names are forwarded');
  t.notMatch(server.stdout(), /no policy zone in force/, 'no warning: zones are in force');
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0);
});

t.test('zones: [] says "no zones" on purpose, and start-up warns loudly that every name is forwarded', async (t) => {
  const upstream = await startFakeUpstream({ records: { 'blocked.stopzone.test': [{ type: 'A', ttl: 60, data: '192.0.2.9' }] } });
  t.teardown(() => upstream.close());
  const config = file('none.yaml', `listen: { addresses: ["127.0.0.1"], port: 0 }\nupstreams: ["${upstream.hostPort}"]\npolicy:\n  zones: []\n${common}`);
  const server = runCli(['serve', '--config', config]);
  t.teardown(() => void server.child.kill('SIGKILL'));
  const warning = JSON.parse(await server.waitFor(/no policy zone in force/)) as { level: number; msg: string };
  t.equal(warning.level, 40, 'logged at warn');
  t.match(warning.msg, /every name is forwarded unfiltered/);
  const line = JSON.parse(await server.waitFor(/"msg":"stopzone serving"/)) as { endpoints: Array<{ address: string; port: number }> };
  t.same(answerData(await askUdp(line.endpoints[0]!, 'blocked.stopzone.test')), ['192.0.2.9'], 'forwarded, as the warning says');
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0);
});
