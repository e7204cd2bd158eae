import type { AnswerHeader, UpstreamQuery } from './upstream-query.js';
import { checkAnswer } from './upstream-query.js';
import type { Endpoint } from '../config/address.js';
import { bounded, type ExchangeLimits, type Settle } from '../runtime/bounded.js';
import { MalformedAnswer } from './upstream-failure.js';
import type { UdpSockets } from './udp-sockets.js';

/** A matching, well-formed answer and what its header says. */
export interface Exchanged {
  readonly rcode: number;
  readonly truncated: boolean;
  readonly message: Buffer;
  /** Where the message's question section ends (it is the query's). */
  readonly questionEnd: number;
}

/**
 * Ends an exchange with the answer that matched (checkAnswer's header): with
 * it when it is well-formed, with a MalformedAnswer when it is not.
 */
export function settleAnswer(settle: Settle<Exchanged>, header: AnswerHeader, message: Buffer, transport: 'udp' | 'tcp'): void {
  if (header.fault !== null) settle.reject(new MalformedAnswer(transport, header.fault));
  else settle.resolve({ rcode: header.rcode, truncated: header.truncated, message, questionEnd: header.questionEnd });
}

/**
 * Sends `query` over UDP on one of the upstream's shared sockets (see
 * udp-sockets.ts) and resolves with the first datagram that is its answer, or
 * rejects with MalformedAnswer when that answer is broken; anything else
 * (another source, wrong ID or question, garbage) is ignored until the
 * timeout. The sockets are connect()ed, so the kernel drops datagrams from
 * anyone else; the source is checked again all the same.
 */
export function udpExchange(target: Endpoint, query: UpstreamQuery, limits: ExchangeLimits, sockets: UdpSockets): Promise<Exchanged> {
  return bounded<Exchanged>(limits, (settle) => {
    const accept = (message: Buffer): boolean => {
      const header = checkAnswer(message, query, 'udp');
      if (header === null) return false;
      settleAnswer(settle, header, message, 'udp');
      return true;
    };
    let socket = sockets.pick(target);
    const unregister = socket.register(query.id, accept, settle.reject) ?? (socket = sockets.fresh(target)).register(query.id, accept, settle.reject);
    if (unregister === null) throw new Error('no upstream socket could take the query');
    socket.send(query.bytes, settle.reject);
    return unregister;
  });
}
