import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Who may do what: `read` looks, `admin` also changes the policy. */
export type Role = 'read' | 'admin';

/** A configured API token (admin.tokens). */
export interface TokenConfig {
  readonly name: string;
  readonly hash: string;
  readonly role: Role;
}

/** The config form of a token's hash. Tokens carry 256 random bits, so a plain SHA-256 of them needs no salt or stretching. */
export function tokenHash(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** A new token: 32 random bytes, base64url, with a prefix that says what it is when found in a script or a leak scanner. */
export function newToken(): string {
  return `stopzone_${randomBytes(32).toString('base64url')}`;
}

/**
 * The configured tokens, looked up by the token a request presents. Every configured hash is compared (in
 * constant time each), so the time taken says nothing about which one, if any, matched.
 */
export class ApiTokens {
  readonly #tokens: ReadonlyArray<{ readonly config: TokenConfig; readonly digest: Buffer }>;

  constructor(tokens: readonly TokenConfig[]) {
    this.#tokens = tokens.map((config) => ({ config, digest: Buffer.from(config.hash.slice('sha256:'.length), 'hex') }));
  }

  /** The token's name and role, or null when no configured token matches. */
  find(presented: string): TokenConfig | null {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: TokenConfig | null = null;
    for (const { config, digest: want } of this.#tokens) if (timingSafeEqual(digest, want)) found = config;
    return found;
  }
}
