import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { chromiumMissing, launchChromium, makeTestCa } from '../helpers/chromium.js';
import { answerData, askUdp } from '../helpers/dns-client.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig } from '../helpers/stopzone.js';

/**
 * The whole path a blocked visitor takes: Stopzone's DNS answers the stop page
 * address for a listed name (with its EDE), Chromium is pointed at exactly that
 * address for the name, loads http:// and https:// (test CA trusted) URLs on it,
 * and the page shows the list's reason, the host and the reference code of the
 * block-log line that the DNS answer wrote.
 */
const missing = chromiumMissing();
if (missing !== null) {
  t.plan(0, missing);
} else {
  t.test('DNS answer, block-log line and stop page agree, over HTTP and HTTPS', async (t) => {
    const HOST = 'worst-of.example.test';
    const dir = mkdtempSync(join(tmpdir(), 'stopzone-e2e-page-'));
    const zone = join(dir, 'hotline.rpz');
    writeFileSync(zone, `$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n${HOST} CNAME .\n`);
    const ca = await makeTestCa();
    const upstream = await startFakeUpstream({});
    const server = await startTestServer(
      testConfig(
        [upstream.hostPort],
        `stopPage: { addresses: ["127.0.0.1"], http: ["127.0.0.1:0"], https: ["127.0.0.1:0"], caCertFile: ${ca.certFile}, caKeyFile: ${ca.keyFile} }
policy:
  zones:
    - name: hotline.rpz
      file: ${zone}
      policy: stop-page
      logName: National hotline list
      ede: { code: 16 }
      page: { title: "Blocked under the hotline scheme", reason: "This site is on the national list of sites with child sexual abuse material.", reference: "Child Protection Act, section 12", referenceUrl: "https://example.org/law", contact: "Appeal to the hotline", contactUrl: "https://example.org/appeal", legal: true }
`,
        'warn',
      ),
    );
    t.teardown(async () => {
      await server.close();
      await upstream.close();
    });

    const dns = await askUdp(server.target, HOST, { bufsize: 1232 });
    const address = answerData(dns)[0] as string;
    t.equal(address, '127.0.0.1', 'DNS answers the stop page address');
    const event = server.blockEvents.find((e) => e.qname === HOST);
    t.match(event, { msg: 'blocked', action: 'stop-page', ede: 16, list: 'National hotline list' }, 'the block-log line');

    const port = (hostPort: string) => hostPort.slice(hostPort.lastIndexOf(':') + 1);
    const browser = await launchChromium({ hosts: [HOST], address, extraArgs: [`--ignore-certificate-errors-spki-list=${ca.spkiHash}`] });
    t.teardown(() => browser.close());
    const shots = mkdtempSync(join(tmpdir(), 'stopzone-e2e-shots-'));
    for (const [scheme, listen] of [['http', server.server.stopPage.http[0]!], ['https', server.server.stopPage.https[0]!]] as const) {
      const tab = await browser.context.newPage();
      const response = await tab.goto(`${scheme}://${HOST}:${port(listen)}/some/path?x=1`, { timeout: 15_000 });
      t.equal(response?.status(), 451, `${scheme}: 451 for a list imposed by law`);
      const text = await tab.innerText('body');
      t.match(text, 'This site is on the national list', `${scheme}: the list's reason`);
      t.match(text, HOST, `${scheme}: the blocked host`);
      t.equal(await tab.innerText('.ref'), event?.ref, `${scheme}: the reference code of the block-log line`);
      const path = join(shots, `${scheme}-e2e.png`);
      await tab.screenshot({ path, fullPage: true });
      t.comment(`screenshot: ${path}`);
      await tab.close();
    }
  });
}
