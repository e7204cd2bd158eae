import net from 'node:net';
import type { Logger } from 'pino';
import type { RepeatedLines } from '../observe/repeated-lines.js';
import type { PacketHandler } from './handle-packet.js';
import { InFlight } from './in-flight.js';

/** A bound TCP server answering DNS (RFC 7766). */
export interface TcpListener {
  readonly address: string;
  readonly port: number;
  readonly connections: () => number;
  close(): Promise<void>;
}

export interface TcpOptions {
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
}

/** Queries one connection may have in flight before we stop reading from it. */
const MAX_IN_FLIGHT = 64;

/**
 * Binds TCP on address:port. Messages are 2-byte length framed; a connection
 * may carry many queries, pipelined, answered as each completes (RFC 7766
 * section 6.2.1.1 allows any order). Idle connections are closed.
 */
export async function listenTcp(address: string, port: number, options: TcpOptions, handle: PacketHandler, log: Logger, lines?: RepeatedLines): Promise<TcpListener> {
  const sockets = new Set<net.Socket>();
  const inFlight = new InFlight();
  const server = net.createServer({ allowHalfOpen: false }, (socket) => serveConnection(socket));
  server.maxConnections = options.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: address, ipv6Only: net.isIPv6(address) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  const listener = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  // Accept errors (EMFILE when out of descriptors) come once per connection attempt: one line a minute, then a count.
  server.on('error', (error) => {
    if (lines === undefined || lines.admit('TCP server error', 'warn')) log.warn({ listener, err: error.message }, 'TCP server error');
  });

  function serveConnection(socket: net.Socket): void {
    sockets.add(socket);
    const client = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    let pending = Buffer.alloc(0);
    let pendingHere = 0;
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs, () => socket.destroy());
    socket.on('error', (error) => {
      if (log.isLevelEnabled('debug')) log.debug({ listener, client: client.address, err: error.message }, 'TCP connection error');
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const raw = Buffer.from(pending.subarray(2, 2 + length));
        pending = pending.subarray(2 + length);
        pendingHere++;
        if (pendingHere >= MAX_IN_FLIGHT) socket.pause();
        void inFlight.track(handle(raw, { client, transport: 'tcp', listener })).then((reply) => {
          pendingHere--;
          if (socket.isPaused() && pendingHere < MAX_IN_FLIGHT) socket.resume();
          if (reply === null || socket.destroyed) return;
          const framed = Buffer.allocUnsafe(reply.length + 2);
          framed.writeUInt16BE(reply.length, 0);
          reply.copy(framed, 2);
          socket.write(framed);
        });
      }
    });
  }

  return {
    address: bound.address,
    port: bound.port,
    connections: () => sockets.size,
    // Stop accepting and reading, answer what was already received, then close.
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.pause();
      await inFlight.drained();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
