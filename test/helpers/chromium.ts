import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { skipWhenMissing } from './missing-tool.js';
import { assertLoopback } from './loopback-guard.js';
import * as x509 from '@peculiar/x509';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags that keep Chromium off the network: no background fetches, no
 * component or safe-browsing updates, no sync, no QUIC. With them, the only
 * connections are the ones a test navigates to (on loopback: see hostRules).
 */
export const SAFE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--no-pings',
  '--dns-prefetch-disable',
] as const;

/** Whether the test may use Chromium; without it, a reason to skip (under CI a missing Chromium is a failure). */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  return skipWhenMissing(true, `${CHROMIUM} is missing: apt-get install chromium to run the browser tests`) || null;
}

export interface SafeBrowser {
  readonly context: BrowserContext;
  /** The command line of the browser process, as the kernel saw it (/proc), to check the flags. */
  readonly commandLine: string[];
  readonly userDataDir: string;
  close(): Promise<void>;
}

/**
 * Launches Chromium headless with SAFE_FLAGS, a fresh empty profile, and
 * `hosts` resolved to 127.0.0.1 while every other name fails to resolve
 * (--host-resolver-rules), plus `extraArgs` (e.g. --ignore-certificate-errors-spki-list).
 */
export async function launchChromium(options: { hosts: readonly string[]; address?: string; extraArgs?: readonly string[]; viewport?: { width: number; height: number } }): Promise<SafeBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'stopzone-chromium-'));
  const address = options.address ?? '127.0.0.1';
  assertLoopback(address);
  const rules = [...options.hosts.map((h) => `MAP ${h} ${address}`), 'MAP * ~NOTFOUND', `EXCLUDE ${address}`].join(', ');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...SAFE_FLAGS, `--host-resolver-rules=${rules}`, ...(options.extraArgs ?? [])],
    viewport: options.viewport ?? { width: 390, height: 844 },
    timeout: 30_000,
  });
  const commandLine = browserCommandLine(userDataDir);
  return {
    context,
    commandLine,
    userDataDir,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The argv of the Chromium browser process started with `--user-data-dir=userDataDir` (the one without --type=, i.e. not a renderer). */
function browserCommandLine(userDataDir: string): string[] {
  for (const pid of readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    } catch {
      continue;
    }
    // Not the crashpad handler either: it names a directory inside the profile (--database=...) but has no --user-data-dir.
    if (argv.includes(`--user-data-dir=${userDataDir}`) && !argv.some((a) => a.startsWith('--type='))) return argv;
  }
  throw new Error(`no Chromium process found with ${userDataDir}`);
}

/** A throwaway CA for a test: PEM files in a fresh temp dir, and the SPKI hash Chromium is told to trust. */
export interface TestCa {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  /** base64 SHA-256 of the CA's SubjectPublicKeyInfo, for --ignore-certificate-errors-spki-list. */
  readonly spkiHash: string;
  readonly dir: string;
}

/** Makes a CA (EC P-256 or RSA 2048), valid from an hour ago for a week, basicConstraints CA:TRUE. */
export async function makeTestCa(kind: 'ec' | 'rsa' = 'ec', name = 'Stopzone test CA'): Promise<TestCa> {
  const algorithm = kind === 'ec' ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  x509.cryptoProvider.set(crypto);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys,
    signingAlgorithm: algorithm,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 7 * 86_400_000),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-test-ca-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const certPem = cert.toString('pem');
  const keyPem = x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  writeFileSync(join(dir, 'ca.pem'), certPem);
  writeFileSync(join(dir, 'ca.key'), keyPem, { mode: 0o600 });
  const spkiHash = createHash('sha256').update(Buffer.from(cert.publicKey.rawData)).digest('base64');
  return { certFile: join(dir, 'ca.pem'), keyFile: join(dir, 'ca.key'), certPem, spkiHash, dir };
}
