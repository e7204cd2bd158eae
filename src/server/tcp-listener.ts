import net from 'node:net';
import type { Logger } from 'pino';
import type { RepeatedLines } from '../observe/repeated-lines.js';
import type { PacketHandler } from './handle-packet.js';
import { InFlight } from '../runtime/in-flight.js';
import { TcpConnection } from './tcp-connection.js';
import type { TcpConnections } from './tcp-connections.js';

/** A bound TCP server answering DNS (RFC 7766). */
export interface TcpListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Binds TCP on address:port. Each connection is a TcpConnection, admitted
 * and held to its limits by `connections`, which every listener of the loop
 * shares. With `reusePort`, other loops listen on the same address and port
 * (SO_REUSEPORT) and the kernel spreads new connections over them.
 */
export async function listenTcp(address: string, port: number, connections: TcpConnections, handle: PacketHandler, log: Logger, lines?: RepeatedLines, reusePort = false): Promise<TcpListener> {
  const mine = new Map<net.Socket, TcpConnection>();
  const inFlight = new InFlight();
  // Half-open allowed: a client may shut down its sending side after its queries and still read the answers.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => serveConnection(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: address, ipv6Only: net.isIPv6(address), reusePort }, () => {
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
    const client = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.on('error', (error) => {
      if (log.isLevelEnabled('debug')) log.debug({ listener, client: client.address, err: error.message }, 'TCP connection error');
    });
    const connection = new TcpConnection(socket, connections, handle, { client, transport: 'tcp', listener }, inFlight);
    if (!connections.admit(connection)) return;
    mine.set(socket, connection);
    socket.on('close', () => mine.delete(socket));
    connection.start();
  }

  return {
    address: bound.address,
    port: bound.port,
    // Stop accepting and reading, answer what was already received, then close.
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of mine.values()) connection.stopReading();
      await inFlight.drained();
      for (const socket of mine.keys()) socket.destroy();
      await closed;
    },
  };
}
