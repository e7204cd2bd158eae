import net from 'node:net';
import { bounded, type ExchangeLimits } from './bounded.js';
import { FrameReader, frame } from './tcp-frames.js';
import type { UpstreamAddress } from './upstream-address.js';
import { checkAnswer, type UpstreamQuery } from './upstream-query.js';
import { settleAnswer, type Exchanged } from './udp-exchange.js';

/**
 * Sends `query` over a fresh TCP connection and resolves with the first framed
 * message that is its answer (or rejects when it is broken); other messages
 * are ignored, as over UDP. The connection is closed when the exchange ends,
 * however it ends.
 */
export function tcpExchange(target: UpstreamAddress, query: UpstreamQuery, limits: ExchangeLimits): Promise<Exchanged> {
  return bounded<Exchanged>(limits, (settle) => {
    const reader = new FrameReader();
    const socket = net.connect({ host: target.host, port: target.port, family: target.family, noDelay: true });
    socket.on('connect', () => socket.write(frame(query.bytes)));
    socket.on('data', (chunk: Buffer) => {
      for (const message of reader.push(chunk)) {
        const header = checkAnswer(message, query, 'tcp');
        if (header !== null) {
          settleAnswer(settle, header, message, 'tcp');
          return;
        }
      }
    });
    socket.on('error', (error) => settle.reject(new Error(`TCP: ${error.message}`)));
    socket.on('close', () => settle.reject(new Error('TCP: connection closed before an answer')));
    return () => {
      socket.removeAllListeners('data');
      socket.on('error', () => {});
      const closed = socket.closed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.destroy();
      return closed;
    };
  });
}
