import { listRecords, type RecordAt } from '../dns/wire.js';
import { Rcode, RRType } from '../dns/types.js';

/** TTL bounds applied before an answer is stored, from the `cache` config. */
export interface TtlPolicy {
  readonly minTtl: number;
  readonly maxTtl: number;
  readonly maxNegativeTtl: number;
}

/** How long an upstream answer may be cached and where its TTL fields lie. */
export interface CacheableAnswer {
  /** Seconds the whole answer stays fresh. */
  readonly lifetime: number;
  /** Offset of every record's TTL field (small integers: V8 keeps them unboxed, cheaper than a typed array per entry). */
  readonly ttlOffsets: readonly number[];
  /** Each record's TTL after the min/max caps, in the order of `ttlOffsets`. */
  readonly ttls: readonly number[];
}

const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high);

/**
 * Decides whether an answer (without OPT) may be cached, and for how long.
 * Positive answers live as long as their shortest answer record; NXDOMAIN and
 * NODATA as long as min(SOA TTL, SOA MINIMUM) (RFC 2308 section 5), and not at
 * all without an SOA. Truncated answers and other RCODEs are never cached.
 */
export function cacheableAnswer(message: Buffer, questionEnd: number, bounds: TtlPolicy): CacheableAnswer | null {
  if ((message[2]! & 0x02) !== 0) return null;
  const rcode = message[3]! & 0x0f;
  if (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN) return null;
  const records = listRecords(message, questionEnd);
  if (records === null) return null;
  // One pass (a miss is stored each time): the answers' shortest TTL, and the first SOA in the authority section.
  let answers = 0;
  let shortest = Number.POSITIVE_INFINITY;
  let soa: RecordAt | undefined;
  for (const record of records) {
    if (record.section === 'answer') {
      answers++;
      shortest = Math.min(shortest, ttlOf(message, record));
    } else if (soa === undefined && record.section === 'authority' && record.type === RRType.SOA) {
      soa = record;
    }
  }
  const negative = rcode === Rcode.NXDOMAIN || answers === 0;
  const cap = negative ? bounds.maxNegativeTtl : bounds.maxTtl;

  let lifetime: number;
  if (negative) {
    if (soa === undefined || soa.rdataLength < 20) return null;
    const minimum = message.readUInt32BE(soa.rdataOffset + soa.rdataLength - 4);
    lifetime = Math.min(ttlOf(message, soa), minimum);
  } else {
    lifetime = shortest;
  }
  lifetime = clamp(lifetime, bounds.minTtl, cap);
  if (lifetime <= 0) return null;

  const ttlOffsets: number[] = [];
  const ttls: number[] = [];
  for (const record of records) {
    ttlOffsets.push(record.ttlOffset);
    // A negative answer's SOA says how long the non-existence holds (RFC 2308 section 3).
    ttls.push(negative ? lifetime : clamp(ttlOf(message, record), bounds.minTtl, cap));
  }
  return { lifetime, ttlOffsets, ttls };
}

/** RFC 2181 section 8: a TTL with the top bit set is treated as zero. */
function ttlOf(message: Buffer, record: RecordAt): number {
  const ttl = message.readUInt32BE(record.ttlOffset);
  return ttl > 0x7fffffff ? 0 : ttl;
}

/**
 * A copy of `message` whose every record's TTL (OPT's field is flags, not a TTL: RFC 6891 section 6.1.3) is at most
 * `cap` seconds; `message` itself is left alone, as it may be the cache's. The message unchanged when it cannot be read.
 */
export function cappedTtls(message: Buffer, questionEnd: number, cap: number): Buffer {
  const records = listRecords(message, questionEnd);
  if (records === null) return message;
  const copy = Buffer.from(message);
  for (const record of records) {
    if (record.type !== RRType.OPT && ttlOf(copy, record) > cap) copy.writeUInt32BE(cap, record.ttlOffset);
  }
  return copy;
}
