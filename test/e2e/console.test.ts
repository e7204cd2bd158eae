import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import t from 'tap';
import { hashPassword } from '../../src/console/auth/password-hash.js';
import { chromiumMissing, launchChromium } from '../helpers/chromium.js';
import { dig, hasDig } from '../helpers/dig.js';
import { fakeEvents } from '../helpers/fake-console-data.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { skipWhenMissing } from '../helpers/missing-tool.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/**
 * The walk, on the real server, its store and its console API, in Chromium: `dig` asks for a listed
 * name and gets the stop page's address; the stop page shows a reference code; the admin logs in, finds the
 * block by that code, opens "why" (the zone, list and rule), allows the name (dig now gets the upstream's
 * answer), undoes it (dig gets the stop page again); the dashboard's chart draws the block. So that the charts
 * and top lists have a shape, the store first gets 400 generated events of the 7 days before (fake-console-data.ts,
 * other names and clients). Screenshots at desktop and phone width; STOPZONE_SCREENSHOTS=docs/console keeps them there.
 */
const NAME = 'games.example.test';
const UPSTREAM_ADDRESS = '192.0.2.80';
const PASSWORD = 'correct horse battery staple';
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
/** Where the screenshots go: STOPZONE_SCREENSHOTS, or a temporary folder removed when the test ends. */
const SHOTS = process.env.STOPZONE_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'stopzone-console-shots-'));
if (process.env.STOPZONE_SCREENSHOTS === undefined) process.once('exit', () => rmSync(SHOTS, { recursive: true, force: true }));

const missing = chromiumMissing() || skipWhenMissing(!(await hasDig()), 'dig is missing: apt-get install bind9-dnsutils');
if (missing) {
  t.plan(0, missing);
} else {
  t.test('a blocked dig, its reference code on the stop page, found in the console, why, allow, forwarded, undo, blocked again', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stopzone-console-e2e-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const soa = '$TTL 60\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n';
    writeFileSync(join(dir, 'allow.rpz'), soa);
    writeFileSync(join(dir, 'local.rpz'), soa);
    writeFileSync(join(dir, 'games.rpz'), `${soa}${NAME} CNAME .\n*.${NAME} CNAME .\n`);
    const upstream = await startFakeUpstream({ records: { [NAME]: [{ type: 'A', data: UPSTREAM_ADDRESS }] } });
    const server = await startTestServer(
      testConfig(
        [upstream.hostPort],
        `admin: { listen: ["127.0.0.1:0"], passwordHash: "${await hashPassword(PASSWORD)}" }
state: { dir: ${dir} }
store: { enabled: true }
stopPage: { addresses: ["127.0.0.1"], http: ["127.0.0.1:0"] }
policy:
  zones:
    - { name: allow.rpz, file: ${join(dir, 'allow.rpz')}, logName: Allowed here }
    - { name: local.rpz, file: ${join(dir, 'local.rpz')}, logName: Blocked here }
    - { name: games.rpz, file: ${join(dir, 'games.rpz')}, policy: stop-page, logName: Games }
`,
        'warn',
      ),
    );
    const browser = await launchChromium({ hosts: [NAME], viewport: DESKTOP });
    t.teardown(async () => {
      await browser.close();
      await server.close();
      await upstream.close();
    });
    const console = `http://${server.server.admin.endpoints[0]}`;
    const target = server.target;
    const answer = async () => (await dig(target, [NAME, 'A', '+short'])).trim();
    const problems: string[] = [];
    const open = async (viewport = DESKTOP): Promise<Page> => {
      const page = await browser.context.newPage();
      await page.setViewportSize(viewport);
      page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
      page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && problems.push(`${page.url()}: ${m.text()}`));
      return page;
    };
    mkdirSync(SHOTS, { recursive: true });
    const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: page.viewportSize()!.width > PHONE.width });

    const history = fakeEvents(Date.now()).map(({ id: _id, ...event }) => event);
    for (const event of history) server.server.store!.record(event);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const history24 = history.filter((e) => e.time >= hour - 23 * 3_600_000).length;

    // 1. A real dig is blocked: the stop page's address.
    t.equal(await answer(), '127.0.0.1', 'dig: the stop page address');

    // 2. The stop page shows the reference code of that block.
    const stopPage = await browser.context.newPage(); // its 403 is no console fault: not watched
    const port = server.server.stopPage.http[0]!.split(':').at(-1);
    await stopPage.goto(`http://${NAME}:${port}/`);
    const ref = (await stopPage.innerText('.ref')).trim();
    t.match(ref, /^[0-9A-HJKMNP-TV-Z]{8}$/, `the stop page shows reference code ${ref}`);
    await stopPage.close();

    // 3. Log in, and find the block by that code from the dashboard.
    const page = await open();
    await page.goto(`${console}/`);
    await page.waitForURL(/\/login/);
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(`${console}/`), page.click('#login-form button')]);
    // The store writes in batches off the answering path: wait until the event is searchable, then use the page.
    await page.waitForFunction(async (code) => ((await (await fetch(`/api/events?ref=${code}`)).json()) as { events: unknown[] }).events.length > 0, ref, { polling: 100, timeout: 10_000 });
    await page.reload();
    await page.waitForSelector('#zones table');
    const drawn = await page.$eval('#chart-24h canvas', (canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let red = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! > 180 && data[i + 1]! < 120 && data[i + 2]! < 120) red++;
      return red;
    });
    t.ok(drawn > 0, `the 24-hour chart draws the block (${drawn} red pixels)`);
    t.match(await page.textContent('#summary-24h'), new RegExp(`^${history24 + 1} blocks in the last 24 hours`), 'the dig counted beside the history');
    const games = await page.$$eval('#per-list tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.innerText.trim())));
    t.same(games.find((row) => row[0] === 'Games'), ['Games', '1'], 'the list Games: the one dig');
    await shot(page, 'dashboard-desktop');
    await page.fill('#ref-form input[name=ref]', ref);
    await Promise.all([page.waitForURL(/\/log\?/), page.click('#ref-form button')]);
    await page.waitForSelector('#results table');
    const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.innerText.trim())));
    t.equal(rows.length, 1, 'one event has that code');
    t.same(rows[0]!.slice(1, 7), [ref, '127.0.0.1', `${NAME} A`, 'Games', 'default', 'blocked stop-page'], 'the blocked dig: code, client, name, list, group, action');
    await shot(page, 'search-by-ref-desktop');

    // 4. Why: the zone, the list, the rule.
    await Promise.all([page.waitForURL(/\/why\?/), page.click('#results a:has-text("Why")')]);
    await page.waitForSelector('#result:not([hidden])');
    t.equal(await page.textContent('#decision'), `${NAME}: Blocked for default`);
    const facts = await page.$$eval('#facts dt', (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling!.textContent])));
    t.same(facts, { Group: 'default', Zone: 'games.rpz', List: 'Games', Rule: `${NAME}.games.rpz`, Trigger: 'qname', Action: 'stop-page', 'Zones in force': 'allow.rpz, local.rpz, games.rpz' }, 'the rule that fired (its owner in the zone, as BIND names it)');
    await shot(page, 'why-desktop');

    // 5. Allow: in force when the page says so, and dig gets the upstream's answer.
    await page.fill('#change input[name=reason]', 'needed for the maths lesson');
    await page.click('#change-button');
    await page.waitForSelector('#decision:has-text("Let through")');
    t.match(await page.textContent('#change-status'), `Allowed ${NAME} in allow.rpz; in force now.`);
    t.equal(await answer(), UPSTREAM_ADDRESS, 'dig: forwarded, the upstream answers');
    t.match(readFileSync(join(dir, 'allow.rpz'), 'utf8'), new RegExp(`; added by admin at .*: needed for the maths lesson\\n${NAME.replace(/\./g, '\\.')} CNAME rpz-passthru\\.`), 'the rule and its comment are in the zone file');

    // 6. Undo: the rule is gone and dig gets the stop page again.
    await page.click('#change-status button:has-text("Undo")');
    await page.waitForSelector('#decision:has-text("Blocked")');
    t.equal(await answer(), '127.0.0.1', 'dig: blocked again');
    t.notMatch(readFileSync(join(dir, 'allow.rpz'), 'utf8'), 'rpz-passthru', 'the rule is gone from the zone file');

    // 7. The audit log has both changes.
    await page.goto(`${console}/audit`);
    await page.waitForSelector('#audit table');
    const audit = await page.$$eval('#audit tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.innerText.trim())));
    t.ok(audit.length >= 2, 'the allow and its undo are in the audit log');

    // 8. Phone width: the same three pages fit the screen.
    const phone = await open(PHONE);
    for (const [path, ready, name] of [['/', '#zones table', 'dashboard'], [`/log?ref=${ref}`, '#results table', 'search-by-ref'], [`/why?name=${NAME}&group=default`, '#result:not([hidden])', 'why']] as const) {
      await phone.goto(`${console}${path}`);
      await phone.waitForSelector(ready);
      const { scroll, inner } = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      t.ok(scroll <= inner, `${path} at phone width: ${scroll} px in ${inner}`);
      await shot(phone, `${name}-phone`);
    }
    t.same(problems, [], 'no page logged an error or broke the CSP');
    if (process.env.STOPZONE_SCREENSHOTS !== undefined) t.comment(`screenshots: ${SHOTS}`);
  });
}
