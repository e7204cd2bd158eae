import type { Endpoint } from '../config/address.js';
import { tcpExchange, type TcpFailure } from '../dns/tcp-exchange.js';
import type { ExchangeLimits } from '../runtime/bounded.js';
import { MalformedAnswer } from './upstream-failure.js';
import { checkAnswer, type UpstreamQuery } from './upstream-query.js';

/** A matching, well-formed answer over TCP and its RCODE (TC means nothing here: there is no larger transport). */
export interface Exchanged {
  readonly rcode: number;
  readonly message: Buffer;
  /** Where the message's question section ends (it is the query's). */
  readonly questionEnd: number;
}

/** Bytes an upstream may send on one connection: its answer (at most 65,537 with the length) and a few stray messages. */
const MAX_BYTES = 4 * 65537;

/**
 * Asks `query` over a fresh TCP connection (dns/tcp-exchange.ts) and
 * resolves with the first message that is its answer, or rejects with a
 * MalformedAnswer when that answer is broken; other messages are ignored, as
 * over UDP. A timeout rejects with `limits.timeoutError` when given.
 */
export function askOverTcp(target: Endpoint, query: UpstreamQuery, limits: ExchangeLimits): Promise<Exchanged> {
  const failure = (failure: TcpFailure, received: number): Error => {
    if (failure.kind === 'timeout') return limits.timeoutError?.() ?? new Error(`no answer within ${limits.timeoutMs} ms`);
    if (failure.kind === 'error') return new Error(`TCP: ${failure.message}`);
    if (failure.kind === 'closed') return new Error('TCP: connection closed before an answer');
    return new Error(`TCP: ${received} bytes and no answer`);
  };
  const options = { timeoutMs: limits.timeoutMs, signal: limits.signal, track: limits.track, timers: limits.timers, maxBytes: MAX_BYTES, failure };
  return tcpExchange<Exchanged>(target, query.bytes, options, (message, _index, settle) => {
    const header = checkAnswer(message, query, 'tcp');
    if (header === null) return;
    if (header.fault !== null) settle.reject(new MalformedAnswer('tcp', header.fault));
    else settle.resolve({ rcode: header.rcode, message, questionEnd: header.questionEnd });
  });
}
