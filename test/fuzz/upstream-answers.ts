import dnsPacket from 'dns-packet';
import { mutateMessage } from './mutate.js';
import { CHECK_RECORDS, LISTED_NAME, LISTED_V4, LISTED_V4_NETWORK, LISTED_V6, WILDCARD_PARENT } from './policy.js';
import { inputRng, type Rng } from './rng.js';
import { layout } from './wire.js';

/**
 * Upstream answers: for input `index` the round asks q<index>.up.fuzz.test,
 * and the fuzzing upstream answers it with a valid answer of a random shape
 * (addresses, CNAME chains, some through listed names or to listed
 * addresses, negative answers with a SOA, RCODEs, RRSIGs, big RRsets, odd
 * types), often mutated but keeping the ID and question, so that the
 * mutations get past the ID check into the cache, the policy's chain reader
 * and the finisher.
 */

const ZONE = 'up.fuzz.test';
const QUERY_TYPES = ['A', 'A', 'A', 'AAAA', 'AAAA', 'TXT', 'MX', 'CNAME', 'HTTPS', 'SRV', 'NS', 'SOA', 'PTR', 'ANY'] as const;

/** What the round asks for input `index`. */
export interface UpstreamQuestion {
  readonly name: string;
  readonly type: string;
  readonly dnssecOk: boolean;
  readonly cd: boolean;
  readonly tcp: boolean;
}

export function upstreamQuestion(seed: number, index: number): UpstreamQuestion {
  const rng = inputRng(seed, index);
  return { name: `q${index.toString(36)}.${ZONE}`, type: rng.pick(QUERY_TYPES), dnssecOk: rng.chance(0.3), cd: rng.chance(0.1), tcp: rng.chance(0.1) };
}

/** The input index a query name carries, or -1. */
export function indexOfName(name: string): number {
  const match = /^q([0-9a-z]+)\.up\.fuzz\.test\.?$/i.exec(name);
  return match === null ? -1 : parseInt(match[1]!.toLowerCase(), 36);
}

type Record = dnsPacket.Answer;

function address(rng: Rng, type: 'A' | 'AAAA'): string {
  const roll = rng.int(100);
  if (type === 'A') return roll < 4 ? LISTED_V4 : roll < 8 ? `${LISTED_V4_NETWORK}${rng.int(256)}` : `198.51.100.${rng.int(256)}`;
  return roll < 6 ? LISTED_V6 : `2001:db8:1::${rng.int(65536).toString(16)}`;
}

function soa(zone: string, rng: Rng): Record {
  return { type: 'SOA', name: zone, ttl: rng.pick([0, 60, 300, 86400, 2 ** 31 - 1]), data: { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: rng.int(2 ** 31), refresh: 3600, retry: 600, expire: 86400, minimum: rng.pick([0, 1, 60, 3600, 2 ** 31]) } } as Record;
}

/** A CNAME chain from `name`, some of whose links are listed names; the last name is returned with the records. */
function chain(name: string, rng: Rng): { records: Record[]; last: string } {
  const records: Record[] = [];
  const links = rng.chance(0.9) ? rng.range(1, 8) : rng.range(15, 40);
  let current = name;
  for (let i = 0; i < links; i++) {
    const roll = rng.int(100);
    const next = roll < 5 ? LISTED_NAME : roll < 10 ? `c${i}.${WILDCARD_PARENT}` : roll < 13 ? name : `c${i}.${name}`;
    records.push({ type: 'CNAME', name: current, ttl: rng.pick([0, 30, 300, 3600]), data: next } as Record);
    current = next;
  }
  return { records, last: current };
}

/** A valid answer of a random shape for the query. */
function validAnswer(query: dnsPacket.DecodedPacket, rng: Rng): Buffer {
  const question = query.questions![0]!;
  const name = question.name;
  const type = question.type as string;
  const addressType = type === 'AAAA' ? 'AAAA' : 'A';
  let answers: Record[] = [];
  let authorities: Record[] = [];
  const additionals: Record[] = [];
  let rcode = 0;
  let flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;
  const shape = rng.int(100);
  if (shape < 30) {
    answers = Array.from({ length: rng.range(1, 4) }, () => ({ type: addressType, name, ttl: rng.pick([0, 5, 300, 86400]), data: address(rng, addressType) }) as Record);
  } else if (shape < 50) {
    const { records, last } = chain(name, rng);
    answers = [...records, ...Array.from({ length: rng.range(0, 2) }, () => ({ type: addressType, name: last, ttl: 300, data: address(rng, addressType) }) as Record)];
  } else if (shape < 62) {
    rcode = rng.chance(0.5) ? 3 : 0;
    authorities = [soa(rng.chance(0.8) ? ZONE : 'test', rng)];
  } else if (shape < 70) {
    rcode = rng.pick([1, 2, 4, 5, 6, 9, 15]);
  } else if (shape < 78) {
    answers = [
      { type: addressType, name, ttl: 300, data: address(rng, addressType) } as Record,
      { type: 'RRSIG', name, ttl: 300, data: { typeCovered: addressType, algorithm: 13, labels: 4, originalTTL: 300, expiration: 2_000_000_000, inception: 1_600_000_000, keyTag: rng.int(65536), signersName: ZONE, signature: rng.bytes(64) } } as Record,
    ];
    authorities = rng.chance(0.3) ? [{ type: 'NSEC', name, ttl: 300, data: { nextDomain: `z.${ZONE}`, rrtypes: ['A', 'RRSIG'] } } as Record] : [];
  } else if (shape < 84) {
    answers = Array.from({ length: rng.range(20, 120) }, (_, i) => ({ type: 'A', name, ttl: 300, data: `198.51.${i >> 8}.${i & 255}` }) as Record);
  } else if (shape < 92) {
    const kind = rng.int(4);
    answers = [
      kind === 0
        ? ({ type: 'TXT', name, ttl: 300, data: Array.from({ length: rng.range(1, 8) }, () => rng.bytes(rng.int(256))) } as Record)
        : kind === 1
          ? ({ type: 'MX', name, ttl: 300, data: { preference: 10, exchange: rng.chance(0.3) ? LISTED_NAME : `mx.${ZONE}` } } as Record)
          : kind === 2
            ? ({ type: 'SRV', name, ttl: 300, data: { priority: 1, weight: 1, port: 443, target: `t.${ZONE}` } } as Record)
            : ({ type: 'NS', name, ttl: 300, data: `ns.${WILDCARD_PARENT}` } as Record),
    ];
    if (rng.chance(0.5)) additionals.push({ type: 'A', name: `ns.${WILDCARD_PARENT}`, ttl: 300, data: LISTED_V4 } as Record);
  } else {
    flags |= dnsPacket.TRUNCATED_RESPONSE;
  }
  if (rng.chance(0.1)) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  const opt = (query.additionals ?? []).find((a): a is dnsPacket.OptAnswer => a.type === 'OPT');
  if (opt !== undefined) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: rng.pick([512, 1232, 4096]), flags: opt.flags & dnsPacket.DNSSEC_OK, options: rng.chance(0.2) ? [{ code: 15, data: Buffer.from([0, 1, 0x61]) }] : [] } as unknown as Record);
  return dnsPacket.encode({ type: 'response', id: query.id ?? 0, flags: flags | rcode, questions: [question], answers, authorities, additionals });
}

/** A correct answer (CHECK_RECORDS, CNAMEs followed; NXDOMAIN with a SOA for anything else), for names outside the fuzzing. */
export function correctAnswer(query: dnsPacket.DecodedPacket): Buffer {
  const question = query.questions![0]!;
  const answers: Record[] = [];
  let name = question.name.toLowerCase().replace(/\.$/, '');
  let records = CHECK_RECORDS[name];
  for (let step = 0; records !== undefined && step < 10; step++) {
    const matching = records.filter((r) => r.type === question.type);
    const cname = records.find((r) => r.type === 'CNAME');
    if (matching.length > 0 || cname === undefined) {
      answers.push(...matching.map((r) => ({ ...r, name }) as Record));
      break;
    }
    answers.push({ ...cname, name } as Record);
    name = String(cname.data);
    records = CHECK_RECORDS[name];
  }
  const nxdomain = records === undefined && answers.length === 0;
  const opt = (query.additionals ?? []).some((a) => a.type === 'OPT');
  return dnsPacket.encode({
    type: 'response',
    id: query.id ?? 0,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (nxdomain ? 3 : 0),
    questions: [question],
    answers,
    authorities: answers.length === 0 ? [soa('fuzz.test', inputRng(0, 0))] : [],
    additionals: opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0 } as unknown as Record] : [],
  });
}

/**
 * The fuzzing upstream's answer to `raw` (a query for input `index`):
 * valid, mutated with the ID and question kept, mutated freely, random
 * bytes, or nothing. Deterministic per (seed, index), so a retry of the
 * same query gets the same answer.
 */
export function upstreamAnswer(seed: number, index: number, raw: Buffer, query: dnsPacket.DecodedPacket): Buffer | null {
  const rng = inputRng(seed ^ 0x5bd1e995, index);
  const valid = validAnswer(query, rng);
  const roll = rng.int(100);
  if (roll < 50) return valid;
  if (roll < 53) return null;
  if (roll < 56) return Buffer.concat([raw.subarray(0, 2), rng.bytes(rng.int(600))]);
  const mutated = mutateMessage(valid, rng, rng.range(1, 3), raw);
  if (roll < 90 && mutated.length >= 12) {
    // Keep the ID and, most of the time, the question: the answer then matches its query.
    raw.copy(mutated, 0, 0, 2);
    const questionEnd = layout(raw).questionEnd;
    if (roll < 80 && questionEnd > 12 && mutated.length >= questionEnd) {
      raw.copy(mutated, 12, 12, questionEnd);
      mutated.writeUInt16BE(1, 4);
    }
  }
  return mutated;
}
