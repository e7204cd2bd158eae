import { mkdtempSync } from 'node:fs';
import { endpoint } from '../../src/config/address.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import pino from 'pino';
import { referenceCode } from '../../src/observe/block-event.js';
import { loadPolicyZoneText } from '../../src/rpz/load-zone.js';
import { PolicySet } from '../../src/rpz/policy-set.js';
import { startStopPage } from '../../src/stop-page/index.js';
import { SAFE_FLAGS, chromiumMissing, launchChromium, makeTestCa } from '../helpers/chromium.js';
import { assertLoopbackAll } from '../helpers/loopback-guard.js';

/**
 * A real Chromium (headless, network-safe flags, fresh profile) visits the
 * stop page over HTTP and over HTTPS with a throwaway CA, and over HTTPS
 * without a CA, where it must fail at once. Screenshots are phone-sized.
 */
const missing = chromiumMissing();
if (missing !== null) {
  t.plan(0, missing);
} else {
  const HOST = 'blocked.example.test';
  const KEY = Buffer.from('browser test key');
  const shots = mkdtempSync(join(tmpdir(), 'stopzone-stop-page-shots-'));
  const zone = await loadPolicyZoneText(`$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n${HOST} CNAME .\n`, 'court.rpz');
  const page = {
    title: 'Blocked by court order',
    reason: 'A court has ordered network operators to block this site.',
    reference: 'Court order 2024/117',
    referenceUrl: 'https://example.org/orders/2024-117',
    contact: 'appeals@example.org',
    contactUrl: 'mailto:appeals@example.org',
    legal: true,
  };
  const set = new PolicySet([{ zone, settings: { policy: 'stop-page', maxPolicyTtl: 5, breakDnssec: false, logName: 'Court-ordered blocks', ede: { code: 16 }, log: true, page } }]);
  const policy = { current: () => set };
  const log = pino({ level: 'silent' });

  const expectPage = async (t: Test, browser: Awaited<ReturnType<typeof launchChromium>>, url: string, shot: string) => {
    const tab = await browser.context.newPage();
    const started = performance.now();
    const response = await tab.goto(url, { timeout: 15_000 });
    const now = Date.now();
    t.comment(`${url}: loaded in ${(performance.now() - started).toFixed(0)} ms`);
    t.equal(response?.status(), 451, 'status 451 for a legal list');
    const text = await tab.innerText('body');
    t.match(text, page.title);
    t.match(text, page.reason);
    t.match(text, HOST, 'the blocked host');
    t.match(text, page.reference);
    const ref = referenceCode(KEY, '127.0.0.1', HOST, 'court.rpz', `${HOST}.court.rpz`, now);
    t.equal(await tab.innerText('.ref'), ref, 'the reference code of the block log');
    t.equal(await tab.getAttribute('a[href^="mailto:"]', 'href'), page.contactUrl);
    const width = await tab.evaluate(() => document.documentElement.scrollWidth);
    t.ok(width <= 390, `no sideways scrolling on a 390 px wide phone (${width} px)`);
    const path = join(shots, shot);
    await tab.screenshot({ path, fullPage: true });
    t.comment(`screenshot: ${path}`);
    await tab.close();
  };

  t.test('Chromium is started with the network-safe flags and a fresh profile', async (t) => {
    const browser = await launchChromium({ hosts: [HOST] });
    t.teardown(() => browser.close());
    for (const flag of SAFE_FLAGS) t.ok(browser.commandLine.includes(flag), flag);
    t.ok(browser.commandLine.includes(`--user-data-dir=${browser.userDataDir}`), 'fresh --user-data-dir');
    t.ok(browser.commandLine.some((a) => a.startsWith('--host-resolver-rules=') && a.includes('MAP * ~NOTFOUND')), 'every other name fails to resolve');
  });

  t.test('with a CA: HTTP and HTTPS show the page', async (t) => {
    const ca = await makeTestCa();
    const running = await startStopPage({
      config: { enabled: true, addresses: ['127.0.0.1'], http: [endpoint('127.0.0.1:0', 'http', { listener: true })], https: [endpoint('127.0.0.1:0', 'https', { listener: true })], certificatesPerSecond: 10, certificateBurst: 20, maxConnections: 1000, caCertFile: ca.certFile, caKeyFile: ca.keyFile },
      policy,
      log,
      referenceKey: KEY,
    });
    t.teardown(() => running.close());
    assertLoopbackAll([...running.http, ...running.https]);
    const port = (s: string) => s.slice(s.lastIndexOf(':') + 1);
    // Trust the test CA for this profile only: Chromium honours this flag only with --user-data-dir, which we always pass.
    const OTHER = 'not-blocked.example.test';
    const browser = await launchChromium({ hosts: [HOST, OTHER], extraArgs: [`--ignore-certificate-errors-spki-list=${ca.spkiHash}`] });
    t.teardown(() => browser.close());
    await expectPage(t, browser, `http://${HOST}:${port(running.http[0]!)}/some/path`, 'http-phone.png');
    await expectPage(t, browser, `https://${HOST}:${port(running.https[0]!)}/x`, 'https-phone.png');
    // Issue 17 (D12): a name the policy does not send to the stop page gets no certificate, only the fast refusal.
    const tab = await browser.context.newPage();
    const error = await tab.goto(`https://${OTHER}:${port(running.https[0]!)}/x`, { timeout: 15_000 }).then(
      () => null,
      (e: Error) => e,
    );
    t.match(error?.message, /net::ERR_SSL_UNRECOGNIZED_NAME_ALERT/, 'a name not blocked: the same error as without a CA');
    t.equal(running.stats.certificatesSigned, 1, 'one leaf signed, for the blocked name only');
    // Chromium tries more than once (4 ClientHellos were seen for this one navigation).
    t.ok(running.stats.refused['not-blocked'] >= 1, `refused as not blocked: ${running.stats.refused['not-blocked']} ClientHellos`);
  });

  t.test('without a CA: HTTPS fails at once with a clear error, HTTP still shows the page', async (t) => {
    const running = await startStopPage({
      config: { enabled: true, addresses: ['127.0.0.1'], http: [endpoint('127.0.0.1:0', 'http', { listener: true })], https: [endpoint('127.0.0.1:0', 'https', { listener: true })], certificatesPerSecond: 10, certificateBurst: 20, maxConnections: 1000 },
      policy,
      log,
      referenceKey: KEY,
    });
    t.teardown(() => running.close());
    assertLoopbackAll([...running.http, ...running.https]);
    const browser = await launchChromium({ hosts: [HOST] });
    t.teardown(() => browser.close());
    const tab = await browser.context.newPage();
    const started = performance.now();
    const error = await tab.goto(`https://${HOST}:${running.https[0]!.split(':')[1]}/x`, { timeout: 15_000 }).then(
      () => null,
      (e: Error) => e,
    );
    const ms = performance.now() - started;
    t.match(error?.message, /net::ERR_SSL_UNRECOGNIZED_NAME_ALERT/);
    t.comment(`no CA: Chromium fails in ${ms.toFixed(0)} ms with ${error?.message.split('\n')[0]}`);
    // What the user reads: Chromium's own error page (headless Chromium cannot screenshot error pages).
    await tab.waitForLoadState('domcontentloaded').catch(() => undefined);
    const shown = await tab.innerText('body').catch(() => '(error page not readable)');
    t.comment(`Chromium's error page: ${JSON.stringify(shown.replace(/\s+/g, ' ').trim())}`);
    await expectPage(t, browser, `http://${HOST}:${running.http[0]!.split(':')[1]}/`, 'http-no-ca-phone.png');
  });
}
