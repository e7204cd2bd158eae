import type { Question } from '../dns/types.js';
import type { ExchangeLimits } from '../runtime/bounded.js';
import { Rcode } from '../dns/types.js';
import { askOverTcp } from './tcp-query.js';
import { udpExchange, type Exchanged } from './udp-exchange.js';
import type { UdpSockets } from './udp-sockets.js';
import type { Endpoint } from '../config/address.js';
import { buildUpstreamQuery, type QueryFlags } from './upstream-query.js';

/** An upstream's usable answer (NOERROR or NXDOMAIN, or any code but the failing ones). */
export interface AskedAnswer extends Exchanged {
  readonly transport: 'udp' | 'tcp';
}

/** RCODEs that say this upstream could not answer: the pool tries the next one. */
const FAILING = new Map<number, string>([
  [Rcode.SERVFAIL, 'SERVFAIL'],
  [Rcode.REFUSED, 'REFUSED'],
  [Rcode.NOTIMP, 'NOTIMP'],
  [Rcode.FORMERR, 'FORMERR'],
]);

/** What one upstream is asked, and how long it has. */
export interface AskOptions extends QueryFlags, ExchangeLimits {
  readonly question: Question;
  readonly tcp: boolean;
  /** The question's name in wire form, encoded once per query. */
  readonly wireName: Buffer;
  /** The pool's UDP sockets. */
  readonly udpSockets: UdpSockets;
}

/** The exchange's result with its transport. */
function asked(result: Exchanged, transport: AskedAnswer['transport']): AskedAnswer {
  return { ...result, transport };
}

/**
 * One attempt at one upstream: UDP, or TCP when asked; a UDP answer with TC=1
 * is asked again over TCP (RFC 7766 section 5), with a new ID and the same
 * timeout. Rejects with an Error saying what went wrong, including an answer
 * whose RCODE says the upstream failed.
 */
export async function askUpstream(target: Endpoint, options: AskOptions): Promise<AskedAnswer> {
  let answer: AskedAnswer | null = null;
  if (!options.tcp) {
    const udp = await udpExchange(target, buildUpstreamQuery(options.question, options, options.wireName), options, options.udpSockets);
    if (!udp.truncated) answer = asked(udp, 'udp');
  }
  answer ??= asked(await askOverTcp(target, buildUpstreamQuery(options.question, options, options.wireName), options), 'tcp');
  const failing = FAILING.get(answer.rcode);
  if (failing !== undefined) throw new Error(`answered ${failing} over ${answer.transport.toUpperCase()}`);
  return answer;
}
