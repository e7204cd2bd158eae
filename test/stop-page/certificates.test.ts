import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createLeafMinter } from '../../src/stop-page/leaf-certificates.js';
import { loadOperatorCa } from '../../src/stop-page/operator-ca.js';
import { makeTestCa } from '../helpers/chromium.js';

const HOUR = 3_600_000;

for (const kind of ['ec', 'rsa'] as const) {
  t.test(`a leaf from a ${kind} CA: chain verifies, SAN is the name, one day valid, backdated an hour`, async (t) => {
    const ca = await makeTestCa(kind);
    const now = Date.now();
    const minter = await createLeafMinter(await loadOperatorCa(ca.certFile, ca.keyFile), { now: () => now });
    const leaf = await minter.mint('blocked.example.test');
    const cert = new X509Certificate(leaf.certPem);
    const caCert = new X509Certificate(ca.certPem);
    t.ok(cert.checkIssued(caCert), 'issued by the CA');
    t.ok(cert.verify(caCert.publicKey), 'signature verifies with the CA key');
    t.equal(cert.subjectAltName, 'DNS:blocked.example.test');
    t.equal(cert.checkHost('blocked.example.test'), 'blocked.example.test');
    t.equal(cert.checkHost('other.example.test'), undefined);
    t.notOk(cert.ca, 'not a CA');
    t.same(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth only');
    t.equal(Date.parse(cert.validFrom), Math.floor((now - HOUR) / 1000) * 1000);
    t.equal(Date.parse(cert.validTo), Math.floor((now + 24 * HOUR) / 1000) * 1000);
    t.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1', 'leaf key: ECDSA P-256');
    t.equal((await minter.mint('192.0.2.1').then((l) => new X509Certificate(l.certPem))).subjectAltName, 'IP Address:192.0.2.1');
    t.equal((await minter.mint('2001:db8::53').then((l) => new X509Certificate(l.certPem))).subjectAltName, 'IP Address:2001:DB8:0:0:0:0:0:53');
  });
}

t.test('the cache: one mint per name until half the validity has passed; mayMint is asked only to sign', async (t) => {
  const ca = await makeTestCa();
  let now = Date.now();
  const minter = await createLeafMinter(await loadOperatorCa(ca.certFile, ca.keyFile), { now: () => now });
  let asked = 0;
  const yes = () => (asked += 1) > 0;
  const first = await minter.context('a.example', yes);
  t.equal(await minter.context('a.example', yes), first, 'same context for the same name');
  t.not(await minter.context('b.example', yes), first, 'another name, another context');
  const [x, y] = await Promise.all([minter.context('c.example', yes), minter.context('c.example', yes)]);
  t.equal(x, y, 'concurrent handshakes share one mint');
  t.same([asked, minter.signed, minter.cached], [3, 3, 3], 'three names, three signatures');
  t.equal(minter.context('d.example', () => false), null, 'no leaf when mayMint says no');
  t.equal(minter.made('d.example'), undefined);
  t.equal(await minter.made('a.example'), first, 'made() finds what context() signed');
  now += 11 * HOUR;
  t.equal(await minter.context('a.example', yes), first, 'still cached after 11 hours');
  now += 2 * HOUR;
  t.equal(await minter.made('a.example'), first, 'made() still finds it when due for renewal (the gate renews before the handshake)');
  t.not(await minter.context('a.example', yes), first, 'renewed after 13 hours');
  t.same([asked, minter.signed], [4, 4]);
});

t.test('CA mistakes fail at start-up, naming the file', async (t) => {
  const ca = await makeTestCa();
  const other = await makeTestCa('ec', 'Other CA');
  await t.rejects(loadOperatorCa(ca.certFile, other.keyFile), { message: `${other.keyFile}: this key does not belong to the certificate in ${ca.certFile}` });
  await t.rejects(loadOperatorCa(join(ca.dir, 'missing.pem'), ca.keyFile), { message: /stopPage\.caCertFile ".*missing\.pem": cannot read it/ });
  writeFileSync(join(ca.dir, 'junk.pem'), 'not a certificate');
  await t.rejects(loadOperatorCa(join(ca.dir, 'junk.pem'), ca.keyFile), { message: /junk\.pem: not a PEM certificate/ });
  const leaf = await (await createLeafMinter(await loadOperatorCa(ca.certFile, ca.keyFile), { now: Date.now })).mint('x.example');
  writeFileSync(join(ca.dir, 'leaf.pem'), leaf.certPem);
  writeFileSync(join(ca.dir, 'leaf.key'), leaf.keyPem);
  await t.rejects(loadOperatorCa(join(ca.dir, 'leaf.pem'), join(ca.dir, 'leaf.key')), { message: /leaf\.pem: "CN=x\.example" is not a CA certificate/ });
});
