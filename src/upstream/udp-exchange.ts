import dgram from 'node:dgram';
import type { AnswerHeader, UpstreamQuery } from './upstream-query.js';
import { checkAnswer } from './upstream-query.js';
import type { UpstreamAddress } from './upstream-address.js';
import { bounded, type ExchangeLimits } from './bounded.js';

/** A matching answer and what its header says. */
export interface Exchanged extends AnswerHeader {
  readonly message: Buffer;
}

/** True when a datagram came from the upstream's own address and port. */
export function fromUpstream(rinfo: { address: string; port: number }, target: UpstreamAddress): boolean {
  return rinfo.port === target.port && rinfo.address === target.host;
}

/**
 * Sends `query` over UDP from a fresh socket and resolves with the first
 * datagram that is its answer; anything else (another source, wrong ID or
 * question, garbage) is ignored until the timeout. The socket binds port 0:
 * Linux then picks a random ephemeral source port per socket, which is the
 * source-port randomisation RFC 5452 section 9.2 asks for. It is connect()ed,
 * so the kernel drops datagrams from anyone else; the source is checked again
 * all the same.
 */
export function udpExchange(target: UpstreamAddress, query: UpstreamQuery, limits: ExchangeLimits): Promise<Exchanged> {
  return bounded<Exchanged>(limits, (settle) => {
    const socket = dgram.createSocket({ type: target.family === 6 ? 'udp6' : 'udp4' });
    socket.on('error', (error) => settle.reject(new Error(`UDP: ${error.message}`)));
    socket.on('message', (message, rinfo) => {
      if (!fromUpstream(rinfo, target)) return;
      const header = checkAnswer(message, query);
      if (header !== null) settle.resolve({ ...header, message });
    });
    // The exchange may end (timeout, close()) between these steps: a closed socket must not be used.
    let open = true;
    socket.bind(0, () => {
      if (!open) return;
      socket.connect(target.port, target.host, () => {
        if (!open) return;
        socket.send(query.bytes, (error) => {
          if (error) settle.reject(new Error(`UDP send: ${error.message}`));
        });
      });
    });
    return () => {
      open = false;
      socket.removeAllListeners('message');
      // Errors after the end (e.g. a late ICMP unreachable) must not be unhandled.
      socket.on('error', () => {});
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    };
  });
}
