import type { Server, Socket } from 'node:net';
import { readClientHello } from './client-hello.js';

/**
 * A TLS alert record, fatal unrecognized_name (RFC 8446 section 6.2, alert 112),
 * sent in TLS 1.2 record framing, which every TLS 1.2 and 1.3 client reads.
 * Chromium shows ERR_SSL_UNRECOGNIZED_NAME_ALERT at once, Firefox
 * SSL_ERROR_UNRECOGNIZED_NAME_ALERT: no certificate warning to click through,
 * no wait.
 */
const UNRECOGNIZED_NAME = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70]);

/** Why the HTTPS port refused a connection (the reason label of stopzone_stop_page_https_refused_total). */
export const REFUSALS = ['no-ca', 'not-tls', 'malformed', 'no-sni', 'address', 'invalid-name', 'not-blocked', 'rate-limited', 'mint-failed'] as const;
export type Refusal = (typeof REFUSALS)[number];

/** Refusals so far, by reason: plain fields, read when /metrics is scraped. */
export type RefusalCounts = Record<Refusal, number>;

/** A fresh count with every reason at 0. */
export function refusalCounts(): RefusalCounts {
  return Object.fromEntries(REFUSALS.map((reason) => [reason, 0])) as RefusalCounts;
}

/** Decides on a whole ClientHello from its SNI host_name and the peer address: go on with TLS, or the reason to refuse. */
export type HelloDecision = (serverName: string | null, client: string) => Refusal | null | Promise<Refusal | null>;

export interface GateOptions {
  /** Absent (no CA): every ClientHello is refused at its first byte. */
  readonly decide?: HelloDecision;
  readonly refused: RefusalCounts;
  /** A connection that has not sent its whole ClientHello by then is closed. */
  readonly idleMs?: number;
}

/**
 * Puts a gate in front of `server`'s own connection handling (for an
 * https.Server, its TLS handshake): the first bytes of each connection are
 * read up to the end of the ClientHello, before any TLS work, and
 * `decide` says whether the connection goes on. A refused ClientHello gets
 * the alert above and the connection is closed; anything that is not TLS is
 * closed. A plain net.Server has no handling of its own: the gate answers
 * every connection (HTTPS without a CA). Nothing to hang on: every path ends
 * the connection or hands it over, and a silent one is closed after `idleMs`.
 * `closeAllConnections()` then also closes connections still at the gate.
 */
export function gateConnections<S extends Server>(server: S, options: GateOptions): S & { closeAllConnections(): void } {
  const { decide, refused } = options;
  const own = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  const open = new Set<Socket>();

  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    const idle = () => socket.destroy();
    socket.setTimeout(options.idleMs ?? 5_000);
    socket.on('timeout', idle);
    socket.on('error', () => socket.destroy());
    const refuse = (reason: Refusal) => {
      refused[reason] += 1;
      socket.resume();
      if (reason === 'not-tls') socket.end();
      else socket.end(UNRECOGNIZED_NAME);
      socket.setTimeout(1_000);
    };
    let bytes: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      bytes = bytes.length === 0 ? chunk : Buffer.concat([bytes, chunk]);
      const hello = decide === undefined ? null : readClientHello(bytes);
      if (hello?.state === 'partial') return;
      socket.off('data', onData);
      socket.pause();
      // 0x16: a TLS handshake record; anything else (plain HTTP on this port) is closed without an alert.
      if (hello === null) return refuse(bytes[0] === 0x16 ? 'no-ca' : 'not-tls');
      if (hello.state === 'refuse') return refuse(hello.why);
      const handOver = (reason: Refusal | null) => {
        if (socket.destroyed) return;
        if (reason !== null) return refuse(reason);
        socket.setTimeout(0);
        socket.off('timeout', idle);
        socket.unshift(bytes);
        for (const listener of own) listener.call(server, socket);
      };
      const decision = decide!(hello.serverName, socket.remoteAddress ?? '');
      if (decision instanceof Promise) decision.then(handOver, () => handOver('mint-failed'));
      else handOver(decision);
    };
    socket.on('data', onData);
  });

  const closeOwn = (server as Partial<{ closeAllConnections(): void }>).closeAllConnections?.bind(server);
  return Object.assign(server, {
    closeAllConnections() {
      closeOwn?.();
      for (const socket of open) socket.destroy();
    },
  });
}
