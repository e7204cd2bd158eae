import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PAGES, PUBLIC_DIR, publicFiles } from '../../../src/console/pages.js';

// What the console's files must be to work under the CSP `default-src 'self'` and to show data only as text:
// checked on the files themselves, so a page or module that breaks a rule fails here with its name.
const files = publicFiles();
const served = new Set(files.map((f) => f.url));
const pages = files.filter((f) => f.type.startsWith('text/html'));
const modules = files.filter((f) => f.type.startsWith('text/javascript') && !f.url.startsWith('/assets/vendor/'));

t.test('every page route, every asset and the chart library are served, each with its type', async (t) => {
  t.same(pages.map((f) => f.url).sort(), Object.keys(PAGES).sort(), 'the pages: /, /login, /log, /why, /rules, /audit');
  t.same(pages.map((f) => f.url).sort(), ['/', '/audit', '/log', '/login', '/rules', '/why']);
  for (const file of files) t.ok(existsSync(file.file), `${file.url}: ${file.file} exists`);
  t.match(files.find((f) => f.url === '/assets/vendor/uPlot.esm.js'), { type: 'text/javascript; charset=utf-8', file: /node_modules\/uplot\/dist\/uPlot\.esm\.js$/ });
  t.match(files.find((f) => f.url === '/assets/console.css'), { type: 'text/css; charset=utf-8', file: join(PUBLIC_DIR, 'assets', 'console.css') });
  t.ok(files.every((f) => /^\/(assets\/(vendor\/)?[A-Za-z0-9.-]+)?[a-z]*$/.test(f.url)), 'only plain names: nothing a request path could climb out with');
});

t.test('each page loads only served files from this origin: no inline script or style, no event attributes, no other host', async (t) => {
  for (const page of pages) {
    const html = readFileSync(page.file, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    t.equal(scripts.length, 1, `${page.url}: one script`);
    t.match(scripts[0]?.[1], /type="module" src="\/assets\/[a-z-]+\.js"/, `${page.url}: it is a module from /assets/`);
    t.equal(scripts[0]?.[2], '', `${page.url}: with no inline code`);
    t.notMatch(html, /<style\b|\sstyle=|\son[a-z]+=/i, `${page.url}: no <style>, style= or on...= attribute`);
    t.notMatch(html, /(?:src|href|action)="(?:[a-z]+:|\/\/)/i, `${page.url}: no URL with a scheme or another host`);
    const linked = [...html.matchAll(/(?:src|href|action)="([^"]+)"/g)].map((m) => m[1]!.split('?')[0]!);
    t.same(linked.filter((url) => !served.has(url) && !url.startsWith('/api/')), [], `${page.url}: every src, href and action is a served path or the API`);
  }
});

t.test('each module writes data as text: no innerHTML, outerHTML, insertAdjacentHTML, document.write, eval or Function', async (t) => {
  t.ok(modules.length >= 9, 'the page modules and their shared modules');
  for (const module of modules) {
    const code = readFileSync(module.file, 'utf8');
    t.notMatch(code, /\binnerHTML\b|\bouterHTML\b|insertAdjacentHTML|document\.write|\beval\s*\(|new Function\b|setAttribute\(\s*'on/, `${module.url}: no HTML from strings`);
    const imports = [...code.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => new URL(m[1]!, `http://console${module.url}`).pathname);
    t.same(imports.filter((url) => !served.has(url)), [], `${module.url}: imports only served modules`);
  }
});

t.test('the dashboard loads the chart library and its stylesheet locally', async (t) => {
  const html = readFileSync(join(PUBLIC_DIR, 'index.html'), 'utf8');
  t.match(html, '<link rel="stylesheet" href="/assets/vendor/uPlot.min.css">');
  t.match(readFileSync(join(PUBLIC_DIR, 'assets', 'dashboard.js'), 'utf8'), "import uPlot from './vendor/uPlot.esm.js';");
});
