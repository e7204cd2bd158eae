import { existsSync } from 'node:fs';
import t from 'tap';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load-config.js';
import { DEFAULT_ALLOWED_NETWORKS } from '../../src/config/schema.js';

/** What an address list was configured as: the config now holds parsed values, each labelled with its text. */
const texts = (list: ReadonlyArray<{ readonly label: string }>): string[] => list.map((entry) => entry.label);

t.test('the embedded defaults: loopback on 5353, Quad9 upstreams, private networks allowed', async (t) => {
  const config = parseConfig(null, {});
  t.same(config.listen.addresses, ['127.0.0.1', '::1']);
  t.equal(config.listen.port, 5353);
  t.same(texts(config.upstreams), ['9.9.9.9:53', '149.112.112.112:53']);
  t.same(texts(config.access.allow), DEFAULT_ALLOWED_NETWORKS);
  t.equal(config.upstream.deadlineMs, 3000);
  t.equal(config.cache.serveStale, true);
  t.ok(Object.isFrozen(config.listen), 'frozen');
  t.same(
    config.policy.zones.map((zone) => zone.name),
    ['allow.rpz', 'bypass-guard.rpz', 'local.rpz'],
    'the shipped policy: allow list first, then the bypass guard and the local list',
  );
  for (const zone of config.policy.zones) t.ok(existsSync(zone.file!), `${zone.name} is shipped in zones/`);
});

t.test('a file overrides only what it names', async (t) => {
  const config = parseConfig('listen:\n  port: 53\ncache:\n  maxTtl: 600\n', {});
  t.equal(config.listen.port, 53);
  t.same(config.listen.addresses, ['127.0.0.1', '::1']);
  t.equal(config.cache.maxTtl, 600);
  t.equal(config.cache.minTtl, 0);
});

t.test('environment overrides for containers', async (t) => {
  const config = parseConfig('listen:\n  port: 5300\n', {
    STOPZONE_LISTEN_PORT: '53',
    STOPZONE_LISTEN_ADDRESSES: '0.0.0.0, ::',
    STOPZONE_UPSTREAMS: '127.0.0.1:5301,[::1]:5301',
    STOPZONE_LOG_LEVEL: 'debug',
  });
  t.equal(config.listen.port, 53);
  t.same(config.listen.addresses, ['0.0.0.0', '::']);
  t.same(texts(config.upstreams), ['127.0.0.1:5301', '[::1]:5301']);
  t.equal(config.log.level, 'debug');
});

t.test('bad configurations name file, line, key, the value found and what is expected', async (t) => {
  const rows: Array<{ name: string; yaml: string; env?: Record<string, string>; want: RegExp }> = [
    { name: 'wrong type', yaml: 'listen:\n  port: fifty\n', want: /^cfg:2: listen\.port: found "fifty"; expected DNS port/ },
    { name: 'out of range', yaml: 'listen:\n  port: 70000\n', want: /cfg:2: listen\.port: found 70000; expected/ },
    { name: 'one value for a list', yaml: 'admin:\n  listen: "127.0.0.1:9153"\n', want: /^cfg:2: admin\.listen: found "127\.0\.0\.1:9153"; expected a list \(Where \/metrics/ },
    { name: 'unknown key', yaml: 'listen:\n  prot: 53\n', want: /cfg:2: listen: unknown key "prot"; expected one of: addresses, port/ },
    { name: 'unknown top-level key', yaml: 'upstream_servers: []\n', want: /unknown key "upstream_servers"; expected one of: listen, upstreams/ },
    { name: 'bad upstream', yaml: 'upstreams:\n  - 9.9.9.9\n', want: /cfg:2: upstreams\.0: found "9\.9\.9\.9"; expected an IP address and port/ },
    { name: 'upstream port 0', yaml: 'upstreams: ["127.0.0.1:0"]\n', want: /upstreams\.0: found "127\.0\.0\.1:0"; expected an IP address and a port from 1 to 65535/ },
    { name: 'bad network', yaml: 'access:\n  allow: ["10.0.0.0/33"]\n', want: /cfg:2: access\.allow\.0: found "10\.0\.0\.0\/33"; expected .*prefix at most 32/ },
    { name: 'bad exempt network', yaml: 'rateLimit:\n  exempt: ["::1/129"]\n', want: /cfg:2: rateLimit\.exempt\.0: found "::1\/129"; expected .*prefix at most 128/ },
    { name: 'bad listen address', yaml: 'listen:\n  addresses: [localhost]\n', want: /listen\.addresses\.0: found "localhost"/ },
    { name: 'bad level', yaml: 'log:\n  level: loud\n', want: /log\.level: found "loud"; expected pino log level/ },
    { name: 'not YAML', yaml: 'listen: [\n', want: /^cfg(:\d+)?: not valid YAML/ },
    { name: 'not a mapping', yaml: '- a\n- b\n', want: /found a list .* expected a mapping/ },
    { name: 'timeout above deadline', yaml: 'upstream:\n  timeoutMs: 5000\n', want: /upstream\.timeoutMs: found 5000; expected at most upstream\.deadlineMs/ },
    { name: 'bad environment value', yaml: '', env: { STOPZONE_LISTEN_PORT: 'http' }, want: /^STOPZONE_LISTEN_PORT \(listen\.port\): found "http"/ },
  ];
  for (const row of rows) {
    t.throws(() => parseConfig(row.yaml, row.env ?? {}, 'cfg'), { name: 'ConfigError', message: row.want }, row.name);
  }
  t.match(new ConfigError('x'), { name: 'ConfigError', message: 'x', stack: /^ConfigError: x\n/ }, 'an Error whose stack names it, as the CLI prints it');
});

t.test('policy "cname" without a target stops start-up naming the key', async (t) => {
  const yaml = 'upstreams: ["127.0.0.1:53"]\npolicy:\n  zones:\n    - { name: garden.rpz, file: garden.rpz, policy: cname }\n';
  t.throws(() => parseConfig(yaml, {}, 'cfg'), { name: 'ConfigError', message: /policy\.zones\.0\.cname.*a target name, since policy is "cname"/ });
  t.doesNotThrow(() => parseConfig(yaml.replace('policy: cname }', 'policy: cname, cname: garden.example }'), {}, 'cfg'), 'with a target it loads');
});

t.test('a file that does not name policy zones keeps the shipped ones; zones: [] removes them (issue 18 §3.1)', async (t) => {
  const names = (text: string): string[] => parseConfig(text, {}).policy.zones.map((zone) => zone.name);
  const shipped = ['allow.rpz', 'bypass-guard.rpz', 'local.rpz'];
  t.same(names('listen:\n  port: 53\nupstreams: ["192.0.2.53:53"]\naccess:\n  allow: ["10.0.0.0/8"]\n'), shipped, "the README's example file");
  t.same(names('policy:\n  startupWaitSeconds: 5\n'), shipped, 'a policy section without zones');
  t.same(names('policy:\n  zones: []\n'), [], 'zones: [] on purpose');
  t.same(names('policy:\n  zones:\n    - { name: mine.rpz, file: mine.rpz }\n'), ['mine.rpz'], 'a file that lists zones gets exactly those');
});

t.test('values parsed after start-up are checked by the schema, with file, line and key (issue 18 §3.5)', async (t) => {
  const zone = (extra: string) => `policy:\n  zones:\n    - name: a.rpz\n      file: a.rpz\n${extra}`;
  const rows: Array<{ name: string; yaml: string; want: RegExp }> = [
    { name: 'a size in an unknown unit', yaml: 'blockLog:\n  rotateSize: 1TB\n', want: /^cfg:2: blockLog\.rotateSize: found "1TB"; expected Rotate the file at this size: bytes \(b\), KiB/ },
    { name: 'a size without a number', yaml: 'blockLog:\n  rotateSize: big\n', want: /^cfg:2: blockLog\.rotateSize: found "big"/ },
    { name: 'a frequency in words', yaml: 'blockLog:\n  rotateFrequency: weekly\n', want: /^cfg:2: blockLog\.rotateFrequency: found "weekly"; expected/ },
    { name: 'a cname target that is not a name', yaml: zone('      policy: cname\n      cname: "a..b"\n'), want: /^cfg:6: policy\.zones\.0\.cname: found "a\.\.b"; expected/ },
    { name: 'a zone name that is not a name', yaml: 'policy:\n  zones:\n    - { name: "my list", file: a.rpz }\n', want: /^cfg:3: policy\.zones\.0\.name: found "my list"; expected/ },
    { name: 'a contact link that is not https: or mailto:', yaml: zone('      page: { contactUrl: "javascript:alert(1)" }\n'), want: /^cfg:5: policy\.zones\.0\.page\.contactUrl: found "javascript:alert\(1\)"; expected/ },
    { name: 'a TSIG secret that is not base64', yaml: 'tsigKeys:\n  - { name: k, secret: "not base64!" }\n', want: /^cfg:2: tsigKeys\.0\.secret: found "not base64!"; expected/ },
    { name: 'an admin address that is not an address', yaml: 'admin:\n  listen: ["999.1.1.1:9153"]\n', want: /^cfg:2: admin\.listen\.0: found "999\.1\.1\.1:9153"; expected an IP address and a port/ },
  ];
  for (const row of rows) t.throws(() => parseConfig(row.yaml, {}, 'cfg'), { name: 'ConfigError', message: row.want }, row.name);
  const sizes = ['100m', '100MB', '100MiB', '1g', '512k', '100'];
  for (const size of sizes) t.equal(String(parseConfig(`blockLog:\n  rotateSize: ${size}\n`, {}).blockLog.rotateSize), size, `${size} is accepted`);
  t.equal(parseConfig('blockLog:\n  rotateFrequency: 3600000\n', {}).blockLog.rotateFrequency, 3600000, 'milliseconds, as a number');
});
