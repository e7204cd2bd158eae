import t from 'tap';
import { assertLoopback, assertLoopbackAll } from '../helpers/loopback-guard.js';

t.test('loopback passes, everything else throws naming the address', async (t) => {
  const allowed = ['127.0.0.1:53', '127.255.0.9:5300', '[::1]:53', '127.0.0.1', '::1', '[::1]'];
  const refused = ['9.9.9.9:53', '149.112.112.112:53', '[2620:fe::fe]:53', '0.0.0.0:53', '128.0.0.1:53', '::2', '[::]:53', 'localhost:53', '', '10.0.0.1'];
  for (const address of allowed) t.doesNotThrow(() => assertLoopback(address), address);
  for (const address of refused) t.throws(() => assertLoopback(address), { message: new RegExp(`${address.replace(/[[\].]/g, '\\$&')} is not on loopback`) }, address);
  t.doesNotThrow(() => assertLoopbackAll(['127.0.0.1:1', '[::1]:2']));
  t.throws(() => assertLoopbackAll(['127.0.0.1:1', '9.9.9.9:53']), { message: /9\.9\.9\.9:53/ });
});

t.test('runCli refuses a serve config that names no upstreams, or any address off loopback', async (t) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { runCli } = await import('../helpers/cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-guard-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  /** Expects runCli to throw `message`; a process it started anyway is killed at once (the guard's hole, shown by this test failing). */
  const refused = (start: () => { child: { kill(signal: 'SIGKILL'): boolean } }, message: RegExp, name: string): void => {
    t.throws(() => start().child.kill('SIGKILL') && t.fail(`${name}: started (and killed)`), { message }, name);
  };
  const local = 'listen: { addresses: ["127.0.0.1"], port: 0 }\nadmin: { listen: ["127.0.0.1:0"] }\nstopPage: { enabled: false }\n';
  // An admin listener off loopback is tested with the console off: with it on and no password the loader refuses the config itself (test/console/refuse-exposed-console.test.ts).
  refused(() => runCli(['serve', '--config', file('none.yaml', local)]), /names no upstreams/, 'no upstreams: the default would be Quad9');
  refused(() => runCli(['serve']), /embedded defaults names no upstreams/, 'no config at all');
  refused(() => runCli(['serve', '--config', file('quad9.yaml', local)], { STOPZONE_UPSTREAMS: '9.9.9.9:53' }), /9\.9\.9\.9:53 is not on loopback/, 'upstreams from the environment');
  refused(() => runCli(['serve', '--config', file('admin.yaml', 'upstreams: ["127.0.0.1:53"]\nlisten: { addresses: ["127.0.0.1"], port: 0 }\nadmin: { listen: ["0.0.0.0:9153"] }\nconsole: { enabled: false }\nstopPage: { enabled: false }\n')]), /0\.0\.0\.0:9153 is not on loopback/, 'admin listener');
  refused(() => runCli(['serve', '--config', file('stop.yaml', 'upstreams: ["127.0.0.1:53"]\nlisten: { addresses: ["127.0.0.1"], port: 0 }\nadmin: { listen: ["127.0.0.1:0"] }\nstopPage: { https: ["[::]:8443"] }\n')]), /\[::\]:8443 is not on loopback/, 'stop-page listener');
  refused(() => runCli(['serve', '--config', file('feed.yaml', `upstreams: ["127.0.0.1:53"]\n${local}policy: { zones: [{ name: f.list, url: "http://192.0.2.1/list.txt", format: hosts }] }\n`)]), /192\.0\.2\.1 is not on loopback/, 'feed URL');
  refused(() => runCli(['healthcheck', '--config', file('health.yaml', 'upstreams: ["127.0.0.1:53"]\nadmin: { listen: ["192.0.2.1:9153"] }\nconsole: { enabled: false }\n')]), /192\.0\.2\.1:9153/, 'healthcheck asks the admin address');
});

t.test('startTestServer refuses admin and stop-page listeners off loopback', async (t) => {
  const { startTestServer, testConfig } = await import('../helpers/stopzone.js');
  await t.rejects(startTestServer(testConfig(['127.0.0.1:53'], 'admin: { listen: ["0.0.0.0:0"] }\nconsole: { enabled: false }\n')), { message: /test network guard: 0\.0\.0\.0:0 is not on loopback/ });
  await t.rejects(startTestServer(testConfig(['127.0.0.1:53'], 'stopPage: { http: ["127.0.0.1:0"], https: ["[::]:0"] }\n')), { message: /\[::\]:0 is not on loopback/ });
});

t.test('startNsd refuses option lines it does not know or that reach past loopback', async (t) => {
  const { startNsd } = await import('../helpers/nsd.js');
  const zone = (options: string[]) => ({ zones: [{ name: 'example.test', text: '', options }] });
  await t.rejects(startNsd(zone(['notify: 192.0.2.1 NOKEY'])), { message: /192\.0\.2\.1 is not on loopback/ });
  await t.rejects(startNsd(zone(['request-xfr: 9.9.9.9@53 NOKEY'])), { message: /9\.9\.9\.9 is not on loopback/ });
  await t.rejects(startNsd(zone(['provide-xfr: 0.0.0.0/0 NOKEY'])), { message: /reaches past loopback/ });
  await t.rejects(startNsd(zone(['include: /etc/nsd/other.conf'])), { message: /not one the guard knows/ });
  const { assertNsdOptionLine } = await import('../helpers/loopback-guard.js');
  t.doesNotThrow(() => assertNsdOptionLine('provide-xfr: 127.0.0.1 transfer-key'));
  t.doesNotThrow(() => assertNsdOptionLine('notify: 127.0.0.1@5300 NOKEY'));
});

t.test('guarded fetch: a feed redirecting off loopback is refused before anything is sent there', async (t) => {
  const http = await import('node:http');
  const { guardFetch } = await import('../helpers/loopback-guard.js');
  guardFetch();
  const feed = http.createServer((_request, response) => response.writeHead(302, { location: 'http://192.0.2.1/list.txt' }).end());
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => feed.close(() => resolve())));
  const url = `http://127.0.0.1:${(feed.address() as { port: number }).port}/list.txt`;
  const hop = await fetch(url, { redirect: 'manual' });
  t.equal(hop.headers.get('location'), 'http://192.0.2.1/list.txt', 'the loopback hop itself is allowed');
  await t.rejects(fetch(hop.headers.get('location')!), { message: /192\.0\.2\.1 is not on loopback/ }, 'the redirect target is refused');
  await t.rejects(fetch(url), { message: /192\.0\.2\.1 is not on loopback/ }, 'fetch following redirects itself is refused too');
  await t.rejects(fetch('http://localhost:1/'), { message: /localhost:1 is not on loopback/ }, 'a name would go to a resolver');
});
