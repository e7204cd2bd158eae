import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/load-config.js';
import { runCli } from '../helpers/cli.js';
import { testPasswordHash } from '../helpers/console-client.js';

/**
 * The server refuses an admin listener off loopback while the console has no password (issue 20), naming
 * the key: a console anyone on the network could reach would let them change the policy.
 */
const dir = mkdtempSync(join(tmpdir(), 'stopzone-exposed-'));
const upstreams = 'upstreams: ["127.0.0.1:53"]\nlisten: { addresses: ["127.0.0.1"], port: 0 }\nstopPage: { enabled: false }\n';
const refusal = /admin\.passwordHash: found nothing; expected a password hash \(run "stopzone passwd"[^)]*STOPZONE_ADMIN_PASSWORD_HASH\), since admin\.listen (\S+) is not on loopback/;

t.test('stopzone serve exits 78 naming admin.passwordHash and the address; no socket is opened', async (t) => {
  // A config the loader refuses passes the test's network guard (the process refuses it before it opens a socket): were the refusal gone, the guard would throw here instead.
  const file = join(dir, 'exposed.yaml');
  writeFileSync(file, `${upstreams}admin:\n  listen: ["127.0.0.1:0", "0.0.0.0:9153"]\n`);
  const serve = runCli(['serve', '--config', file]);
  t.equal(await serve.exited, 78, 'exit 78 (EX_CONFIG)');
  t.match(serve.stderr(), /exposed\.yaml: admin\.passwordHash: found nothing/);
  t.match(serve.stderr(), /since admin\.listen 0\.0\.0\.0:9153 is not on loopback/);
});

t.test('off loopback the console needs a password; on loopback, or with the console off, it does not', async (t) => {
  const hash = await testPasswordHash();
  const rows: Array<{ name: string; yaml: string; env?: Record<string, string>; refused: string | null }> = [
    { name: 'every IPv4 address', yaml: 'admin: { listen: ["0.0.0.0:9153"] }\n', refused: '0.0.0.0:9153' },
    { name: 'every IPv6 address', yaml: 'admin: { listen: ["[::]:9153"] }\n', refused: '[::]:9153' },
    { name: 'a LAN address beside loopback', yaml: 'admin: { listen: ["127.0.0.1:9153", "192.168.1.2:9153"] }\n', refused: '192.168.1.2:9153' },
    { name: 'from the environment', yaml: '', env: { STOPZONE_ADMIN_LISTEN: '10.0.0.5:9153' }, refused: '10.0.0.5:9153' },
    { name: 'an IPv4-mapped LAN address', yaml: 'admin: { listen: ["[::ffff:10.0.0.5]:9153"] }\n', refused: '[::ffff:10.0.0.5]:9153' },
    { name: 'loopback only', yaml: 'admin: { listen: ["127.0.0.1:9153", "[::1]:9153", "127.0.0.2:9153"] }\n', refused: null },
    { name: 'with a password', yaml: `admin: { listen: ["0.0.0.0:9153"], passwordHash: '${hash}' }\n`, refused: null },
    { name: 'with the password in the environment', yaml: 'admin: { listen: ["0.0.0.0:9153"] }\n', env: { STOPZONE_ADMIN_PASSWORD_HASH: hash }, refused: null },
    { name: 'with the console off', yaml: 'admin: { listen: ["0.0.0.0:9153"] }\nconsole: { enabled: false }\n', refused: null },
  ];
  for (const row of rows) {
    const parse = () => parseConfig(row.yaml, row.env ?? {}, 'cfg');
    if (row.refused === null) {
      t.doesNotThrow(parse, row.name);
      continue;
    }
    t.throws(parse, { name: 'ConfigError', message: refusal }, row.name);
    t.match((() => { try { parse(); return ''; } catch (error) { return (error as Error).message; } })(), row.refused, `${row.name}: names ${row.refused}`);
  }
});

t.test('a password hash that is not one stopzone passwd prints is refused with the key', async (t) => {
  t.throws(() => parseConfig('admin: { passwordHash: "hunter2" }\n', {}, 'cfg'), { message: /^cfg:1: admin\.passwordHash: found "hunter2"; expected The console password as a scrypt hash, as `stopzone passwd` prints it/ });
  t.throws(() => parseConfig('', { STOPZONE_ADMIN_PASSWORD_HASH: 'plain' }, 'cfg'), { message: /^STOPZONE_ADMIN_PASSWORD_HASH \(admin\.passwordHash\): found "plain"/ });
  t.throws(() => parseConfig('admin: { certFile: cert.pem }\n', {}, 'cfg'), { message: /admin\.keyFile: found nothing; expected both certFile and keyFile, or neither/ });
  t.throws(() => parseConfig('console: { allowZone: nope.rpz }\n', {}, 'cfg'), { message: /console\.allowZone: found "nope\.rpz"; expected the name of a policy zone read from a file \(allow\.rpz, bypass-guard\.rpz, local\.rpz\)/ });
});
