import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { emptyReply } from '../../dns/replies.js';
import { Rcode } from '../../dns/types.js';
import type { RepeatedLines } from '../../observe/repeated-lines.js';
import { isIpv4Mapped, readAddress } from '../../rpz/address-bytes.js';
import { addressToString } from '../../rpz/ip-prefix.js';
import { decodeQuery } from '../decode-query.js';
import { finishAnswer, type FinishLimits } from '../finish.js';
import { maskTo, networkList, inNetworks, type Network } from './networks.js';
import { PrefixBuckets, type BucketTables } from './prefix-buckets.js';
import { SharedCounters } from '../../runtime/shared-counters.js';

/** What the UDP listener does with a datagram: answer it as usual, send nothing, or send these bytes (a TC=1 slip) instead. */
export type GateVerdict = 'pass' | 'drop' | Buffer;

/** A check each UDP datagram passes before it is decoded. */
export interface UdpGate {
  check(raw: Buffer, address: string): GateVerdict;
}

/** What every answering thread's RateLimiter shares: the buckets, and the counts of dropped and slipped datagrams. */
export interface RateLimitTables {
  readonly buckets: BucketTables;
  readonly counts: Uint32Array;
}

const DROPPED = 0;
const SLIPPED = 1;

/** The kind of log line a client over the limit causes (one a minute, then a summary). */
const OVER_LIMIT = 'UDP queries over the rate limit';

/**
 * Response rate limiting for UDP, in the spirit of BIND's RRL: each client
 * prefix (/24, /56 by default) has a token bucket of `burst` queries refilled
 * at `responsesPerSecond`; a datagram that finds it empty gets no answer,
 * except every `slip`-th, which gets an empty TC=1 reply so that a real
 * client (whose address a flood may be forging) retries over TCP, where the
 * source cannot be forged and no limit applies. Exempt networks are never
 * limited. Runs before the packet is decoded, so a dropped datagram costs an
 * address parse and a table lookup.
 */
export class RateLimiter implements UdpGate {
  readonly #buckets: PrefixBuckets;
  readonly #exempt: readonly Network[];
  readonly #v4Bits: number;
  readonly #v6Bits: number;
  readonly #slip: number;
  readonly #now: () => number;
  readonly #finish: FinishLimits;
  readonly #log: Logger;
  readonly #lines: RepeatedLines;
  readonly #settings: { responsesPerSecond: number; burst: number; slip: number };
  /** The client's address, then its prefix (16 bytes each, IPv4-mapped for IPv4). */
  readonly #address = new Uint8Array(16);
  readonly #prefix = new Uint8Array(16);
  readonly #prefixWords = new DataView(this.#prefix.buffer);
  readonly #counts: SharedCounters;

  /** `shared`: another RateLimiter's `tables` (same config), so that answering threads limit each client together. */
  constructor(config: Config['rateLimit'], deps: { now: () => number; finish: FinishLimits; log: Logger; lines: RepeatedLines }, shared?: RateLimitTables) {
    this.#buckets = new PrefixBuckets({ ratePerSecond: config.responsesPerSecond, burst: config.burst, maxKeys: config.maxPrefixes }, shared?.buckets);
    this.#counts = new SharedCounters(2, shared?.counts);
    this.#exempt = networkList(config.exempt);
    this.#v4Bits = 96 + config.ipv4PrefixLength;
    this.#v6Bits = config.ipv6PrefixLength;
    this.#slip = config.slip;
    this.#now = deps.now;
    this.#finish = deps.finish;
    this.#log = deps.log;
    this.#lines = deps.lines;
    this.#settings = { responsesPerSecond: config.responsesPerSecond, burst: config.burst, slip: config.slip };
  }

  /** Datagrams left unanswered since start, by every thread sharing the tables. */
  get dropped(): number {
    return this.#counts.get(DROPPED);
  }

  /** Datagrams answered with TC=1 since start, by every thread sharing the tables. */
  get slipped(): number {
    return this.#counts.get(SLIPPED);
  }

  /** The buckets and counts, for the RateLimiter of another answering thread. */
  get tables(): RateLimitTables {
    return { buckets: this.#buckets.tables, counts: this.#counts.words };
  }

  check(raw: Buffer, address: string): GateVerdict {
    const client = this.#address;
    if (readAddress(address, client) === 0 || inNetworks(client, this.#exempt)) return 'pass';
    const ipv4 = isIpv4Mapped(client);
    const bits = ipv4 ? this.#v4Bits : this.#v6Bits;
    maskTo(client, bits, this.#prefix);
    const words = this.#prefixWords;
    const slot = this.#buckets.take(words.getUint32(0), words.getUint32(4), words.getUint32(8), words.getUint32(12), this.#now());
    if (slot < 0) return 'pass';
    if (this.#lines.admit(OVER_LIMIT, 'warn')) this.#logFirst(ipv4, bits);
    if (this.#slip > 0 && this.#buckets.countLimited(slot) % this.#slip === 0) {
      const reply = slipReply(raw, address, this.#finish);
      if (reply !== null) {
        this.#counts.increment(SLIPPED);
        return reply;
      }
    }
    this.#counts.increment(DROPPED);
    return 'drop';
  }

  #logFirst(ipv4: boolean, bits: number): void {
    const prefix = `${addressToString(this.#prefix, ipv4 ? 4 : 6)}/${ipv4 ? bits - 96 : bits}`;
    const { responsesPerSecond, burst, slip } = this.#settings;
    const nth = slip === 2 ? 'second' : slip === 3 ? 'third' : `${slip}th`;
    const what = slip === 0 ? 'dropped' : slip === 1 ? 'answered with TC=1 (retry over TCP)' : `dropped, every ${nth} query answered with TC=1 (retry over TCP)`;
    this.#log.warn({ kind: OVER_LIMIT, prefix, responsesPerSecond, burst, slip }, `rate limit: ${prefix} sends more than ${responsesPerSecond} UDP queries a second (burst ${burst}); the excess is ${what}`);
  }
}

/**
 * The slip: an empty answer with TC=1 and the question (and an OPT when the
 * query had one), as the finisher writes any answer; null (drop it) for a
 * datagram that is not a readable QUERY.
 */
function slipReply(raw: Buffer, address: string, limits: FinishLimits): Buffer | null {
  const decoded = decodeQuery(raw, { client: { address, port: 0 }, transport: 'udp', listener: '' });
  if (decoded.kind !== 'query') return null;
  const query = decoded.query;
  const reply = finishAnswer(query, { message: emptyReply(raw, Rcode.NOERROR, query.questionEnd), source: 'local', rcode: Rcode.NOERROR }, limits);
  if (reply !== null) reply[2]! |= 0x02;
  return reply;
}
