import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { ZoneStatus } from '../../src/sources/policy-zones.js';
import { askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';

/** A feed on a local HTTP server (loopback only) that the test controls: body, ETag, up or down. */
async function startFeed(t: Test) {
  const feed = { body: '0.0.0.0 ads.example\n', etag: '"v1"', up: true, requests: [] as Array<{ ifNoneMatch?: string }> };
  const server = http.createServer((request, response) => {
    feed.requests.push({ ...(request.headers['if-none-match'] !== undefined && { ifNoneMatch: request.headers['if-none-match'] }) });
    if (!feed.up) return response.writeHead(503).end();
    if (request.headers['if-none-match'] === feed.etag) return response.writeHead(304).end();
    response.writeHead(200, { etag: feed.etag, 'content-type': 'text/plain' }).end(feed.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // fetch keeps connections alive
      }),
  );
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hosts.txt`;
  return { feed, url };
}

async function boot(t: Test, url: string, stateDir: string, refreshSeconds = 3600, format = 'hosts') {
  const upstream = await startFakeUpstream({ records: { 'ads.example': [{ type: 'A', ttl: 60, data: '192.0.2.1' }], 'more.example': [{ type: 'A', ttl: 60, data: '192.0.2.2' }] } });
  const server = await startTestServer(
    testConfig([upstream.hostPort], `state: { dir: ${stateDir} }\npolicy:\n  zones:\n    - { name: feed.list, url: "${url}", format: ${format}, refreshSeconds: ${refreshSeconds} }\n`, 'info'),
  );
  t.teardown(async () => {
    await server.close();
    await upstream.close();
  });
  return server;
}

const rcode = async (server: TestServer, name: string) => (await askUdp(server.target, name)).packet.rcode;
const nextReload = (server: TestServer) => new Promise<ZoneStatus>((resolve) => server.server.zones.once('reload', resolve));

t.test('a URL feed: downloaded, enforced, kept as a last-good copy; an unchanged feed costs a 304', async (t) => {
  const { feed, url } = await startFeed(t);
  const state = mkdtempSync(join(tmpdir(), 'stopzone-state-'));
  const server = await boot(t, url, state);
  t.equal(await rcode(server, 'ads.example'), 'NXDOMAIN');
  const copy = join(state, 'feed.list.txt');
  t.ok(existsSync(copy), 'the last-good copy is written');
  t.equal(readFileSync(copy, 'utf8'), feed.body);
  await server.server.zones.reloadAll();
  t.same(feed.requests.at(-1), { ifNoneMatch: '"v1"' }, 'conditional request with the ETag');
  feed.body = '0.0.0.0 ads.example\n0.0.0.0 more.example\n';
  feed.etag = '"v2"';
  await server.server.zones.reloadAll();
  t.equal(await rcode(server, 'more.example'), 'NXDOMAIN', 'a changed feed is enforced');
  feed.up = false;
  await server.server.zones.reloadAll();
  t.equal(await rcode(server, 'more.example'), 'NXDOMAIN', 'a failed download keeps the zone in force');
  t.match(server.server.zones.status()[0], { lastError: /HTTP 503/ });
});

t.test('restart without the feed: the last-good copy loads, no network needed', async (t) => {
  const { feed, url } = await startFeed(t);
  const state = mkdtempSync(join(tmpdir(), 'stopzone-state-'));
  const first = await boot(t, url, state);
  t.equal(await rcode(first, 'ads.example'), 'NXDOMAIN');
  await first.close();
  feed.up = false;
  const second = await boot(t, url, state);
  t.equal(await rcode(second, 'ads.example'), 'NXDOMAIN', 'enforced from the copy');
  t.ok(second.logs.some((l) => String(l.msg).startsWith('policy zone loaded from its last-good copy')), 'logged as loaded from the copy');
});

t.test('never unfiltered: without the feed and without a copy, SERVFAIL until it loads', async (t) => {
  const { feed, url } = await startFeed(t);
  feed.up = false;
  const state = mkdtempSync(join(tmpdir(), 'stopzone-state-'));
  const server = await boot(t, url, state, 1);
  t.equal(await rcode(server, 'more.example'), 'SERVFAIL', 'not forwarded unfiltered');
  const admin = `http://${server.server.admin.endpoints[0]}`;
  t.equal((await fetch(`${admin}/readyz`)).status, 503, 'not ready');
  feed.up = true;
  // The refresh timer (1 s here) fetches again.
  let status = await nextReload(server);
  while (status.lastError !== null) status = await nextReload(server);
  t.equal(await rcode(server, 'ads.example'), 'NXDOMAIN');
  t.equal(await rcode(server, 'more.example'), 'NOERROR', 'forwarded once the required zone is in force');
  t.equal((await fetch(`${admin}/readyz`)).status, 200, 'ready');
});

const RPZ_HEAD = '$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n';

t.test('a download that does not load never replaces the last-good copy: a restart without the feed serves the good version', async (t) => {
  const { feed, url } = await startFeed(t);
  feed.body = `${RPZ_HEAD}ads.example CNAME .\n`;
  const state = mkdtempSync(join(tmpdir(), 'stopzone-state-'));
  const first = await boot(t, url, state, 3600, 'rpz');
  t.equal(await rcode(first, 'ads.example'), 'NXDOMAIN');
  feed.body = `${RPZ_HEAD}more.example CNAME .\nbroken line here\n`;
  feed.etag = '"v2"';
  await first.server.zones.reloadAll();
  t.match(first.server.zones.status()[0], { lastError: /:5: found "line", expected a class/ }, 'the bad download is named with its line');
  t.equal(await rcode(first, 'ads.example'), 'NXDOMAIN', 'the good version stays in force');
  await first.close();

  feed.up = false;
  const second = await boot(t, url, state, 3600, 'rpz');
  t.equal(await rcode(second, 'ads.example'), 'NXDOMAIN', 'the good version is served from the copy');
  t.equal(await rcode(second, 'more.example'), 'NOERROR', 'nothing of the bad download');
  t.equal((await fetch(`http://${second.server.admin.endpoints[0]}/readyz`)).status, 200, 'ready');
  feed.up = true;
  await second.server.zones.reloadAll();
  t.match(second.server.zones.status()[0], { lastError: /found "line"/ }, 'the bad version is downloaded again, not taken as unchanged (its ETag was not kept)');
});

t.test('a downloaded zone cannot $INCLUDE a local file: refused with file, line and why; nothing of the file is logged', async (t) => {
  const secret = join(tmpdir(), `stopzone-secret-${randomBytes(6).toString('hex')}`);
  writeFileSync(secret, 'leak hunter2-from-the-server\n');
  t.teardown(() => rmSync(secret, { force: true }));
  const { feed, url } = await startFeed(t);
  feed.body = `${RPZ_HEAD}ads.example CNAME .\n$INCLUDE ${secret}\n`;
  const server = await boot(t, url, mkdtempSync(join(tmpdir(), 'stopzone-state-')), 3600, 'rpz');
  const status = server.server.zones.status()[0]!;
  t.match(status.lastError, /:5: found \$INCLUDE, expected a record, \$ORIGIN or \$TTL \(\$INCLUDE is not allowed in a downloaded zone\)$/);
  t.notOk(server.logs.some((l) => JSON.stringify(l).includes('hunter2')), 'no token of the local file in the log');
  t.equal(await rcode(server, 'ads.example'), 'SERVFAIL', 'the zone did not load (it is required: nothing unfiltered)');
});

t.test('a downloaded line of megabytes fails at once with a short message, logged short', async (t) => {
  const { feed, url } = await startFeed(t);
  feed.body = `${RPZ_HEAD}${'x'.repeat(3 << 20)}\n`;
  const server = await boot(t, url, mkdtempSync(join(tmpdir(), 'stopzone-state-')), 3600, 'rpz');
  const error = server.server.zones.status()[0]!.lastError!;
  t.match(error, /:4: found a line longer than 1,048,576 characters/);
  t.ok(error.length < 300, `the error is ${error.length} characters`);
  const longest = Math.max(...server.logs.map((l) => JSON.stringify(l).length));
  t.ok(longest < 2000, `the longest log line is ${longest} characters`);
});
