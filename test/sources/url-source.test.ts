import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { ZoneStatus } from '../../src/model/zone-status.js';
import { askUdp } from '../helpers/dns-client.js';
import { zoneStatusWhere } from '../helpers/zone-events.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';

/** A feed on a local HTTP server (loopback only) that the test controls: body, ETag, up or down, or a `handler` of its own. */
async function startFeed(t: Test) {
  const feed = {
    body: '0.0.0.0 ads.example\n',
    etag: '"v1"',
    up: true,
    requests: [] as Array<{ ifNoneMatch?: string }>,
    handler: undefined as http.RequestListener | undefined,
  };
  const server = http.createServer((request, response) => {
    feed.requests.push({ ...(request.headers['if-none-match'] !== undefined && { ifNoneMatch: request.headers['if-none-match'] }) });
    if (feed.handler !== undefined) return feed.handler(request, response);
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

/** Boots Stopzone with one zone from `url` in `format`; `zone` adds keys to its entry, `policy` to the policy section. */
async function boot(t: Test, url: string, stateDir: string, refreshSeconds = 3600, format = 'hosts', zone = '', policy = '') {
  const upstream = await startFakeUpstream({ records: { 'ads.example': [{ type: 'A', ttl: 60, data: '192.0.2.1' }], 'more.example': [{ type: 'A', ttl: 60, data: '192.0.2.2' }], 'flood.example': [{ type: 'A', ttl: 60, data: '192.0.2.3' }], 'bomb.example': [{ type: 'A', ttl: 60, data: '192.0.2.4' }] } });
  const server = await startTestServer(
    testConfig([upstream.hostPort], `state: { dir: ${stateDir} }\npolicy:\n${policy}  zones:\n    - { name: feed.list, url: "${url}", format: ${format}, refreshSeconds: ${refreshSeconds}${zone} }\n`, 'info'),
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

/** Small download limits, so that a test's hostile feed trips them quickly. */
const LIMITS = ', download: { maxBytes: 1048576, timeoutSeconds: 3, stallSeconds: 2, maxRedirects: 2 }';

/**
 * A good version is in force, from a last-good copy the feed confirms (304);
 * `refused(handler)` turns the feed hostile, reloads, and checks that the
 * good version and its copy stay.
 */
async function goodThenHostile(t: Test, handler?: http.RequestListener) {
  const { feed, url } = await startFeed(t);
  const state = mkdtempSync(join(tmpdir(), 'stopzone-state-'));
  const copy = join(state, 'feed.list.txt');
  writeFileSync(copy, feed.body);
  writeFileSync(`${copy}.meta.json`, JSON.stringify({ etag: feed.etag }));
  const server = await boot(t, url, state, 3600, 'hosts', LIMITS);
  t.equal(await rcode(server, 'ads.example'), 'NXDOMAIN', 'the good version is in force');
  // Serving starts with a question to the feed; it must be over before the feed turns.
  await zoneStatusWhere(server, (s) => s.lastTransfer?.kind === 'not-modified', 30_000, { now: true });
  const refused = async (hostile: http.RequestListener) => {
    feed.handler = hostile;
    await server.server.zones.reloadAll();
    t.equal(await rcode(server, 'ads.example'), 'NXDOMAIN', 'the last good version stays in force');
    const kept = readFileSync(copy, 'utf8');
    t.ok(kept === feed.body, `the last-good copy is untouched (${kept.length} characters)`); // no diff of a flood in the output
    t.notOk(existsSync(`${copy}.new`), 'nothing of the refused download is left');
    return server.server.zones.status()[0]!;
  };
  return { server, url, feed, status: handler === undefined ? null : await refused(handler), refused };
}

/** Writes `chunk` until `total` bytes or until the client closes the connection, as fast as the client reads. */
function flood(chunk: Buffer, total: number, headers: http.OutgoingHttpHeaders = {}) {
  const seen = { sent: 0, cutOff: false };
  const handler: http.RequestListener = (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain', ...headers }); // no Content-Length: chunked
    response.on('close', () => (seen.cutOff = !response.writableFinished));
    const pump = (): void => {
      while (seen.sent < total && !response.destroyed) {
        seen.sent += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      if (!response.destroyed) response.end();
    };
    pump();
  };
  return { seen, handler };
}

t.test('a body without Content-Length is counted as it arrives and cut off at download.maxBytes', async (t) => {
  const planned = 64 * 1024 * 1024;
  const { seen, handler } = flood(Buffer.from('0.0.0.0 flood.example\n'.repeat(2979)), planned);
  const { server, url, status } = await goodThenHostile(t, handler);
  t.match(status!.lastError, /sent more than 1048576 bytes \(download\.maxBytes\)/, 'the error names the limit');
  t.ok(seen.cutOff, 'the connection was closed before the body ended');
  t.ok(seen.sent < planned, `the feed wrote ${seen.sent} of ${planned} bytes before the connection closed`);
  const logged = server.logs.filter((l) => l.msg === 'policy zone feed.list failed to load').at(-1);
  t.match(logged, { zone: 'feed.list', source: url, err: new RegExp(`${url.replace(/[.]/g, '\\.')} sent more than 1048576 bytes`), kept: /^the last good version stays in force/ });
  t.equal(await rcode(server, 'flood.example'), 'NOERROR', 'nothing of the cut-off body is in force');
});

t.test('a gzip body is counted after decoding: a small compressed body that inflates past download.maxBytes is cut off', async (t) => {
  const inflated = Buffer.from('0.0.0.0 bomb.example\n'.repeat(400_000)); // 8.4 MB, some 25 KB compressed
  const compressed = gzipSync(inflated);
  t.ok(compressed.length < 1048576, 'the compressed body is within the limit');
  const { server, status } = await goodThenHostile(t, (_request, response) => {
    response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': compressed.length }).end(compressed);
  });
  t.match(status!.lastError, /sent more than 1048576 bytes \(download\.maxBytes\)/);
  t.equal(await rcode(server, 'bomb.example'), 'NOERROR');
});

t.test('a feed that trickles bytes forever is stopped at download.timeoutSeconds', async (t) => {
  const seen = { closed: false, lines: 0 };
  const { status } = await goodThenHostile(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    // Never stalls long enough for download.stallSeconds: only the whole-download bound can end it.
    const drip = setInterval(() => response.write(`0.0.0.0 drip${seen.lines++}.example\n`), 50);
    response.on('close', () => {
      clearInterval(drip);
      seen.closed = true;
    });
  });
  t.match(status!.lastError, /the download took longer than 3 s \(download\.timeoutSeconds\)/);
  t.ok(seen.closed, 'the connection was closed');
  t.ok(seen.lines > 0, 'bytes were arriving all along');
});

t.test('a feed that stops sending is dropped after download.stallSeconds', async (t) => {
  const { status } = await goodThenHostile(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.write('0.0.0.0 stalled.example\n');
  });
  t.match(status!.lastError, /nothing arrived for 2 s \(download\.stallSeconds\)/);
});

t.test('response headers past 16 KiB are refused', async (t) => {
  const { status } = await goodThenHostile(t, (_request, response) => {
    response.writeHead(200, { 'x-padding': 'a'.repeat(32 * 1024) }).end('0.0.0.0 ads.example\n');
  });
  t.match(status!.lastError, /Headers Overflow/);
});

t.test('redirects: at most download.maxRedirects, and only to http: or https:', async (t) => {
  const { server, feed, refused } = await goodThenHostile(t);
  let hops = 0;
  const loop = await refused((_request, response) => {
    hops++;
    response.writeHead(302, { location: '/again' }).end();
  });
  t.match(loop.lastError, /more than 2 redirects \(download\.maxRedirects\)/);
  t.equal(hops, 3, 'the first request and two redirects, no more');

  const file = await refused((_request, response) => response.writeHead(302, { location: 'file:///etc/passwd' }).end());
  t.match(file.lastError, /redirected to file:\/\/\/etc\/passwd; only http: and https: redirects are followed/);

  feed.handler = (request, response) => {
    if (request.url === '/moved.txt') return response.writeHead(200).end('0.0.0.0 ads.example\n0.0.0.0 more.example\n');
    response.writeHead(301, { location: '/moved.txt' }).end();
  };
  await server.server.zones.reloadAll();
  t.equal(await rcode(server, 'more.example'), 'NXDOMAIN', 'a redirect within the limit is followed');
});

/** A feed that takes requests and never answers, until `answer` is called. */
async function silentFeed(t: Test) {
  const { feed, url } = await startFeed(t);
  const held: http.ServerResponse[] = [];
  let onAsked: () => void = () => undefined;
  let onClose: () => void = () => undefined;
  const asked = new Promise<void>((resolve) => (onAsked = resolve));
  const closed = new Promise<void>((resolve) => (onClose = resolve));
  feed.handler = (_request, response) => {
    held.push(response);
    response.on('close', onClose);
    onAsked();
  };
  return { url, held, asked, closed, answer: (body: string) => held[0]!.writeHead(200).end(body) };
}

/** `promise`, or a rejection naming `what` after `ms`: a bound on the test, not a sleep. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

t.test('start-up: a first download that never answers holds serving back for policy.startupWaitSeconds at most', async (t) => {
  const silent = await silentFeed(t);
  const state = mkdtempSync(join(tmpdir(), 'stopzone-state-'));
  const server = await within(boot(t, silent.url, state, 3600, 'hosts', '', '  startupWaitSeconds: 1\n'), 30_000, 'the server did not start');
  await within(silent.asked, 30_000, 'the feed was not asked');
  t.notOk(silent.held[0]!.destroyed, 'serving has started while the first download goes on');
  t.equal(await rcode(server, 'more.example'), 'SERVFAIL', 'a required zone never loaded: nothing is answered unfiltered');
  t.equal((await fetch(`http://${server.server.admin.endpoints[0]}/readyz`)).status, 503, 'not ready');
  t.ok(server.logs.some((l) => l.level === 40 && String(l.msg).startsWith('serving starts while the first download or transfer of feed.list goes on; queries get SERVFAIL')));
  const loaded = zoneStatusWhere(server, (s) => s.lastSuccess !== null, 10_000);
  silent.answer('0.0.0.0 ads.example\n');
  await loaded;
  t.equal(await rcode(server, 'ads.example'), 'NXDOMAIN', 'the download that finished after start-up is in force');
  t.equal(await rcode(server, 'more.example'), 'NOERROR');
});

t.test('start-up: a zone that is not required is left out while its first download goes on; shutting down stops the download', async (t) => {
  const silent = await silentFeed(t);
  const state = mkdtempSync(join(tmpdir(), 'stopzone-state-'));
  const server = await within(boot(t, silent.url, state, 3600, 'hosts', ', required: false', '  startupWaitSeconds: 1\n'), 30_000, 'the server did not start');
  t.equal(await rcode(server, 'more.example'), 'NOERROR', 'forwarded: the zone is not required');
  t.equal(await rcode(server, 'ads.example'), 'NOERROR', 'the zone is not in force yet');
  await within(silent.asked, 30_000, 'the feed was not asked');
  await server.close();
  await within(silent.closed, 10_000, 'the download was not stopped by the shutdown');
  t.ok(silent.held[0]!.destroyed, 'the connection is closed');
});
