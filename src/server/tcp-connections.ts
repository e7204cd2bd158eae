import { isIPv4 } from 'node:net';
import { performance } from 'node:perf_hooks';
import { unmapIPv4 } from '../dns/ipv4-mapped.js';
import type { Config } from '../config/schema.js';
import { expandIPv6 } from '../observe/client-privacy.js';
import { TCP_CLOSE_REASONS, type TcpCloseReason, type TcpStats } from '../model/tcp-stats.js';
import type { TcpConnection } from './tcp-connection.js';

/** The TCP limits, from the `listen` config (docs/configuration.md says what each means). */
export interface TcpLimits {
  readonly idleTimeoutMs: number;
  readonly messageTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
  readonly maxQueuedBytes: number;
  readonly maxQueuedBytesTotal: number;
}

/**
 * The TcpLimits a `listen` config section sets, for one of `loops` answering loops: each holds its share of
 * the limits on connections and bytes in all (rounded up), so that the loops together stay within them (the
 * kernel spreads connections over the loops by address and port).
 */
export function tcpLimits(listen: Config['listen'], loops = 1): TcpLimits {
  const share = (limit: number): number => Math.ceil(limit / loops);
  return {
    idleTimeoutMs: listen.tcpIdleTimeoutMs,
    messageTimeoutMs: listen.tcpMessageTimeoutMs,
    writeTimeoutMs: listen.tcpWriteTimeoutMs,
    maxConnections: share(listen.tcpMaxConnections),
    maxConnectionsPerClient: share(listen.tcpMaxConnectionsPerClient),
    maxQueuedBytes: listen.tcpMaxQueuedBytes,
    maxQueuedBytesTotal: share(listen.tcpMaxQueuedBytesTotal),
  };
}

/**
 * Every TCP connection of every DNS listener, and the limits they share: how
 * many connections in all and per client, the answer bytes they may have
 * waiting in all, and the deadlines each must meet (checked by one sweep,
 * as Node's HTTP server checks its own, a fifth of the shortest timeout apart).
 */
export class TcpConnections {
  readonly limits: TcpLimits;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  readonly #all = new Set<TcpConnection>();
  readonly #byClient = new Map<string, Set<TcpConnection>>();
  readonly #closed = Object.fromEntries(TCP_CLOSE_REASONS.map((reason) => [reason, 0])) as Record<TcpCloseReason, number>;
  readonly #sweepMs: number;
  #sweeper: NodeJS.Timeout | null = null;
  #queued = 0;
  #peak = 0;

  constructor(limits: TcpLimits, now: () => number = () => performance.now()) {
    this.limits = limits;
    this.now = now;
    this.#sweepMs = Math.min(1000, Math.max(10, Math.floor(Math.min(limits.idleTimeoutMs, limits.messageTimeoutMs, limits.writeTimeoutMs) / 5)));
  }

  /**
   * Takes a new connection in, or closes it and returns false. At a cap, the
   * connection idle longest (no query in flight, no answer waiting) makes room
   * rather than the newcomer being refused: RFC 7766 section 6.2.3 lets a
   * server under load or attack cut idle timeouts to zero, and BIND does the same.
   */
  admit(connection: TcpConnection): boolean {
    const mine = this.#byClient.get(connection.client);
    if (mine !== undefined && mine.size >= this.limits.maxConnectionsPerClient && !evictIdlest(mine, 'per-client-evicted')) {
      connection.close('per-client-refused');
      return false;
    }
    if (this.#all.size >= this.limits.maxConnections && !evictIdlest(this.#all, 'max-connections-evicted')) {
      connection.close('max-connections-refused');
      return false;
    }
    this.#all.add(connection);
    if (mine === undefined) this.#byClient.set(connection.client, new Set([connection]));
    else mine.add(connection);
    this.#sweeper ??= setInterval(() => this.#sweep(), this.#sweepMs).unref();
    return true;
  }

  /**
   * Reserves room for `bytes` of answer on `connection`. Past the total, the
   * connection with the most bytes waiting is closed (it is the one whose
   * client reads least; its memory comes back at once), until the answer
   * fits; false when that was `connection` itself, whose answer is then dropped.
   */
  reserve(connection: TcpConnection, bytes: number): boolean {
    while (this.#queued + bytes > this.limits.maxQueuedBytesTotal) {
      let worst = connection;
      for (const other of this.#all) if (other.queued > worst.queued) worst = other;
      worst.close('queued-bytes-total');
      if (worst === connection) return false;
    }
    this.#queued += bytes;
    if (this.#queued > this.#peak) this.#peak = this.#queued;
    return true;
  }

  /** Answer bytes sent (or dropped with their connection). */
  release(bytes: number): void {
    this.#queued -= bytes;
  }

  /** Counts a close by the server. */
  count(reason: TcpCloseReason): void {
    this.#closed[reason]++;
  }

  /** Drops a closed connection and the answer bytes it still held. */
  forget(connection: TcpConnection): void {
    if (!this.#all.delete(connection)) return;
    this.#queued -= connection.queued;
    const mine = this.#byClient.get(connection.client);
    mine?.delete(connection);
    if (mine?.size === 0) this.#byClient.delete(connection.client);
    if (this.#all.size === 0 && this.#sweeper !== null) {
      clearInterval(this.#sweeper);
      this.#sweeper = null;
    }
  }

  stats(): TcpStats {
    return { open: this.#all.size, queuedBytes: this.#queued, queuedBytesPeak: this.#peak, closed: { ...this.#closed } };
  }

  #sweep(): void {
    const now = this.now();
    for (const connection of this.#all) {
      const reason = connection.expired(now, this.limits);
      if (reason !== null) connection.close(reason);
    }
  }
}

/** Closes the connection of `among` idle longest; false when every one has a query in flight or an answer waiting. */
function evictIdlest(among: ReadonlySet<TcpConnection>, reason: TcpCloseReason): boolean {
  let idlest: TcpConnection | null = null;
  for (const connection of among) {
    if (connection.inFlight === 0 && connection.queued === 0 && (idlest === null || connection.lastActiveAt < idlest.lastActiveAt)) idlest = connection;
  }
  idlest?.close(reason);
  return idlest !== null;
}

/**
 * The unit the per-client cap counts: an IPv4 address, or an IPv6 /64 (one
 * network; a host can take any address in it, as a NAT-ed network shares one IPv4 address).
 */
export function clientKey(address: string): string {
  const v4 = unmapIPv4(address);
  if (isIPv4(v4)) return v4;
  const groups = expandIPv6(address);
  return groups === null ? address : groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':');
}
