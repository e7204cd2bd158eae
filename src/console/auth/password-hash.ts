import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt's cost for new hashes: N = 2^15, r = 8, p = 3, one of the settings OWASP's password storage cheat
 * sheet gives as equal to its minimum (N = 2^17, r = 8, p = 1) while using a quarter of the memory (32 MiB),
 * which suits a small server; the login rate limit bounds how often anyone may make it work.
 */
const COST = { ln: 15, r: 8, p: 3 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** What one hash holds, parsed from its PHC string form `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64). */
interface ParsedHash {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function derive(password: string, salt: Buffer, length: number, cost: { ln: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** cost.ln, r: cost.r, p: cost.p, maxmem: 256 * 2 ** cost.ln * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error === null ? resolve(key) : reject(error))));
}

/** A new hash of `password` with a random salt, in the form config's admin.passwordHash takes; `cost` other than the default is for tests. */
export async function hashPassword(password: string, cost: { ln: number; r: number; p: number } = COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, cost);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
}

/** Parses a hash; null when it is not one this module writes (the config schema's pattern keeps others out). */
function parse(hash: string): ParsedHash | null {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)=*\$([A-Za-z0-9+/]+)=*$/.exec(hash);
  if (match === null) return null;
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Bounds so that a hash from the config can make one check cost at most 2^20 x 16 x 128 bytes (2 GiB is refused by maxmem before).
  if (ln < 10 || ln > 20 || r < 1 || r > 16 || p < 1 || p > 4) return null;
  return { ln, r, p, salt: Buffer.from(match[4]!, 'base64'), key: Buffer.from(match[5]!, 'base64') };
}

/** Whether `hash` is one verifyPassword can check (its cost within bounds). */
export function isPasswordHash(hash: string): boolean {
  return parse(hash) !== null;
}

/** Whether `password` is the one `hash` was made from; compared in constant time. False for a hash this module cannot read. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parse(hash);
  if (parsed === null) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed);
  return timingSafeEqual(key, parsed.key);
}
