import { randomBytes } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
// @peculiar/x509 depends on tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { LRUCache } from 'lru-cache';
import type { OperatorCa } from './operator-ca.js';

/** Leaf certificates for the names browsers ask for (TLS SNI), signed by the operator's CA. */
export interface LeafMinter {
  /**
   * A TLS context whose certificate covers `name` (a lower-case host name or
   * IP address): the cached one, or a new leaf when `mayMint()` allows it (it
   * is asked only when a leaf must be signed); null when it does not.
   */
  context(name: string, mayMint: () => boolean): Promise<SecureContext> | null;
  /** The context made for `name`, even one due for renewal; never signs anything (the TLS server's SNI lookup). */
  made(name: string): Promise<SecureContext> | undefined;
  /** A fresh leaf and its key, PEM (what context() wraps). */
  mint(name: string): Promise<{ readonly certPem: string; readonly keyPem: string; readonly notAfter: number }>;
  /** Leaves signed so far, and names cached now (for /metrics). */
  readonly signed: number;
  readonly cached: number;
}

export interface LeafOptions {
  readonly now: () => number;
  /** How long a leaf is valid (default one day) and how far its start is set back for skewed clocks (one hour). */
  readonly validityMs?: number;
  readonly backdateMs?: number;
  /** Names kept at most (default 2000). */
  readonly cacheSize?: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * Mints short-lived leaves: one ECDSA P-256 key made at start and shared by
 * every leaf (the key never leaves the process, and minting is then one
 * signature), SAN = the name, serverAuth only. Cached per name in an LRU
 * (bounded in count) whose entries expire, so are signed again, once half the
 * validity has passed; concurrent handshakes for one name share one mint.
 */
export async function createLeafMinter(ca: OperatorCa, options: LeafOptions): Promise<LeafMinter> {
  const validity = options.validityMs ?? DAY;
  const backdate = options.backdateMs ?? HOUR;
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const keyDer = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = x509.PemConverter.encode(keyDer, 'PRIVATE KEY');
  const keyIdentifier = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const cache = new LRUCache<string, Promise<SecureContext>>({ max: options.cacheSize ?? 2000, ttl: validity / 2, ttlResolution: 0, perf: { now: options.now } });
  let signed = 0;

  async function mint(name: string) {
    signed += 1;
    const now = options.now();
    const notAfter = now + validity;
    const serial = randomBytes(16);
    serial[0] = serial[0]! & 0x7f;
    const ip = name.includes(':') || /^[0-9.]+$/.test(name);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial.toString('hex'),
      subject: name.length <= 64 ? [{ CN: [name] }] : [{ O: ['Stopzone stop page'] }],
      issuer: ca.cert.subjectName,
      notBefore: new Date(now - backdate),
      notAfter: new Date(notAfter),
      publicKey: keys.publicKey,
      signingKey: ca.signingKey,
      signingAlgorithm: ca.signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: ip ? 'ip' : 'dns', value: name }]),
        keyIdentifier,
        new x509.AuthorityKeyIdentifierExtension(ca.keyId),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem, notAfter };
  }

  return {
    mint,
    context(name, mayMint) {
      const cached = cache.get(name);
      if (cached !== undefined) return cached;
      if (!mayMint()) return null;
      const context = mint(name).then(({ certPem }) => createSecureContext({ cert: `${certPem}\n${ca.chainPem}`, key: keyPem, minVersion: 'TLSv1.2' }));
      cache.set(name, context);
      context.catch(() => {
        if (cache.peek(name, { allowStale: true }) === context) cache.delete(name);
      });
      return context;
    },
    made: (name) => cache.peek(name, { allowStale: true }),
    get signed() {
      return signed;
    },
    get cached() {
      return cache.size;
    },
  };
}
