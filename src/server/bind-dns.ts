import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { PacketHandler } from './handle-packet.js';
import type { TcpConnections } from './tcp-connections.js';
import type { RepeatedLines } from '../observe/repeated-lines.js';
import type { UdpGate } from './rate-limit/rate-limiter.js';
import { listenTcp } from './tcp-listener.js';
import { listenUdp } from './udp-listener.js';

/** The DNS listeners: where they are bound, and how to close them (answering what they already received). */
export interface DnsListeners {
  readonly endpoints: ReadonlyArray<{ address: string; port: number }>;
  close(): Promise<void>;
}

/**
 * Binds UDP and TCP on one port for every listen address. With port 0, the
 * first address picks a free port and the others use it; the kernel may pick
 * a UDP port that TCP already uses (a client connection's ephemeral port),
 * and then another is tried. Every TCP listener shares `tcpConnections`, so
 * the TCP limits count connections and bytes across all addresses.
 * `guards.gate` checks each UDP datagram first (the rate limiter);
 * `guards.lines` keeps per-connection errors from flooding the log;
 * `guards.reusePort` lets other loops bind the same port (worker threads).
 */
export async function bindDns(listen: Config['listen'], tcpConnections: TcpConnections, handle: PacketHandler, log: Logger, guards: { gate?: UdpGate; lines?: RepeatedLines; reusePort?: boolean } = {}): Promise<DnsListeners> {
  const closers: Array<() => Promise<void>> = [];
  const endpoints: Array<{ address: string; port: number }> = [];
  const close = async (): Promise<void> => {
    await Promise.all(closers.map((closeOne) => closeOne()));
  };
  try {
    let port = listen.port;
    for (const address of listen.addresses) {
      for (let attempt = 1; ; attempt++) {
        const udp = await listenUdp(address, port, handle, log, guards.gate, guards.reusePort);
        try {
          const tcp = await listenTcp(address, udp.port, tcpConnections, handle, log, guards.lines, guards.reusePort);
          closers.push(udp.close, tcp.close);
          port = udp.port;
          endpoints.push({ address: udp.address, port });
          break;
        } catch (error) {
          await udp.close();
          if (port !== 0 || attempt >= 10 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
        }
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoints, close };
}
