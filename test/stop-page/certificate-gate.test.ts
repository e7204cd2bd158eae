import { mkdtempSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import t, { type Test } from 'tap';
import { askUdp } from '../helpers/dns-client.js';
import { makeTestCa, type TestCa } from '../helpers/chromium.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestServer, testConfig, type TestServer } from '../helpers/stopzone.js';

/**
 * Issue 17, D12: the HTTPS stop page signs a leaf only for names the policy
 * in force sends to the stop page, at a capped rate; every other
 * ClientHello gets the unrecognized_name alert with no key made and nothing
 * signed. Full server on loopback: DNS, the stop page with a test CA, /metrics.
 */
const dir = mkdtempSync(join(tmpdir(), 'stopzone-cert-gate-'));
const zoneFile = (name: string, body: string) => {
  const file = join(dir, `${name}.rpz`);
  writeFileSync(file, `$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n${body}\n`);
  return file;
};
const stop = zoneFile('stop', 'blocked.example.test CNAME .\n*.wild.example.test CNAME .\nchained.example.test CNAME .');
const nx = zoneFile('nx', 'nx.example.test CNAME .');

interface Setup {
  readonly server: TestServer;
  readonly ca: TestCa;
  advance(ms: number): void;
}

async function setup(t: Test, stopPageExtra = ''): Promise<Setup> {
  const ca = await makeTestCa();
  // alias.example.test is listed nowhere: only its answer's CNAME target is, so the policy finds it at answer time.
  const upstream = await startFakeUpstream({ records: { 'alias.example.test': [{ type: 'CNAME', ttl: 60, data: 'chained.example.test' }] } });
  t.teardown(() => upstream.close());
  let now = Date.now();
  const server = await startTestServer(
    testConfig(
      [upstream.hostPort],
      `stopPage: { addresses: ["127.0.0.1"], http: ["127.0.0.1:0"], https: ["127.0.0.1:0"], caCertFile: ${ca.certFile}, caKeyFile: ${ca.keyFile}${stopPageExtra} }
policy:
  zones:
    - { name: nx.rpz, file: ${nx} }
    - { name: stop.rpz, file: ${stop}, policy: stop-page }
`,
      'warn',
    ),
    { now: () => now },
  );
  t.teardown(() => server.close());
  return { server, ca, advance: (ms) => (now += ms) };
}

type Handshake = { ok: true; authorized: boolean; san: string | undefined; fingerprint: string } | { ok: false; error: string };

/** A TLS handshake with the stop page, trusting only the test CA; `servername` undefined sends no SNI. */
function handshake(s: Setup, servername: string | undefined): Promise<Handshake> {
  const listen = s.server.server.stopPage.https[0]!;
  const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: s.ca.certPem, rejectUnauthorized: false, ...(servername !== undefined && { servername }) }, () => {
      const cert = socket.getPeerCertificate();
      resolve({ ok: true, authorized: socket.authorized, san: cert.subjectaltname, fingerprint: cert.fingerprint256 });
      socket.destroy();
    });
    socket.on('error', (error) => resolve({ ok: false, error: error.message }));
  });
}

async function metrics(s: Setup): Promise<string> {
  return (await fetch(`http://${s.server.server.admin.endpoints[0]}/metrics`)).text();
}

const refused = /unrecognized name|alert number 112/i;

t.test('a name the policy sends to the stop page gets a leaf from the CA; any other SNI is refused and nothing is signed', async (t) => {
  const s = await setup(t);
  const blocked = await handshake(s, 'blocked.example.test');
  t.match(blocked, { ok: true, authorized: true, san: 'DNS:blocked.example.test' }, 'chains to the test CA, SAN is the name');
  t.match(await handshake(s, 'Sub.Wild.Example.Test'), { ok: true, authorized: true, san: 'DNS:sub.wild.example.test' }, 'wildcard hit, name lower-cased');

  const before = await metrics(s);
  t.match(before, /^stopzone_stop_page_certificates_minted_total 2$/m, 'two leaves signed');
  for (const [name, why] of [
    ['unblocked.example.test', 'listed nowhere'],
    ['nx.example.test', 'listed, but answered NXDOMAIN, not with the stop page'],
    ['wild.example.test', 'a wildcard does not cover its own apex'],
  ] as const) {
    t.match(await handshake(s, name), { ok: false, error: refused }, `${name}: unrecognized_name alert (${why})`);
  }
  t.match(await handshake(s, undefined), { ok: false, error: refused }, 'no SNI: refused');
  const after = await metrics(s);
  t.match(after, /^stopzone_stop_page_certificates_minted_total 2$/m, 'still two: nothing was signed for the refused names');
  t.match(after, /^stopzone_stop_page_https_refused_total\{reason="not-blocked"\} 3$/m);
  t.match(after, /^stopzone_stop_page_https_refused_total\{reason="no-sni"\} 1$/m);
});

t.test('a repeated SNI is served from the cache: the same leaf, one signature', async (t) => {
  const s = await setup(t);
  const first = await handshake(s, 'blocked.example.test');
  const second = await handshake(s, 'blocked.example.test');
  t.match(first, { ok: true, authorized: true });
  t.same(second, first, 'the same certificate');
  t.match(await metrics(s), /^stopzone_stop_page_certificates_minted_total 1$/m);
});

t.test('over the rate cap: refused and counted, one log line; minted again once the bucket refills', async (t) => {
  const s = await setup(t, ', certificatesPerSecond: 1, certificateBurst: 2');
  t.match(await handshake(s, 'a.wild.example.test'), { ok: true, authorized: true });
  t.match(await handshake(s, 'b.wild.example.test'), { ok: true, authorized: true });
  t.match(await handshake(s, 'c.wild.example.test'), { ok: false, error: refused }, 'third new name within the same instant: refused');
  t.match(await handshake(s, 'd.wild.example.test'), { ok: false, error: refused });
  t.match(await handshake(s, 'a.wild.example.test'), { ok: true, authorized: true }, 'a cached leaf needs no token');
  const capped = await metrics(s);
  t.match(capped, /^stopzone_stop_page_certificates_minted_total 2$/m);
  t.match(capped, /^stopzone_stop_page_https_refused_total\{reason="rate-limited"\} 2$/m);
  const lines = s.server.logs.filter((l) => /rate cap/.test(String(l.msg)));
  t.equal(lines.length, 1, 'one warning, not one per refusal');
  t.match(lines[0], { level: 40, certificatesPerSecond: 1 });

  s.advance(1_000);
  t.match(await handshake(s, 'c.wild.example.test'), { ok: true, authorized: true }, 'a second later: one more token');
  t.match(await metrics(s), /^stopzone_stop_page_certificates_minted_total 3$/m);
});

t.test('a name sent to the stop page by a CNAME in its answer gets a leaf once DNS has answered it', async (t) => {
  const s = await setup(t);
  t.match(await handshake(s, 'alias.example.test'), { ok: false, error: refused }, 'before any query: the name alone is not blocked');
  const reply = await askUdp(s.server.target, 'alias.example.test');
  t.match(reply.packet.answers, [{ type: 'CNAME', data: 'chained.example.test' }, { type: 'A', name: 'chained.example.test', data: '127.0.0.1' }], 'DNS sends it to the stop page');
  t.match(await handshake(s, 'alias.example.test'), { ok: true, authorized: true, san: 'DNS:alias.example.test' });
  t.match(await metrics(s), /^stopzone_stop_page_https_refused_total\{reason="not-blocked"\} 1$/m);

  // The page names the rule too (it used to say "not blocked here"), with the block-log line's reference code.
  const listen = s.server.server.stopPage.http[0]!;
  const page = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpGet({ host: '127.0.0.1', port: Number(listen.slice(listen.lastIndexOf(':') + 1)), headers: { host: 'alias.example.test' }, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: response.statusCode!, body }));
    });
    request.on('error', reject);
  });
  t.equal(page.status, 403);
  const event = s.server.blockEvents.find((e) => e.qname === 'alias.example.test');
  t.match(event, { action: 'stop-page', zone: 'stop.rpz', rule: 'chained.example.test.stop.rpz' });
  t.match(page.body, `<dd class="ref">${String(event?.ref)}</dd>`);
});
