import type { AnswerHeader, UpstreamQuery } from './upstream-query.js';
import { checkAnswer } from './upstream-query.js';
import type { UpstreamAddress } from './upstream-address.js';
import { bounded, type ExchangeLimits } from './bounded.js';
import type { UdpSockets } from './udp-sockets.js';

/** A matching answer and what its header says. */
export interface Exchanged extends AnswerHeader {
  readonly message: Buffer;
}

/** A matching answer with its header's fields, spelled out, not spread (see UpstreamPool's #run). */
export function exchanged(header: AnswerHeader, message: Buffer): Exchanged {
  return { rcode: header.rcode, truncated: header.truncated, message };
}

/** True when a datagram came from the upstream's own address and port. */
export function fromUpstream(rinfo: { address: string; port: number }, target: UpstreamAddress): boolean {
  return rinfo.port === target.port && rinfo.address === target.host;
}

/**
 * Sends `query` over UDP on one of the upstream's shared sockets (see
 * udp-sockets.ts) and resolves with the first datagram that is its answer;
 * anything else (another source, wrong ID or question, garbage) is ignored
 * until the timeout. The sockets are connect()ed, so the kernel drops
 * datagrams from anyone else; the source is checked again all the same.
 */
export function udpExchange(target: UpstreamAddress, query: UpstreamQuery, limits: ExchangeLimits, sockets: UdpSockets): Promise<Exchanged> {
  return bounded<Exchanged>(limits, (settle) => {
    const accept = (message: Buffer): boolean => {
      const header = checkAnswer(message, query);
      if (header === null) return false;
      settle.resolve(exchanged(header, message));
      return true;
    };
    let socket = sockets.pick(target);
    const unregister = socket.register(query.id, accept, settle.reject) ?? (socket = sockets.fresh(target)).register(query.id, accept, settle.reject);
    if (unregister === null) throw new Error('no upstream socket could take the query');
    socket.send(query.bytes, settle.reject);
    return async () => unregister();
  });
}
