import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import t from 'tap';
import { endpoint } from '../../src/config/address.js';
import { publicFiles, servePages } from '../../src/console/pages.js';
import { CONSOLE_CSP, securityHeaders } from '../../src/console/security-headers.js';
import { startAdminServer } from '../../src/observe/admin-server.js';
import { createLogger } from '../../src/observe/logger.js';

/** The pages and their assets are served at fixed paths, with the CSP; nothing else of the folder, and nothing outside it. */
t.test('the pages that exist and the assets listed at start-up; 404 for the rest', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-public-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Dashboard</title><script type="module" src="/assets/dashboard.js"></script>');
  writeFileSync(join(dir, 'login.html'), '<!doctype html><title>Log in</title>');
  writeFileSync(join(dir, 'assets', 'dashboard.js'), 'export {};\n');
  writeFileSync(join(dir, 'assets', 'console.css'), 'body{}\n');
  writeFileSync(join(dir, 'assets', 'notes.txt'), 'not served\n');
  writeFileSync(join(dir, 'secret.html'), 'not a page\n');
  const files = publicFiles(dir);
  t.same(files.map((file) => file.url), ['/', '/login', '/log', '/why', '/rules', '/audit', '/assets/console.css', '/assets/dashboard.js', '/assets/vendor/uPlot.esm.js', '/assets/vendor/uPlot.min.css']);
  const admin = await startAdminServer([endpoint('127.0.0.1:0', 'admin', { listener: true })], new Registry(), () => true, createLogger('silent'), undefined, {
    routes: async (app) => {
      securityHeaders(app);
      servePages(app, files);
    },
  });
  t.teardown(() => admin.close());
  const get = async (path: string) => {
    const response = await fetch(`http://${admin.endpoints[0]}${path}`);
    return { status: response.status, type: response.headers.get('content-type'), csp: response.headers.get('content-security-policy'), body: await response.text() };
  };
  t.match(await get('/'), { status: 200, type: 'text/html; charset=utf-8', csp: CONSOLE_CSP, body: /<title>Dashboard/ });
  t.match(await get('/login'), { status: 200, body: /Log in/ });
  t.match(await get('/log'), { status: 404, csp: CONSOLE_CSP }, 'a page not installed');
  t.match(await get('/assets/dashboard.js'), { status: 200, type: 'text/javascript; charset=utf-8', body: 'export {};\n' });
  t.match(await get('/assets/console.css'), { status: 200, type: 'text/css; charset=utf-8' });
  t.match(await get('/assets/vendor/uPlot.esm.js'), { status: 200, type: 'text/javascript; charset=utf-8', body: /export \{ uPlot as default \}/ }, 'the chart library, from its package');
  for (const path of ['/assets/notes.txt', '/secret.html', '/index.html', '/assets/../login.html', '/assets/%2e%2e/secret.html', '/assets/']) t.equal((await get(path)).status, 404, path);
  t.match(CONSOLE_CSP, /default-src 'self'; script-src 'self'; style-src 'self';/, 'no inline script or style');
  t.notMatch(CONSOLE_CSP, /unsafe/);
});
