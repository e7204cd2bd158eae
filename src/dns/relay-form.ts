import { copyRecord, readNameWire } from './message-writer.js';
import { wireToText } from './name-text.js';
import { RRType } from './types.js';
import { listRecords, type RecordAt } from './wire.js';
import { ownerText } from './owner-text.js';

/** What a negative answer's authority section may carry: the SOA for its TTL (RFC 2308) and the DNSSEC proofs. */
const NEGATIVE_AUTHORITY = new Set<number>([RRType.SOA, RRType.NSEC, RRType.NSEC3, RRType.RRSIG]);

/**
 * A copy of a checked upstream answer in the form Stopzone relays and
 * caches: minimal responses, as Unbound and BIND send by default, and nothing
 * a client (or a cache downstream) could take for data the policy never saw.
 * - No OPT (the finisher adds the client's) and no additional section.
 * - The answer section keeps the CNAME chain from `qname` (canonical,
 *   lower-case) only: records owned by a name on the chain, the DNAMEs above
 *   those names (RFC 6672) and their RRSIGs. A resolver keeps no more of an
 *   answer (RFC 2181 section 5.4.1); anything beside the chain, a listed name's
 *   record among them, is dropped rather than relayed unchecked.
 * - A negative answer keeps its SOA and DNSSEC proofs in the authority section.
 * Records are cut from the end when only the tail goes, which compression
 * pointers never reach into (they point backwards, as messageFault checks);
 * when a record in the middle goes, the kept ones are copied uncompressed.
 * `qname` is the message's question name in lower case (the question checkAnswer matched to the query's).
 * Null when the message is malformed.
 */
export function relayForm(message: Buffer, questionEnd: number, qname: string): Buffer | null {
  const records = listRecords(message, questionEnd);
  if (records === null) return null;
  const rcode = message[3]! & 0x0f;
  const answers = records.filter((r) => r.section === 'answer');
  const keepAuthority = answers.length === 0 || rcode !== 0;
  const chain = answers.length === 0 ? answers : onChain(message, answers, qname);
  if (chain === null) return null;
  const authority = keepAuthority ? records.filter((r) => r.section === 'authority' && NEGATIVE_AUTHORITY.has(r.type)) : [];
  const kept = authority.length === 0 ? chain : [...chain, ...authority];

  // The common case: what is kept is a prefix of the message, so it is cut, not rebuilt.
  if (isPrefix(kept, records)) {
    const end = kept.at(-1)?.end ?? questionEnd;
    const out = Buffer.from(message.subarray(0, end));
    out.writeUInt16BE(chain.length, 6);
    out.writeUInt16BE(authority.length, 8);
    out.writeUInt16BE(0, 10);
    return out;
  }
  const copies: Buffer[] = [];
  for (const record of kept) {
    const copy = copyRecord(message, record);
    if (copy === null) return null;
    copies.push(copy);
  }
  const head = Buffer.from(message.subarray(0, questionEnd));
  head.writeUInt16BE(chain.length, 6);
  head.writeUInt16BE(authority.length, 8);
  head.writeUInt16BE(0, 10);
  return Buffer.concat([head, ...copies]);
}

/** Whether a record makes another name part of the chain. */
const isAlias = (record: RecordAt): boolean => record.type === RRType.CNAME || record.type === RRType.DNAME;

/** The answer records on the chain from `qname`, in message order; null when a name cannot be read. */
function onChain(message: Buffer, answers: readonly RecordAt[], qname: string): RecordAt[] | null {
  const owners: string[] = [];
  for (const record of answers) {
    const owner = ownerText(message, record, qname);
    if (owner === null) return null;
    owners.push(owner);
  }
  // Most answers hold no alias: the chain is then the query's name alone (no set of names, no closures).
  if (!answers.some(isAlias)) {
    const owned: RecordAt[] = [];
    for (let i = 0; i < answers.length; i++) if (owners[i] === qname) owned.push(answers[i]!);
    return owned;
  }
  // Follow CNAMEs in whatever order the records come, each read once: the CNAMEs by owner, then the names reached
  // from qname. (Passes over every record until none adds a name were quadratic: a hostile upstream's 64 KB answer
  // of 3,200 links listed last first held the thread for seconds.)
  const cnamesOf = new Map<string, number[]>();
  for (let i = 0; i < answers.length; i++) {
    if (answers[i]!.type !== RRType.CNAME) continue;
    const list = cnamesOf.get(owners[i]!);
    if (list === undefined) cnamesOf.set(owners[i]!, [i]);
    else list.push(i);
  }
  const names = new Set<string>([qname]);
  const reached = [qname];
  for (let next = 0; next < reached.length; next++) {
    for (const i of cnamesOf.get(reached[next]!) ?? []) {
      const target = readNameWire(message, answers[i]!.rdataOffset);
      if (target === null) return null;
      const text = wireToText(target);
      if (!names.has(text)) {
        names.add(text);
        reached.push(text);
      }
    }
  }
  // A DNAME is kept when a name on the chain is below its owner: each name's ancestors looked up among the owners.
  // Only suffixes as long as some owner are cut out and looked up.
  const dnameOwners = new Set<string>();
  const ownerLengths = new Set<number>();
  for (let i = 0; i < answers.length; i++) {
    if (answers[i]!.type !== RRType.DNAME) continue;
    dnameOwners.add(owners[i]!);
    ownerLengths.add(owners[i]!.length);
  }
  const dnames = new Set<string>();
  if (dnameOwners.size > 0) {
    if (dnameOwners.has('')) dnames.add('');
    for (const name of names) {
      for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
        if (!ownerLengths.has(name.length - dot - 1)) continue;
        const ancestor = name.slice(dot + 1);
        if (dnameOwners.has(ancestor)) dnames.add(ancestor);
      }
    }
  }
  return answers.filter((record, i) => {
    const owner = owners[i]!;
    if (names.has(owner)) return true;
    return dnames.has(owner) && (record.type === RRType.DNAME || record.type === RRType.RRSIG);
  });
}

/** Whether `kept` is the first records of `records`, in order. */
function isPrefix(kept: readonly RecordAt[], records: readonly RecordAt[]): boolean {
  for (let i = 0; i < kept.length; i++) if (kept[i] !== records[i]) return false;
  return true;
}
