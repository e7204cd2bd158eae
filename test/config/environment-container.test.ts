import { readFileSync } from 'node:fs';
import t from 'tap';
import { ENVIRONMENT_OVERRIDES } from '../../src/config/environment.js';
import { parseConfig } from '../../src/config/load-config.js';
import { ConfigSchema } from '../../src/config/schema.js';

/** What an address list was configured as: the config now holds parsed values, each labelled with its text. */
const texts = (list: ReadonlyArray<{ readonly label: string }>): string[] => list.map((entry) => entry.label);

// The container's own configuration (/etc/stopzone/stopzone.yaml in the image).
const CONTAINER_YAML = readFileSync(new URL('../../container/stopzone.yaml', import.meta.url), 'utf8');

t.test('the variables a container sets override their keys, in the file and in sections the file leaves out', async (t) => {
  const env = {
    STOPZONE_STATE_DIR: '/var/lib/stopzone',
    STOPZONE_STOP_PAGE_ADDRESSES: '192.168.1.2, fd00::2',
    STOPZONE_STOP_PAGE_HTTP: '127.0.0.1:8081',
    STOPZONE_STOP_PAGE_HTTPS: '127.0.0.1:8444,[::1]:8444',
    STOPZONE_ADMIN_LISTEN: '127.0.0.1:9154',
    STOPZONE_ACCESS_ALLOW: '10.1.0.0/16',
  };
  const yaml = 'stopPage:\n  addresses: ["10.0.0.1"]\n  http: ["0.0.0.0:80"]\nadmin:\n  listen: ["0.0.0.0:9153"]\nstate:\n  dir: elsewhere\n';
  for (const [name, text] of [['keys in the file', yaml], ['no file', null], ['empty sections', 'stopPage:\nadmin:\nstate:\n']] as const) {
    const config = parseConfig(text, env, 'cfg', '/etc/stopzone');
    t.equal(config.state.dir, '/var/lib/stopzone', `${name}: state.dir`);
    t.same(config.stopPage.addresses, ['192.168.1.2', 'fd00::2'], `${name}: stopPage.addresses`);
    t.same(texts(config.stopPage.http), ['127.0.0.1:8081'], `${name}: stopPage.http`);
    t.same(texts(config.stopPage.https), ['127.0.0.1:8444', '[::1]:8444'], `${name}: stopPage.https`);
    t.same(texts(config.admin.listen), ['127.0.0.1:9154'], `${name}: admin.listen`);
    t.same(texts(config.access.allow), ['10.1.0.0/16'], `${name}: access.allow`);
    t.equal(config.stopPage.enabled, true, `${name}: keys the environment does not name keep their values`);
  }
});

t.test('a relative STOPZONE_STATE_DIR is relative to the config file, as the key is', async (t) => {
  t.equal(parseConfig('', { STOPZONE_STATE_DIR: 'state' }, 'cfg', '/etc/stopzone').state.dir, '/etc/stopzone/state');
});

t.test('unset or empty variables leave the file alone', async (t) => {
  const config = parseConfig('stopPage:\n  addresses: ["10.0.0.1"]\nstate:\n  dir: /srv/state\n', { STOPZONE_STOP_PAGE_ADDRESSES: '', STOPZONE_STATE_DIR: undefined });
  t.same(config.stopPage.addresses, ['10.0.0.1']);
  t.equal(config.state.dir, '/srv/state');
});

t.test('a bad value is reported under the variable that set it', async (t) => {
  const rows: Array<{ name: string; env: Record<string, string>; yaml?: string; want: RegExp }> = [
    { name: 'a name, not an address', env: { STOPZONE_STOP_PAGE_ADDRESSES: 'stop.example' }, want: /^STOPZONE_STOP_PAGE_ADDRESSES \(stopPage\.addresses\.0\): found "stop\.example"/ },
    { name: 'a port without an address', env: { STOPZONE_ADMIN_LISTEN: '9153' }, want: /^STOPZONE_ADMIN_LISTEN \(admin\.listen\.0\): found "9153"; expected an IP address and port/ },
    { name: 'a host name', env: { STOPZONE_STOP_PAGE_HTTP: 'localhost:80' }, want: /^STOPZONE_STOP_PAGE_HTTP \(stopPage\.http\.0\): found "localhost:80"/ },
    { name: 'a prefix too long', env: { STOPZONE_ACCESS_ALLOW: '10.0.0.0/33' }, want: /^STOPZONE_ACCESS_ALLOW \(access\.allow\.0\): found "10\.0\.0\.0\/33"/ },
    {
      name: 'no address left for a stop-page zone',
      env: { STOPZONE_STOP_PAGE_ADDRESSES: ',' },
      yaml: 'policy:\n  zones:\n    - { name: local.rpz, file: local.rpz, policy: stop-page }\n',
      want: /^STOPZONE_STOP_PAGE_ADDRESSES \(stopPage\.addresses\): found a list \(\[\]\); expected at least one address/,
    },
  ];
  for (const row of rows) t.throws(() => parseConfig(row.yaml ?? '', row.env, 'cfg'), { name: 'ConfigError', message: row.want }, row.name);
});

t.test('a section of the wrong type in the file is reported as the file\'s mistake, not hidden by a variable', async (t) => {
  t.throws(() => parseConfig('stopPage: 80\n', { STOPZONE_STOP_PAGE_ADDRESSES: '10.0.0.1' }, 'cfg'), { message: /^cfg:1: stopPage: found 80/ });
});

t.test('the container configuration needs only the stop page address from the admin', async (t) => {
  t.throws(() => parseConfig(CONTAINER_YAML, {}, '/etc/stopzone/stopzone.yaml', '/etc/stopzone'), { message: /stopzone\.yaml:\d+: stopPage\.addresses: found a list \(\[\]\); expected at least one address/ }, 'refuses to start without it');
  const config = parseConfig(CONTAINER_YAML, { STOPZONE_STOP_PAGE_ADDRESSES: '192.168.1.2' }, '/etc/stopzone/stopzone.yaml', '/etc/stopzone');
  t.same(config.listen.addresses, ['0.0.0.0', '::']);
  t.equal(config.listen.port, 53);
  t.same(config.stopPage.addresses, ['192.168.1.2']);
  t.same(texts(config.admin.listen), ['0.0.0.0:9153']);
  t.equal(config.console.enabled, false, 'the console is off: the admin port is on every interface and has no password');
  t.throws(
    () => parseConfig(CONTAINER_YAML, { STOPZONE_STOP_PAGE_ADDRESSES: '192.168.1.2', STOPZONE_CONSOLE_ENABLED: 'true' }, '/etc/stopzone/stopzone.yaml', '/etc/stopzone'),
    { message: /admin\.passwordHash: found nothing; expected a password hash .*since admin\.listen 0\.0\.0\.0:9153 is not on loopback/ },
    'turned on without a password, the container refuses to start',
  );
  const hash = '$scrypt$ln=15,r=8,p=3$5q0qgKOQBpWqDhGa+G5ySw$5oamqgMnTk8WHWpbOGlS37n6eOEpWQd8yfTcaaoO/Ms';
  const withConsole = parseConfig(CONTAINER_YAML, { STOPZONE_STOP_PAGE_ADDRESSES: '192.168.1.2', STOPZONE_CONSOLE_ENABLED: 'true', STOPZONE_ADMIN_PASSWORD_HASH: hash }, '/etc/stopzone/stopzone.yaml', '/etc/stopzone');
  t.equal(withConsole.console.enabled, true, 'STOPZONE_CONSOLE_ENABLED turns it on');
  t.equal(withConsole.admin.passwordHash, hash, 'with the hash from STOPZONE_ADMIN_PASSWORD_HASH');
  t.equal(config.state.dir, '/var/lib/stopzone');
  t.equal(config.blockLog.destination, 'stdout');
  t.same(
    config.policy.zones.map((zone) => [zone.name, zone.file, zone.policy]),
    [
      ['allow.rpz', '/etc/stopzone/zones/allow.rpz', 'given'],
      ['bypass-guard.rpz', '/etc/stopzone/zones/bypass-guard.rpz', 'given'],
      ['local.rpz', '/etc/stopzone/zones/local.rpz', 'stop-page'],
    ],
  );
  const embedded = parseConfig(null, {});
  const shape = (zones: typeof config.policy.zones) => zones.map((zone) => [zone.name, zone.policy, zone.logName]);
  t.same(shape(config.policy.zones), shape(embedded.policy.zones), 'the same policy as the embedded defaults (npm start)');
});

t.test('every override names a key the schema knows', async (t) => {
  type Node = { properties?: Record<string, Node> };
  const schema = ConfigSchema as unknown as Node;
  for (const { variable, path } of ENVIRONMENT_OVERRIDES) {
    const [first, second] = path;
    const section = schema.properties?.[first];
    t.ok(second === undefined ? section !== undefined : section?.properties?.[second] !== undefined, `${variable} -> ${path.join('.')}`);
  }
});
