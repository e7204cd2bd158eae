import net from 'node:net';
import type { Endpoint } from '../config/address.js';
import { bounded, type ExchangeLimits, type Settle } from '../runtime/bounded.js';
import { MessageFramer, frame } from './tcp-framing.js';

/** How a TCP exchange failed, besides cancellation or a handler's throw. */
export type TcpFailure =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly message: string }
  /** The peer closed the connection before the exchange was over. */
  | { readonly kind: 'closed' }
  /** More than maxBytes arrived. */
  | { readonly kind: 'too-large' };

/** Limits and wording of one TCP exchange. */
export interface TcpExchangeOptions extends Omit<ExchangeLimits, 'timeoutError'> {
  /** Bytes received at most, length prefixes included. */
  readonly maxBytes: number;
  /** The error the exchange rejects with on a failure, given what had arrived (bytes, whole messages). */
  readonly failure: (failure: TcpFailure, received: number, messages: number) => Error;
}

/** Reads one response message (`index` from 0, `received` bytes so far); ends the exchange through `settle`, or throws to abort it. */
export type OnTcpMessage<T> = (message: Buffer, index: number, settle: Settle<T>, received: number) => void;

/**
 * One DNS exchange over a fresh TCP connection (RFC 1035 section 4.2.2, RFC
 * 7766): sends `query` with its 2-byte length and hands each response
 * message to `onMessage`, in order, until it settles the exchange. Ends
 * within timeoutMs (connecting included) or when the signal aborts; rejects
 * past maxBytes and when the peer closes first. The connection is closed
 * when the exchange ends, however it ends. The one TCP client: upstream
 * queries and zone transfers both go through it.
 */
export function tcpExchange<T>(target: Endpoint, query: Buffer, options: TcpExchangeOptions, onMessage: OnTcpMessage<T>): Promise<T> {
  let received = 0;
  let index = 0;
  const limits = { ...options, timeoutError: () => options.failure({ kind: 'timeout' }, received, index) };
  return bounded<T>(limits, (settle) => {
    const framer = new MessageFramer();
    let done = false;
    const end: Settle<T> = {
      resolve: (value) => {
        done = true;
        settle.resolve(value);
      },
      reject: (error) => {
        done = true;
        settle.reject(error);
      },
    };
    const socket = net.connect({ host: target.host, port: target.port, family: target.family, noDelay: true });
    socket.on('connect', () => socket.write(frame(query)));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > options.maxBytes) return end.reject(options.failure({ kind: 'too-large' }, received, index));
      framer.push(chunk);
      for (let message = framer.next(); message !== null && !done; message = framer.next()) {
        try {
          onMessage(message, index++, end, received);
        } catch (error) {
          end.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    });
    socket.on('error', (error) => end.reject(options.failure({ kind: 'error', message: error.message }, received, index)));
    socket.on('close', () => end.reject(options.failure({ kind: 'closed' }, received, index)));
    return () => {
      done = true;
      socket.removeAllListeners('data');
      socket.on('error', () => {});
      const closed = socket.closed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.destroy();
      return closed;
    };
  });
}
