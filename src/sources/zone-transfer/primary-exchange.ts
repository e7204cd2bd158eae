import type { Endpoint } from '../../config/address.js';
import { tcpExchange, type TcpFailure } from '../../dns/tcp-exchange.js';

/** Where and within what limits one exchange with a primary runs. */
export interface ExchangeLimits {
  readonly primary: Endpoint;
  /** For the whole exchange, connecting included (the zone's transfer.timeoutSeconds, which errors name). */
  readonly timeoutMs: number;
  /** Bytes received, length prefixes included (the zone's transfer.maxBytes, which errors name). */
  readonly maxBytes: number;
  /** "the transfer of rpz.example": for messages. */
  readonly what: string;
}

/** Handles one response message: true when it was the last one. Throws to abort the exchange. */
export type OnMessage = (message: Buffer, index: number) => boolean;

/**
 * Sends `query` to the primary over TCP (dns/tcp-exchange.ts) and hands each
 * response message to `onMessage` until it says the exchange is over.
 * Rejects on timeout, on more than maxBytes, and when the primary closes the
 * connection early, saying so in the admin's words. Resolves to the bytes received.
 */
export function exchangeWithPrimary(query: Buffer, limits: ExchangeLimits, onMessage: OnMessage): Promise<number> {
  const { what, primary } = limits;
  const failure = (failure: TcpFailure, received: number, messages: number): Error => {
    switch (failure.kind) {
      case 'timeout':
        return new Error(`${what} from ${primary.label} took longer than ${limits.timeoutMs / 1000} s (transfer.timeoutSeconds; ${received} bytes in ${messages} messages so far)`);
      case 'too-large':
        return new Error(`${what} from ${primary.label} is larger than transfer.maxBytes (${limits.maxBytes} bytes); raise the limit if the zone is expected to be this large`);
      case 'error':
        return new Error(`${what} from ${primary.label} failed: ${failure.message}`);
      case 'closed':
        return new Error(`${what} from ${primary.label}: the primary closed the connection after ${messages} messages, before the end`);
    }
  };
  return tcpExchange<number>(primary, query, { timeoutMs: limits.timeoutMs, maxBytes: limits.maxBytes, failure }, (message, index, settle, received) => {
    if (onMessage(message, index)) settle.resolve(received);
  });
}
