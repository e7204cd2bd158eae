import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { PacketHandler } from './handle-packet.js';

/** A bound UDP socket answering DNS. */
export interface UdpListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Binds UDP on address:port and answers each datagram through `handle`. */
export async function listenUdp(address: string, port: number, handle: PacketHandler, log: Logger): Promise<UdpListener> {
  const socket = dgram.createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', ipv6Only: isIPv6(address) });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const bound = socket.address();
  const listener = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  socket.on('error', (error) => log.warn({ listener, err: error.message }, 'UDP socket error'));
  socket.on('message', (raw, rinfo) => {
    void handle(raw, { client: { address: rinfo.address, port: rinfo.port }, transport: 'udp', listener }).then((reply) => {
      if (reply !== null) socket.send(reply, rinfo.port, rinfo.address, sendFailed);
    });
  });
  function sendFailed(error: Error | null): void {
    if (error !== null && log.isLevelEnabled('debug')) log.debug({ listener, err: error.message }, 'UDP send failed');
  }
  return {
    address: bound.address,
    port: bound.port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
