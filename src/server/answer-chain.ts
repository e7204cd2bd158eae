import { copyRecord, readNameWire, wireToName } from '../dns/message-writer.js';
import { listRecords } from '../dns/wire.js';
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
 * step 0 is the query name, each CNAME adds a step; A and AAAA records are
 * given to the step that owns them. Returns null for an answer with no records.
 */
export function answerChain(message: Buffer, questionEnd: number, qname: string): AnswerChain | null {
  if (message.readUInt16BE(6) === 0) return null;
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
    const addresses: Array<{ bytes: Uint8Array; text: string }> = [];
    let next: string | null = null;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (owners[i] !== name) continue;
      if (record.type === RRType.A && record.rdataLength === 4) {
        const bytes = new Uint8Array(16);
        bytes[10] = 0xff;
        bytes[11] = 0xff;
        bytes.set(message.subarray(record.rdataOffset, record.rdataOffset + 4), 12);
        addresses.push({ bytes, text: [...bytes.subarray(12)].join('.') });
      } else if (record.type === RRType.AAAA && record.rdataLength === 16) {
        const bytes = new Uint8Array(message.subarray(record.rdataOffset, record.rdataOffset + 16));
        addresses.push({ bytes, text: ipv6Text(bytes) });
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

function ipv6Text(bytes: Uint8Array): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The WHATWG URL parser prints IPv6 in RFC 5952's canonical form.
  return new URL(`http://[${words.join(':')}]`).hostname.slice(1, -1);
}
