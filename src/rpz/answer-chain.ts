import { copyRecord, readNameWire } from '../dns/message-writer.js';
import { wireToText } from '../dns/name-text.js';
import { ownerText } from '../dns/owner-text.js';
import { listRecords, skipName, type RecordAt } from '../dns/wire.js';
import { RRType } from '../dns/types.js';
import type { ChainStep } from './policy-set.js';

/**
 * The most CNAME links an answer may hold for policy to check it. Resolvers
 * give up long before (BIND after 11 restarts, Unbound after 11), so a longer
 * chain only comes from a broken or hostile upstream; it gets SERVFAIL rather
 * than an answer whose end was never looked at.
 */
export const MAX_CNAME_LINKS = 32;

/** An answer's CNAME chain: the steps policy looks at, and each step's CNAME record (uncompressed) for rewriting. */
export interface AnswerChain {
  readonly steps: ChainStep[];
  /** cnames[i] is the CNAME record from step i to step i + 1. */
  readonly cnames: Buffer[];
}

type Address = ChainStep['addresses'][number];

/**
 * Follows the CNAME chain of an answer from the query name (its question's
 * name, canonical, lower-case) to its end: step 0 is the query name, each CNAME adds a step;
 * with `withAddresses`, A and AAAA records are given to the step that owns
 * them, and those no step owns to the last step, so that no address in the
 * answer goes unchecked whatever its owner. Names compare in the canonical
 * text of src/dns/name-text.ts. Returns null when there is nothing for policy
 * to look at: no records, or (without addresses) no CNAME, since the query
 * name itself was checked before resolution. That early null keeps the common
 * answer free of allocations here. Throws (SERVFAIL) for a chain longer than
 * MAX_CNAME_LINKS, a name with two CNAMEs (RFC 2181 section 10.1: one alias
 * only, and a client might follow either) or records that cannot be read.
 */
export function answerChain(message: Buffer, questionEnd: number, qname: string, withAddresses: boolean): AnswerChain | null {
  if (message.readUInt16BE(6) === 0) return null;
  if (!withAddresses && !hasCname(message, questionEnd)) return null;
  const listed = listRecords(message, questionEnd);
  if (listed === null) throw new Error('an upstream answer whose records cannot be read');
  const byOwner = new Map<string, RecordAt[]>();
  for (const record of listed) {
    if (record.section !== 'answer') continue;
    const owner = ownerText(message, record, qname);
    if (owner === null) throw new Error('an upstream answer with a malformed owner name');
    const owned = byOwner.get(owner);
    if (owned === undefined) byOwner.set(owner, [record]);
    else owned.push(record);
  }

  const steps: ChainStep[] = [];
  const cnames: Buffer[] = [];
  const onChain = new Set<string>();
  let name: string | null = qname;
  while (name !== null && !onChain.has(name)) {
    if (steps.length > MAX_CNAME_LINKS) throw new Error(`a CNAME chain of more than ${MAX_CNAME_LINKS} links`);
    onChain.add(name);
    const addresses: Address[] = [];
    let next: string | null = null;
    for (const record of byOwner.get(name) ?? []) {
      if (record.type === RRType.CNAME) {
        const target = readNameWire(message, record.rdataOffset);
        const copy = copyRecord(message, record);
        if (target === null || copy === null) throw new Error('an upstream answer with a malformed CNAME');
        const text = wireToText(target);
        if (next !== null && next !== text) throw new Error(`two CNAMEs for ${name}`);
        if (next === null) cnames.push(copy);
        next = text;
      } else if (withAddresses) {
        const address = addressOf(message, record);
        if (address !== null) addresses.push(address);
      }
    }
    steps.push({ name, addresses });
    name = next;
  }
  if (withAddresses) {
    const last = steps.at(-1)!.addresses as Address[];
    for (const [owner, records] of byOwner) {
      if (onChain.has(owner)) continue;
      for (const record of records) {
        const address = addressOf(message, record);
        if (address !== null) last.push(address);
      }
    }
  }
  return { steps, cnames };
}

/** An A or AAAA record's address as 16 bytes (IPv4-mapped for A); null for other records. */
function addressOf(message: Buffer, record: RecordAt): Address | null {
  if (record.type === RRType.A && record.rdataLength === 4) {
    const bytes = new Uint8Array(16);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    bytes.set(message.subarray(record.rdataOffset, record.rdataOffset + 4), 12);
    return { bytes, family: 4 };
  }
  if (record.type === RRType.AAAA && record.rdataLength === 16) {
    return { bytes: new Uint8Array(message.subarray(record.rdataOffset, record.rdataOffset + 16)), family: 6 };
  }
  return null;
}

/** Whether the answer section holds a CNAME record; a malformed message counts as holding one, so the full walk decides. */
function hasCname(message: Buffer, questionEnd: number): boolean {
  let pos = questionEnd;
  for (let i = message.readUInt16BE(6); i > 0; i--) {
    const nameEnd = skipName(message, pos);
    if (nameEnd < 0 || nameEnd + 10 > message.length) return true;
    if (message.readUInt16BE(nameEnd) === RRType.CNAME) return true;
    pos = nameEnd + 10 + message.readUInt16BE(nameEnd + 8);
  }
  return false;
}
