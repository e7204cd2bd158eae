import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { askTcp, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { runCli } from '../helpers/cli.js';

/**
 * Issue 19 item 8 through the real process: a real SIGHUP reads the config file again and puts its groups in force
 * without a restart; a broken config is refused with its file, line and key logged, and the running groups stay;
 * a key only a restart applies is named in a warning.
 */
const dir = mkdtempSync(join(tmpdir(), 'stopzone-reload-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const school = file('school.rpz', '$TTL 60\n@ SOA ns hostmaster 1 3600 600 86400 60\ngames.example CNAME .\n');

t.test('SIGHUP: new groups in force at once; a broken config refused and logged, the running groups kept', async (t) => {
  const upstream = await startFakeUpstream({ records: { 'games.example': [{ type: 'A', ttl: 60, data: '192.0.2.10' }] } });
  t.teardown(() => upstream.close());
  const config = (students: string, extra = ''): string =>
    `listen: { addresses: ["127.0.0.1"], port: 0 }\nupstreams: ["${upstream.hostPort}"]\nadmin: { listen: ["127.0.0.1:0"] }\nstopPage: { enabled: false }\nlog: { level: info }\n${extra}` +
    `groups:\n  - { name: students, clients: [${students}] }\npolicy:\n  zones:\n    - { name: school.rpz, file: ${school}, groups: [students] }\n`;
  const path = file('stopzone.yaml', config('"127.0.0.2/32"'));
  const server = runCli(['serve', '--config', path]);
  t.teardown(() => void server.child.kill('SIGKILL'));
  const target = (JSON.parse(await server.waitFor(/"msg":"stopzone serving"/)) as { endpoints: Array<{ address: string; port: number }> }).endpoints[0]!;
  const rcode = async (from: string, transport: 'udp' | 'tcp' = 'udp') => (await (transport === 'udp' ? askUdp : askTcp)(target, 'games.example', { from })).packet.rcode;
  t.equal(await rcode('127.0.0.2'), 'NXDOMAIN', 'a student is blocked');
  t.equal(await rcode('127.0.0.3'), 'NOERROR', '127.0.0.3 is in no group: allowed');

  writeFileSync(path, config('"127.0.0.2/32", "127.0.0.3/32"'));
  server.child.kill('SIGHUP');
  await server.waitFor(/"msg":"configuration reloaded: client groups and schedules in force"/);
  t.equal(await rcode('127.0.0.3'), 'NXDOMAIN', 'after SIGHUP, 127.0.0.3 is a student: blocked over UDP');
  t.equal(await rcode('127.0.0.3', 'tcp'), 'NXDOMAIN', 'and over TCP');

  // A typo in the group's name: the zone names a group that does not exist.
  writeFileSync(path, config('"127.0.0.2/32"').replace('groups: [students]', 'groups: [studnets]'));
  server.child.kill('SIGHUP');
  const refused = JSON.parse(await server.waitFor(/"msg":"configuration not reloaded, the running one stays/)) as { level: number; err: string };
  t.equal(refused.level, 50, 'logged as an error');
  t.match(refused.err, /stopzone\.yaml:\d+: policy\.zones\.0\.groups\.0: found "studnets"; expected the name of a group \(default, students\)/, 'file, line, key, what was found and expected');
  t.equal(await rcode('127.0.0.3'), 'NXDOMAIN', 'the running groups stay: 127.0.0.3 is still a student');
  t.equal(await rcode('127.0.0.2', 'tcp'), 'NXDOMAIN', 'and 127.0.0.2 too');

  writeFileSync(path, config('"127.0.0.2/32"', 'cache: { maxEntries: 1000 }\n'));
  server.child.kill('SIGHUP');
  const waiting = JSON.parse(await server.waitFor(/take effect only after a restart/)) as { level: number; keys: string[] };
  t.same([waiting.level, waiting.keys], [40, ['cache']], 'a warning names the key that waits for a restart');
  t.equal(await rcode('127.0.0.3'), 'NOERROR', 'the groups of this reload are in force: 127.0.0.3 is in no group again');
  t.equal(await rcode('127.0.0.2'), 'NXDOMAIN', 'and the student still blocked');

  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0, 'clean exit after the reloads');
});
