import { copyRecord, readNameWire, wireToName } from '../dns/message-writer.js';
import { listRecords, skipName } from '../dns/wire.js';
import { RRType } from '../dns/types.js';
import type { ChainStep } from '../rpz/policy-set.js';

/** An answer's CNAME chain: the steps policy looks at, and each step's CNAME record (uncompressed) for rewriting. */
export interface AnswerChain {
  readonly steps: ChainStep[];
  /** cnames[i] is the CNAME record from step i to step i + 1. */
  readonly cnames: Buffer[];
}

/**
 * Follows the CNAME chain of an answer from the query name (lower-case):
 * step 0 is the query name, each CNAME adds a step; with `withAddresses`, A
 * and AAAA records are given to the step that owns them. Returns null when
 * there is nothing for policy to look at: no records, or (without addresses)
 * no CNAME, since the query name itself was checked before resolution. That
 * early null keeps the common answer free of allocations here.
 */
export function answerChain(message: Buffer, questionEnd: number, qname: string, withAddresses: boolean): AnswerChain | null {
  if (message.readUInt16BE(6) === 0) return null;
  if (!withAddresses && !hasCname(message, questionEnd)) return null;
  const records = (listRecords(message, questionEnd) ?? []).filter((r) => r.section === 'answer');
  const owners = records.map((r) => {
    const wire = readNameWire(message, r.start);
    return wire === null ? null : wireToName(wire);
  });
  const steps: ChainStep[] = [];
  const cnames: Buffer[] = [];
  let name: string | null = qname;
  const seen = new Set<string>();
  while (name !== null && !seen.has(name) && steps.length < 16) {
    seen.add(name);
    const addresses: Array<ChainStep['addresses'][number]> = [];
    let next: string | null = null;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (owners[i] !== name) continue;
      if (withAddresses && record.type === RRType.A && record.rdataLength === 4) {
        const bytes = new Uint8Array(16);
        bytes[10] = 0xff;
        bytes[11] = 0xff;
        bytes.set(message.subarray(record.rdataOffset, record.rdataOffset + 4), 12);
        addresses.push({ bytes, family: 4 });
      } else if (withAddresses && record.type === RRType.AAAA && record.rdataLength === 16) {
        addresses.push({ bytes: new Uint8Array(message.subarray(record.rdataOffset, record.rdataOffset + 16)), family: 6 });
      } else if (record.type === RRType.CNAME && next === null) {
        const target = readNameWire(message, record.rdataOffset);
        const copy = copyRecord(message, record);
        if (target !== null && copy !== null) {
          next = wireToName(target);
          cnames.push(copy);
        }
      }
    }
    steps.push({ name, addresses });
    name = next;
  }
  return { steps, cnames };
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
