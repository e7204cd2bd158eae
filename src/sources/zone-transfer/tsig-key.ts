import { nameWire } from '../../dns/name-text.js';

/** A TSIG key as configured: its name, algorithm and base64 secret (RFC 8945 section 4). */
export interface TsigKey {
  /** "transfer-key" or "transfer-key."; compared without regard to case. */
  readonly name: string;
  /** hmac-sha256, hmac-sha512 or hmac-sha1 (with or without the trailing dot). */
  readonly algorithm: string;
  /** The shared secret, base64. */
  readonly secret: string;
}

/** A key checked and decoded once: what signing and verifying use. */
export interface PreparedKey {
  /** Lower-case, no trailing dot. */
  readonly name: string;
  /** The key name in canonical wire form (lower case, uncompressed). */
  readonly nameWire: Buffer;
  /** "hmac-sha256." etc. */
  readonly algorithm: string;
  readonly algorithmWire: Buffer;
  /** node:crypto's digest name. */
  readonly hash: 'sha256' | 'sha512' | 'sha1';
  /** Bytes in a full MAC. */
  readonly macLength: number;
  readonly secret: Buffer;
}

const ALGORITHMS: Record<string, { hash: PreparedKey['hash']; macLength: number }> = {
  'hmac-sha256': { hash: 'sha256', macLength: 32 },
  'hmac-sha512': { hash: 'sha512', macLength: 64 },
  'hmac-sha1': { hash: 'sha1', macLength: 20 },
};

const prepared = new WeakMap<TsigKey, PreparedKey>();

/** Checks and decodes a key; throws naming what was found and what was expected. */
export function prepareKey(key: TsigKey): PreparedKey {
  const cached = prepared.get(key);
  if (cached !== undefined) return cached;
  const name = key.name.toLowerCase().replace(/\.$/, '');
  if (name === '' || !/^[a-z0-9_.-]+$/.test(name) || name.includes('..')) {
    throw new Error(`TSIG: key name "${key.name}" is not a domain name (letters, digits, "-", "_" and dots)`);
  }
  const algorithm = key.algorithm.toLowerCase().replace(/\.$/, '');
  const spec = ALGORITHMS[algorithm];
  if (spec === undefined) {
    throw new Error(`TSIG: key ${name} has algorithm "${key.algorithm}"; expected one of ${Object.keys(ALGORITHMS).join(', ')}`);
  }
  const secret = Buffer.from(key.secret, 'base64');
  if (secret.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(key.secret.trim())) {
    throw new Error(`TSIG: the secret of key ${name} is not base64 (as tsig-keygen prints it)`);
  }
  const result: PreparedKey = {
    name,
    nameWire: nameWire(name),
    algorithm: `${algorithm}.`,
    algorithmWire: nameWire(algorithm),
    hash: spec.hash,
    macLength: spec.macLength,
    secret,
  };
  prepared.set(key, result);
  return result;
}
