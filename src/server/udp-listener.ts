import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { PacketHandler } from './handle-packet.js';
import { InFlight } from '../runtime/in-flight.js';
import type { UdpGate } from './rate-limit/rate-limiter.js';
import { literalAddress } from '../runtime/literal-address.js';

const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** A bound UDP socket answering DNS. */
export interface UdpListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Binds UDP on address:port and answers each datagram through `handle`, once
 * `gate` (the rate limiter) lets it through: a datagram it stops is dropped,
 * or answered with the bytes it gives, before anything else is spent on it.
 * With `reusePort`, other loops bind the same address and port (SO_REUSEPORT)
 * and the kernel spreads datagrams over them by source address and port.
 */
export async function listenUdp(address: string, port: number, handle: PacketHandler, log: Logger, gate?: UdpGate, reusePort = false): Promise<UdpListener> {
  const socket = dgram.createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', ipv6Only: isIPv6(address), lookup: literalAddress, reusePort });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // Bursts of queries must not overflow the kernel's buffer while a GC pause runs;
  // the kernel caps this at net.core.rmem_max.
  socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
  const bound = socket.address();
  const listener = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  // Without a send callback, a failed send (a client's ICMP error, a full buffer) arrives here: per packet, so debug.
  socket.on('error', (error) => log.isLevelEnabled('debug') && log.debug({ listener, err: error.message }, 'UDP socket error'));
  const inFlight = new InFlight();
  let open = true;
  const onMessage = (raw: Buffer, rinfo: dgram.RemoteInfo): void => {
    // No reply can go to port 0 (dgram's send throws on it, and here that would end the process): a datagram from
    // it is forged, and is dropped before anything is spent on it.
    if (rinfo.port === 0) {
      if (log.isLevelEnabled('debug')) log.debug({ client: rinfo.address, transport: 'udp', reason: 'source port 0: forged, no reply can reach it' }, 'bad packet');
      return;
    }
    if (gate !== undefined) {
      const verdict = gate.check(raw, rinfo.address);
      if (verdict !== 'pass') {
        if (verdict !== 'drop') socket.send(verdict, rinfo.port, rinfo.address);
        return;
      }
    }
    inFlight.track(handle(raw, { client: { address: rinfo.address, port: rinfo.port }, transport: 'udp', listener }), (reply) => {
      if (reply !== null && open) socket.send(reply, rinfo.port, rinfo.address);
    });
  };
  socket.on('message', onMessage);
  return {
    address: bound.address,
    port: bound.port,
    // Stop reading, answer what was already received, then close.
    close: async () => {
      socket.off('message', onMessage);
      await inFlight.drained();
      open = false;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
