import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import t from 'tap';
import { chromiumMissing, launchChromium, type SafeBrowser } from '../../helpers/chromium.js';
import { FAKE_ADMIN_PASSWORD, FAKE_READ_PASSWORD, startFakeConsoleApi, type FakeConsoleApi } from '../../helpers/fake-console-api.js';

/**
 * The console's pages in Chromium against a FAKE of the API (test/helpers/fake-console-api.ts: canned,
 * consistent data; the pages served as the admin listener serves them, under CSP `default-src 'self'`).
 * The same pages against the real server and store: test/e2e/console.test.ts. The browser's clock and the
 * fake's are the same fixed instant, so hours and "time remaining" are known.
 */
const NOW = Date.parse('2026-03-05T14:20:00Z');
const HOUR = 3_600_000;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** STOPZONE_SCREENSHOTS=dir saves the pages shown here as PNGs there. */
const SHOTS = process.env.STOPZONE_SCREENSHOTS;

/** A time as the console shows it, "2026-03-05 15:05:00" in the local zone (the browser's is the machine's). */
const localTime = (ms: number): string => new Date(ms).toLocaleString('sv-SE').slice(0, 19);

const missing = chromiumMissing();
if (missing !== null) {
  t.plan(0, missing);
} else {
  let fake: FakeConsoleApi;
  let browser: SafeBrowser;
  /** Console errors and uncaught exceptions of every page (a CSP refusal is a console error). */
  const problems: string[] = [];
  t.before(async () => {
    fake = await startFakeConsoleApi(() => NOW);
    browser = await launchChromium({ hosts: [], viewport: DESKTOP });
    await browser.context.clock.setFixedTime(NOW);
  });
  t.teardown(async () => {
    await browser?.close();
    await fake?.close();
  });

  const open = async (viewport = DESKTOP): Promise<Page> => {
    const page = await browser.context.newPage();
    await page.setViewportSize(viewport);
    page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
    // A 401 on /api/session before logging in is the console's way to the login page, not a fault.
    page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && problems.push(`${page.url()}: ${m.text()}`));
    page.on('dialog', (d) => problems.push(`a dialog opened: ${d.message()}`));
    return page;
  };
  const shot = async (page: Page, name: string): Promise<void> => {
    if (SHOTS === undefined) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: page.viewportSize()!.width > PHONE.width });
  };
  const login = async (page: Page, password = FAKE_ADMIN_PASSWORD): Promise<void> => {
    await page.goto(`${fake.url}/login`);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL(`${fake.url}/`), page.click('#login-form button')]);
  };
  /** The text of each cell of the table under `selector`, row by row. */
  const cells = (page: Page, selector: string): Promise<string[][]> =>
    page.$$eval(`${selector} tbody tr`, (rows) => rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => td.innerText.trim())));

  t.test('without a session a page sends the visitor to log in, a wrong password is refused, and the right one goes back', async (t) => {
    const page = await open();
    const ref = fake.events.at(-1)!.ref;
    await page.goto(`${fake.url}/log?ref=${ref}`);
    await page.waitForURL(/\/login\?next=/);
    t.equal(new URL(page.url()).searchParams.get('next'), `/log?ref=${ref}`, 'the login page knows where to go back to');
    await page.fill('input[name=password]', 'not the password');
    await page.click('#login-form button');
    await page.waitForSelector('#status:has-text("Wrong password.")');
    t.equal(await page.textContent('#status'), 'Wrong password.', 'a wrong password is refused');
    t.match(page.url(), /\/login\?next=/, 'and the visitor stays on the login page');
    await page.fill('input[name=password]', FAKE_ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(`${fake.url}/log?ref=${ref}`), page.click('#login-form button')]);
    await page.waitForSelector('#results table');
    t.same((await cells(page, '#results')).map((row) => row[1]), [ref], 'back on the block log with the search it asked for');
    const cookies = await browser.context.cookies(fake.url);
    t.match(cookies.find((c) => c.name === 'fake_console_session'), { httpOnly: true, sameSite: 'Strict' }, 'the session cookie is HttpOnly and SameSite=Strict');
    await page.close();
  });

  t.test('the dashboard draws a bar chart of blocks per hour and shows the top names, clients, lists, groups and zones', async (t) => {
    const page = await open();
    await page.goto(`${fake.url}/`);
    await page.waitForSelector('#zones table');
    const start24 = Math.floor(NOW / HOUR) * HOUR - 23 * HOUR;
    const in24 = fake.events.filter((e) => e.time >= start24).length;
    t.ok(in24 > 0 && in24 < fake.events.length, `the fake has ${in24} of its ${fake.events.length} blocks in the last 24 hours`);
    t.match(await page.textContent('#summary-24h'), new RegExp(`^${in24} blocks in the last 24 hours; the busiest hour began`), 'the 24-hour total');
    t.match(await page.textContent('#summary-7d'), new RegExp(`^${fake.events.length} blocks in the last 7 days`), 'the 7-day total');
    for (const id of ['chart-24h', 'chart-7d']) {
      // The bars are filled with the chart's red: count the canvas pixels of that colour.
      const drawn = await page.$eval(`#${id} canvas`, (canvas) => {
        const c = canvas as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let red = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i]! > 180 && data[i + 1]! < 120 && data[i + 2]! < 120) red++;
        return { width: c.width, height: c.height, red };
      });
      t.ok(drawn.width > 300 && drawn.height > 150, `${id}: the canvas is laid out (${drawn.width}x${drawn.height})`);
      t.ok(drawn.red > 500, `${id}: bars are drawn (${drawn.red} red pixels)`);
    }
    const counts = new Map<string, number>();
    for (const e of fake.events.filter((e) => e.time >= start24)) counts.set(e.qname, (counts.get(e.qname) ?? 0) + 1);
    const most = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    t.same((await cells(page, '#top-names'))[0], [most[0], String(most[1])], 'the most blocked name and its count');
    t.equal(await page.getAttribute('#top-names tbody a', 'href'), `/log?name=${most[0]}`, 'which links to its events');
    const zones = await cells(page, '#zones');
    t.same(zones.map((row) => row[0]), fake.zones.map((z) => z.name), 'every policy zone, in order');
    t.match(zones.find((row) => row[0] === 'gambling.rpz')?.[5], /^failing transfer from 127\.0\.0\.1:5300: timed out/, 'a failing zone says so, with its error');
    t.equal(zones.find((row) => row[0] === 'ads.rpz')?.[5], 'ok', 'a loaded zone is ok');
    await shot(page, 'fake-dashboard-desktop');
    await page.close();
  });

  t.test('a name with markup in it is shown as text, never run', async (t) => {
    const page = await open();
    const name = '<script>alert(1)</script>.evil.example';
    await page.goto(`${fake.url}/log?name=${encodeURIComponent('<script>')}`);
    await page.waitForSelector('#results table');
    const names = (await cells(page, '#results')).map((row) => row[3]);
    t.ok(names.length > 0 && names.every((n) => n === `${name} A` || n === `${name} AAAA`), 'the name is shown as its characters');
    t.equal(await page.$$eval('script', (s) => s.length), 1, 'no script element was added (only the page module)');
    t.equal(await page.$$eval('#results *', (all) => all.filter((n) => n.tagName === 'SCRIPT').length), 0);
    await page.close();
  });

  t.test('a reference code typed from a stop page, in lower case with a space, finds its one event', async (t) => {
    const page = await open();
    const event = fake.events.findLast((e) => e.qname === 'games.example')!;
    await page.goto(`${fake.url}/`);
    const typed = `${event.ref.slice(0, 4)} ${event.ref.slice(4)}`.toLowerCase();
    await page.fill('#ref-form input[name=ref]', typed);
    await Promise.all([page.waitForURL(/\/log\?/), page.click('#ref-form button')]);
    await page.waitForSelector('#results table');
    const rows = await cells(page, '#results');
    t.equal(rows.length, 1, 'one event');
    t.same(rows[0]!.slice(1, 7), [event.ref, event.client, `${event.qname} ${event.qtype}`, event.list, event.group, `blocked ${event.action}`], 'its ref, client, name, list, group and action');
    t.equal(new URL(page.url()).search, `?ref=${event.ref}`, 'the address bar holds the search as asked');
    t.ok(fake.requests.includes(`GET /api/events?ref=${event.ref}`), 'the API was asked for the code in its canonical form');
    t.equal(await page.getAttribute('#csv', 'href'), `/api/events.csv?ref=${event.ref}`, 'the CSV link exports the same search');
    await shot(page, 'fake-search-by-ref-desktop');
    await page.close();
  });

  t.test('the block log pages back and forth with the id cursor, and the CSV export has the same events', async (t) => {
    const page = await open();
    await page.goto(`${fake.url}/log?list=${encodeURIComponent('Ads and trackers')}`);
    await page.waitForSelector('#results table');
    const listed = fake.events.filter((e) => e.list === 'Ads and trackers').reverse();
    const refs = async () => (await cells(page, '#results')).map((row) => row[1]);
    t.same(await refs(), listed.slice(0, 50).map((e) => e.ref), 'page 1: the 50 newest');
    await page.click('#older');
    await page.waitForSelector('#page-info:has-text("page 2")');
    t.same(await refs(), listed.slice(50, 100).map((e) => e.ref), 'page 2: the next 50');
    await page.click('#newer');
    await page.waitForSelector('#page-info:has-text("page 1")');
    t.same(await refs(), listed.slice(0, 50).map((e) => e.ref), 'back to page 1');
    const csv = await page.evaluate(async () => (await fetch(document.querySelector<HTMLAnchorElement>('#csv')!.href)).text());
    const lines = csv.trim().split('\n');
    t.match(lines[0], /^time,ref,client,qname/, 'a header line');
    t.same(lines.slice(1, 51).map((l) => l.split(',')[1]), listed.slice(0, 50).map((e) => e.ref), 'then the events of the search');
    await page.close();
  });

  t.test('why names the zone, list, rule and schedule; allow lets the name through; undo blocks it again; the audit log has both', async (t) => {
    const page = await open();
    await page.goto(`${fake.url}/log?name=games.example&group=students`);
    await page.waitForSelector('#results table');
    await Promise.all([page.waitForURL(/\/why\?/), page.click('#results tbody tr:first-child a:has-text("Why")')]);
    await page.waitForSelector('#result:not([hidden])');
    t.match(await page.textContent('#decision'), /games\.example: Blocked for students$/);
    const facts = await page.$$eval('#facts dt', (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling!.textContent])));
    t.match(facts, { Group: 'students', Zone: 'games.rpz', List: 'Games in lessons', Rule: 'games.example', Trigger: 'qname', Action: 'stop-page', Schedule: 'lessons: Mon-Fri 08:00-15:30' });
    await shot(page, 'fake-why-desktop');
    await page.fill('#change input[name=reason]', 'needed for the <b>maths</b> lesson');
    await page.click('#change-button');
    await page.waitForSelector('#decision:has-text("Let through")');
    t.match(await page.textContent('#change-status'), 'Allowed games.example in allow.rpz; in force now.');
    t.match(await page.textContent('#decision'), 'games.example: Let through for students by an allow rule');
    t.equal(await page.textContent('#facts dd:nth-of-type(2)'), 'allow.rpz', 'the allow zone decides now');
    t.equal(await page.textContent('#change-button'), 'Block games.example', 'the button now offers the opposite');
    await page.click('#change-status button:has-text("Undo")');
    await page.waitForSelector('#decision:has-text("Blocked")');
    t.match(await page.textContent('#change-status'), 'Undone: the allow rule for games.example is gone from allow.rpz.');
    t.ok(fake.requests.some((r) => /^DELETE \/api\/rules\/[0-9a-f]+$/.test(r)), 'undo deleted the rule it wrote');
    await page.goto(`${fake.url}/audit`);
    await page.waitForSelector('#audit table');
    const audit = await cells(page, '#audit');
    t.same(audit.slice(0, 2).map((row) => row.slice(1, 3)), [['admin', 'rule allow removed'], ['admin', 'rule allow']], 'the audit log, newest first');
    t.equal(audit[1]![3], 'games.example in allow.rpz: needed for the <b>maths</b> lesson', 'with the reason as typed, shown as text');
    await page.close();
  });

  t.test('a pause shows the time it has left and ends on request', async (t) => {
    const page = await open();
    await page.goto(`${fake.url}/rules`);
    await page.waitForSelector('#pauses p');
    await page.fill('#pause-form input[name=zone]', 'gambling.rpz');
    await page.fill('#pause-form input[name=group]', 'staff');
    await page.fill('#pause-form input[name=minutes]', '45');
    await page.fill('#pause-form input[name=reason]', 'staff training');
    await page.click('#pause-form button');
    await page.waitForSelector('#pauses table');
    const [row] = await cells(page, '#pauses');
    t.same(row?.slice(0, 5), ['gambling.rpz', 'staff', localTime(NOW + 45 * 60_000), '45 min', 'staff training'], 'zone, group, until, remaining, reason');
    await page.click('#pauses button:has-text("End now")');
    await page.waitForSelector('#pauses p');
    t.equal(await page.textContent('#pauses p'), 'No list is paused.');
    await page.close();
  });

  t.test('a read-only session is shown no button that changes anything', async (t) => {
    const context = browser.context;
    await context.clearCookies();
    const page = await open();
    await login(page, FAKE_READ_PASSWORD);
    t.equal(await page.textContent('#role'), 'reader (read-only)');
    await page.goto(`${fake.url}/why?name=games.example&group=students`);
    await page.waitForSelector('#result:not([hidden])');
    t.equal(await page.isVisible('#change-button'), false, 'why: no allow button');
    await page.goto(`${fake.url}/log`);
    await page.waitForSelector('#results table');
    t.equal(await page.isVisible('#results button:has-text("Allow")'), false, 'block log: no allow button');
    t.equal(await page.isVisible('#results a:has-text("Why")'), true, 'but the why link');
    await context.clearCookies();
    await login(await open());
    await page.close();
  });

  t.test('at phone width every page fits the screen, and the chart too', async (t) => {
    const page = await open(PHONE);
    const event = fake.events.at(-1)!;
    const paths: Array<[string, string, string]> = [
      ['/', '#zones table', 'dashboard'],
      [`/log?ref=${event.ref}`, '#results table', 'search-by-ref'],
      [`/why?name=${event.qname}&group=${event.group}`, '#result:not([hidden])', 'why'],
      ['/rules', '#rules p', 'rules'],
      ['/audit', '#audit', 'audit'],
    ];
    for (const [path, ready, name] of paths) {
      await page.goto(`${fake.url}${path}`);
      await page.waitForSelector(ready);
      const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      t.ok(scroll <= inner, `${path}: ${scroll} px wide in a ${inner} px screen`);
      if (path === '/') t.ok((await page.$eval('#chart-24h canvas', (c) => c.getBoundingClientRect().right)) <= PHONE.width, 'the chart is inside the screen');
      if (['dashboard', 'search-by-ref', 'why'].includes(name)) await shot(page, `fake-${name}-phone`);
    }
    await page.close();
  });

  t.test('no page logged an error, broke the CSP or opened a dialog', async (t) => {
    t.same(problems, []);
  });
}
