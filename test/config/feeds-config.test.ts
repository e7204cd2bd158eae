import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseConfig } from '../../src/config/load-config.js';

/** Policy feeds in the config: sources, TSIG keys and their files, checked at start-up with the key and the reason. */

const zones = (zone: string, extra = '') => `${extra}policy:\n  zones:\n    - ${zone}\n`;
const rejects = (t: Test, yaml: string, message: RegExp, what: string, baseDir?: string) =>
  t.throws(() => parseConfig(yaml, {}, 'stopzone.yaml', baseDir), { message }, what);

t.test('a zone has exactly one source', async (t) => {
  rejects(t, zones('{ name: a.rpz }'), /stopzone\.yaml:3: policy\.zones\.0: found "a\.rpz"; expected exactly one source: file, url or primaries/, 'none');
  rejects(t, zones('{ name: a.rpz, file: a.rpz, url: "https://example.org/a" }'), /exactly one source/, 'two');
  rejects(t, zones('{ name: a.rpz, url: "ftp://example.org/a" }'), /policy\.zones\.0\.url: found "ftp:\/\/example\.org\/a"/, 'url scheme');
  const config = parseConfig(zones('{ name: a.rpz, url: "https://example.org/a.txt", format: hosts }'), {});
  t.equal(config.policy.zones[0]!.refreshSeconds, 3600, 'url zones refresh hourly by default');
  t.equal(config.policy.zones[0]!.required, true, 'zones are required by default');
});

t.test('primaries: addresses, the TSIG key named, transfer defaults', async (t) => {
  rejects(t, zones('{ name: a.rpz, primaries: ["primary.example:53"] }'), /policy\.zones\.0\.primaries\.0: found "primary\.example:53"; expected an IP address/, 'a host name');
  rejects(t, zones('{ name: a.rpz, primaries: ["192.0.2.1:99999"] }'), /primaries\.0/, 'a bad port');
  rejects(t, zones('{ name: a.rpz, primaries: ["192.0.2.1"], key: nope }'), /policy\.zones\.0\.key: found "nope"; expected the name of a tsigKeys entry \(none defined\)/, 'an unknown key');
  rejects(t, zones('{ name: a.rpz, primaries: ["192.0.2.1"], format: hosts }'), /format: found "hosts"; expected rpz/, 'a list by transfer');
  const config = parseConfig(zones('{ name: a.rpz, primaries: ["192.0.2.1", "192.0.2.2:5300", "[2001:db8::1]:53", "2001:db8::2"], key: k }', 'tsigKeys: [{ name: k, secret: "c2VjcmV0" }]\n'), {});
  const zone = config.policy.zones[0]!;
  t.same(zone.transfer, { timeoutSeconds: 300, maxBytes: 1073741824, minRefreshSeconds: 60, maxRefreshSeconds: 86400, whenExpired: 'enforce' });
  t.equal(config.tsigKeys[0]!.algorithm, 'hmac-sha256', 'hmac-sha256 by default');
});

t.test('a TSIG secret from a file: bare base64 or a BIND key file from tsig-keygen', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-keys-'));
  writeFileSync(join(dir, 'bare.key'), 'c2VjcmV0\n');
  const keygen = ['/usr/sbin/tsig-keygen', '/usr/bin/tsig-keygen'].find((path) => existsSync(path));
  const bindKeyFile = keygen === undefined ? 'key "k" {\n\talgorithm hmac-sha512;\n\tsecret "c2VjcmV0c2VjcmV0";\n};\n' : execFileSync(keygen, ['-a', 'hmac-sha512', 'k'], { encoding: 'utf8' });
  writeFileSync(join(dir, 'bind.key'), bindKeyFile);
  const bare = parseConfig('tsigKeys: [{ name: k, secretFile: bare.key }]\n', {}, 'stopzone.yaml', dir);
  t.equal(bare.tsigKeys[0]!.secret, 'c2VjcmV0');
  const bind = parseConfig('tsigKeys: [{ name: k, secretFile: bind.key }]\n', {}, 'stopzone.yaml', dir);
  t.equal(bind.tsigKeys[0]!.secret, /secret "([^"]+)"/.exec(bindKeyFile)![1], `the secret of ${keygen === undefined ? 'a written' : "tsig-keygen's"} key file`);
  t.equal(bind.tsigKeys[0]!.algorithm, 'hmac-sha512', 'and its algorithm');
  rejects(t, 'tsigKeys: [{ name: k }]\n', /stopzone\.yaml:1: tsigKeys\.0: key "k" has neither secret and secretFile; expected exactly one/, 'no secret');
  rejects(t, 'tsigKeys: [{ name: k, secretFile: missing.key }]\n', /tsigKeys\.0\.secretFile: cannot read .*missing\.key/, 'a missing file', dir);
  writeFileSync(join(dir, 'junk.key'), 'not a key at all\n');
  rejects(t, 'tsigKeys: [{ name: k, secretFile: junk.key }]\n', /junk\.key holds no secret for key "k"/, 'a file without a secret', dir);
});
