import { readFileSync } from 'node:fs';
import t from 'tap';
import { ConsoleClient, TEST_PASSWORD } from '../helpers/console-client.js';
import { startConsoleServer, type ConsoleServer } from '../helpers/console-server.js';

/**
 * The console's security (issue 20): no access without a session or token, CSRF refused, a read-only token
 * cannot change anything, the session cookie's flags, logout, the login rate limit, sessions that end. Every
 * route is taken from the OpenAPI document, so a route added later is covered without touching this test.
 */

/** Every API route as [method, path with ids filled in], from the OpenAPI document. */
async function routes(console: ConsoleServer): Promise<Array<[string, string]>> {
  const doc = (await console.client().call('GET', '/api/openapi.json', { headers: { authorization: `Bearer ${console.tokens.read}` } })).json as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method): [string, string] => [method.toUpperCase(), path.replace(/\{id\}/, 'abc123')]));
}

const isChange = ([method]: [string, string]): boolean => method !== 'GET' && method !== 'HEAD';
const BODIES: Record<string, unknown> = {
  'POST /api/rules': { name: 'open.example', action: 'block', reason: 'test' },
  'POST /api/pauses': { zone: 'local.rpz', group: 'default', minutes: 5, reason: 'test' },
  'POST /api/logout': undefined,
};

/** What a change route may have changed: the zone files, the pauses and the rules the console lists. */
function files(console: ConsoleServer): string {
  return readFileSync(console.zones.allow, 'utf8') + readFileSync(console.zones.local, 'utf8');
}

t.test('no API route answers without a session or a token (the login excepted)', async (t) => {
  const console = await startConsoleServer(t);
  const all = await routes(console);
  t.ok(all.length >= 13, `the OpenAPI document lists the routes (${all.length})`);
  for (const [method, path] of all) {
    if (path === '/api/login') continue;
    const anonymous = new ConsoleClient(console.server.server.admin.endpoints[0]!);
    const body = BODIES[`${method} ${path}`];
    t.equal((await anonymous.call(method, path, { body })).status, 401, `${method} ${path}: no cookie, no token`);
    t.equal((await anonymous.call(method, path, { body, headers: { cookie: 'stopzone-session=made-up' } })).status, 401, `${method} ${path}: a made-up session`);
    t.equal((await anonymous.call(method, path, { body, headers: { authorization: 'Bearer stopzone_not-a-token' } })).status, 401, `${method} ${path}: a wrong token`);
  }
  t.equal((await console.client().call('GET', '/api/openapi.json')).status, 401, 'the API document too');
  t.equal((await console.client().call('GET', '/metrics')).status, 200, 'metrics and health stay open, as before the console');
  t.equal((await console.client().call('GET', '/healthz')).status, 200);
});

t.test('a change without the session\'s CSRF token is refused, and changes nothing', async (t) => {
  const console = await startConsoleServer(t);
  const admin = console.client();
  t.equal((await admin.login()).status, 204, 'logged in');
  const before = files(console);
  for (const route of (await routes(console)).filter(isChange)) {
    const [method, path] = route;
    if (path === '/api/login') continue;
    const body = BODIES[`${method} ${path}`];
    const missing = await admin.call(method, path, { body, csrf: false });
    t.equal(missing.status, 403, `${method} ${path}: no x-csrf-token`);
    t.match(missing.json, { message: /x-csrf-token/ });
    t.equal((await admin.call(method, path, { body, csrf: false, headers: { 'x-csrf-token': 'x'.repeat(43) } })).status, 403, `${method} ${path}: a wrong one`);
  }
  t.equal(files(console), before, 'the zone files are as they were');
  t.same((await admin.call('GET', '/api/pauses')).json, [], 'no pause was made');
  t.same((await admin.call('GET', '/api/audit')).json.map((entry: { what: string }) => entry.what), ['login'], 'the audit log has the login only');
  t.equal((await admin.call('GET', '/api/session')).status, 200, 'still logged in: the logout was refused too');
  const pause = await admin.call('POST', '/api/pauses', { body: BODIES['POST /api/pauses'] });
  t.equal(pause.status, 200, 'with the token the same change goes through');
});

t.test('a read-only token or session can look at everything and change nothing', async (t) => {
  const console = await startConsoleServer(t);
  const bearer = { authorization: `Bearer ${console.tokens.read}` };
  const reader = console.client();
  const before = files(console);
  const all = await routes(console);
  for (const [method, path] of all) {
    if (path === '/api/login' || path === '/api/logout') continue;
    const body = BODIES[`${method} ${path}`];
    const reply = await reader.call(method, path, { body, headers: bearer });
    if (isChange([method, path])) t.equal(reply.status, 403, `${method} ${path}: refused to the read token`);
    else t.not(reply.status, 403, `${method} ${path}: open to the read token (${reply.status})`);
  }
  const session = console.client();
  t.equal((await session.login(console.tokens.read)).status, 204, 'the read token logs in a browser too');
  t.match((await session.call('GET', '/api/session')).json, { role: 'read', who: 'token:reader' });
  t.equal((await session.call('POST', '/api/rules', { body: BODIES['POST /api/rules'] })).status, 403, 'its session cannot change anything, CSRF token and all');
  t.equal(files(console), before, 'the zone files are as they were');
  t.same((await session.call('GET', '/api/pauses')).json, []);
  const deploy = await console.client().call('POST', '/api/pauses', { body: BODIES['POST /api/pauses'], headers: { authorization: `Bearer ${console.tokens.admin}` } });
  t.equal(deploy.status, 200, 'an admin token changes without a CSRF token: no browser sends it by itself');
  t.match((await session.call('GET', '/api/audit')).json[0], { who: 'token:deploy', what: 'pause.add' });
});

t.test('login: a wrong password is refused; the cookie is HttpOnly, SameSite=Strict; logout ends the session', async (t) => {
  const console = await startConsoleServer(t);
  const client = console.client();
  const wrong = await client.login('not the password');
  t.equal(wrong.status, 401);
  t.equal(wrong.headers.get('set-cookie'), null, 'no cookie for a wrong password');
  const right = await client.login(TEST_PASSWORD);
  t.equal(right.status, 204);
  const cookie = right.headers.get('set-cookie') ?? '';
  t.match(cookie, /^stopzone-session=[A-Za-z0-9_-]{43};/, 'a 256-bit random id');
  t.match(cookie, /; HttpOnly/);
  t.match(cookie, /; SameSite=Strict/);
  t.match(cookie, /; Path=\//);
  t.notMatch(cookie, /Secure/, 'not Secure over plain HTTP (the browser would drop it)');
  t.match((await client.call('GET', '/api/session')).json, { role: 'admin', who: 'admin', csrf: /^[A-Za-z0-9_-]{43}$/ });
  t.equal((await client.call('POST', '/api/logout')).status, 204);
  t.equal((await client.call('GET', '/api/session')).status, 401, 'the old cookie is worth nothing after logout');
});

t.test('login attempts past admin.loginAttemptsPerMinute are refused, the right password included', async (t) => {
  const console = await startConsoleServer(t, undefined, { admin: '  loginAttemptsPerMinute: 3\n' });
  const client = console.client();
  for (let i = 0; i < 3; i++) t.equal((await client.login('guess')).status, 401, `attempt ${i + 1}: wrong password`);
  const fourth = await client.login(TEST_PASSWORD);
  t.equal(fourth.status, 429, 'the fourth in the minute: too many, even with the right password');
  t.match(fourth.json, { statusCode: 429, message: /retry/i });
});

t.test('a session ends admin.sessionMinutes after login', async (t) => {
  let now = Date.UTC(2026, 5, 1, 9, 0);
  const console = await startConsoleServer(t, undefined, { admin: '  sessionMinutes: 30\n', now: () => now });
  const client = console.client();
  await client.login();
  now += 29 * 60_000;
  t.equal((await client.call('GET', '/api/session')).status, 200, '29 minutes on: still logged in');
  now += 60_000;
  t.equal((await client.call('GET', '/api/session')).status, 401, '30 minutes on: logged out');
});

t.test('without a password (loopback only) anyone here logs in, but only at a loopback address or localhost', async (t) => {
  const console = await startConsoleServer(t, undefined, { password: false });
  const client = console.client();
  t.equal((await client.login('anything')).status, 204);
  t.match((await client.call('GET', '/api/session')).json, { role: 'admin', who: 'local' });
  t.equal((await client.call('GET', '/api/session', { headers: { host: 'localhost:9153' } })).status, 200, 'Host localhost');
  const rebound = await client.call('GET', '/api/session', { headers: { host: 'attacker.example:9153' } });
  t.equal(rebound.status, 403, 'a page of another site reaching it through DNS rebinding (its own Host) is refused');
  t.match(rebound.json, { message: /no password/ });
  t.equal((await console.client().login('x').then(() => client.call('POST', '/api/login', { body: { password: 'x' }, headers: { host: 'attacker.example' } }))).status, 403, 'and cannot log in');
});

t.test('with admin.certFile and keyFile the session cookie is Secure, with the __Host- prefix', async (t) => {
  const { selfSignedServerCert } = await import('../helpers/self-signed.js');
  const cert = await selfSignedServerCert();
  const console = await startConsoleServer(t, undefined, { admin: `  certFile: ${cert.certFile}\n  keyFile: ${cert.keyFile}\n` });
  t.equal(console.server.server.admin.scheme, 'https');
  const client = console.client();
  const login = await client.login();
  t.equal(login.status, 204);
  t.match(login.headers.get('set-cookie'), /^__Host-stopzone-session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
  t.match((await client.call('GET', '/api/session')).json, { role: 'admin' }, 'and it works');
  t.equal((await client.call('GET', '/api/session', { headers: { cookie: login.headers.get('set-cookie')!.split(';')[0]!.replace('__Host-', '') } })).status, 401, 'the name without the prefix is not taken');
});
