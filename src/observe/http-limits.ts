import type { Server, ServerOptions } from 'node:http';

/** What one client may hold on an HTTP(S) listener of ours (the admin listener, the stop page). */
export interface HttpLimits {
  /** The request headers must arrive whole within this, a client sending a byte at a time included (slowloris). */
  readonly headersTimeoutMs: number;
  /** The whole request, body included, within this. */
  readonly requestTimeoutMs: number;
  /** A kept-alive connection with no new request is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections at most; past it a new one is closed at once (so no client can take every descriptor). */
  readonly maxConnections: number;
}

/**
 * Options for http.createServer / https.createServer that enforce the
 * timeouts: Node answers a late request 408 and closes the connection. It
 * checks every connectionsCheckingInterval, 30 s by default, which would
 * let a 10 s limit hold a connection for 40 s; here a quarter of the headers
 * timeout, at most 1 s.
 */
export function httpServerOptions(limits: HttpLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, Math.max(10, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** Sets the limits that are server properties rather than options: the connection cap and the header count. */
export function capConnections<S extends Server>(server: S, limits: HttpLimits): S {
  server.maxConnections = limits.maxConnections;
  server.maxHeadersCount = 100;
  return server;
}
