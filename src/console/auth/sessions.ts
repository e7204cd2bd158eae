import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Role } from './api-tokens.js';

/** One console login. */
export interface Session {
  readonly id: string;
  readonly role: Role;
  /** Who the audit log says made a change ("admin" for the password, "local" without one). */
  readonly who: string;
  /** Sent back in x-csrf-token with every change (a page of another site can send the cookie, never read this). */
  readonly csrf: string;
  readonly expires: number;
}

/** Logins kept at most; past it the least recently used one ends (a flood of logins cannot grow memory). */
const MAX_SESSIONS = 1000;

/**
 * The console's sessions, in memory (a restart logs everyone out): random 256-bit ids, each lasting
 * `minutes` from login whatever is done with it, the least recently used dropped past 1,000.
 */
export class Sessions {
  readonly #table: LRUCache<string, Session>;
  readonly #now: () => number;
  readonly #lifetimeMs: number;

  constructor(minutes: number, now: () => number = Date.now) {
    this.#now = now;
    this.#lifetimeMs = minutes * 60_000;
    this.#table = new LRUCache({ max: MAX_SESSIONS });
  }

  /** Starts a session. */
  open(role: Role, who: string): Session {
    const session: Session = { id: randomBytes(32).toString('base64url'), role, who, csrf: randomBytes(32).toString('base64url'), expires: this.#now() + this.#lifetimeMs };
    this.#table.set(session.id, session);
    return session;
  }

  /** The live session with this id, or null (unknown, ended or expired). */
  find(id: string | undefined): Session | null {
    if (id === undefined) return null;
    const session = this.#table.get(id);
    if (session === undefined) return null;
    if (this.#now() < session.expires) return session;
    this.#table.delete(id);
    return null;
  }

  /** Ends a session (logout). */
  close(id: string): void {
    this.#table.delete(id);
  }

  /** Seconds a new session lasts (the cookie's Max-Age). */
  get lifetimeSeconds(): number {
    return this.#lifetimeMs / 1000;
  }
}
