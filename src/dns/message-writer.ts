import { HEADER_SIZE, listRecords, SECTIONS, type RecordAt } from './wire.js';
import { walkName } from './name-walk.js';
import { rdataNames } from './rdata-names.js';

/** A pointer to the question's name at offset 12 (RFC 1035 section 4.1.4). */
export const QUESTION_NAME_POINTER = Buffer.from([0xc0, 0x0c]);

type Section = RecordAt['section'];

const NO_BYTES = Buffer.alloc(0);

/** A record to write: copied whole (`whole`), or from its owner, type, TTL and RDATA (with its 2-byte length). */
interface PendingRecord {
  readonly section: Section;
  readonly whole: Buffer | null;
  readonly owner: Buffer;
  readonly type: number;
  readonly ttl: number;
  readonly rdata: Buffer;
}

/**
 * Builds a response message by hand: the query's own header and question
 * bytes (so the question is exactly what the client sent), then records
 * whose names are written uncompressed (or as a pointer to the question).
 * No OPT: the finisher adds the client's. The records are noted as they come
 * and written once, into one buffer, by toBuffer (a policy answer is made for
 * every blocked query: bench/README.md, hot-path.ts, "One buffer for a policy
 * answer"); `raw` and every buffer handed in are read then, not before.
 */
export class MessageWriter {
  readonly #raw: Buffer;
  readonly #questionEnd: number;
  readonly #flags: number;
  #rcode: number;
  readonly #records: PendingRecord[] = [];

  /** `raw` is the query; the flags become QR, RA and `rcode` (the finisher sets RD and CD). */
  constructor(raw: Buffer, questionEnd: number, rcode: number, flags: { truncated?: boolean } = {}) {
    this.#raw = raw;
    this.#questionEnd = questionEnd;
    this.#flags = 0x80 | (raw[2]! & 0x01) | (flags.truncated === true ? 0x02 : 0);
    this.#rcode = rcode & 0x0f;
  }

  /** Adds a record; `owner` is wire bytes (a name or QUESTION_NAME_POINTER); `rdata` starts with its 2-byte length. */
  add(section: Section, owner: Buffer, type: number, ttl: number, rdata: Buffer): this {
    this.#records.push({ section, whole: null, owner, type, ttl, rdata });
    return this;
  }

  /** Replaces the RCODE (a redirect takes the RCODE of its target's answer). */
  setRcode(rcode: number): this {
    this.#rcode = rcode & 0x0f;
    return this;
  }

  /** Adds a record copied whole (owner, type, class, TTL, RDATA uncompressed). */
  addRaw(section: Section, record: Buffer): this {
    this.#records.push({ section, whole: record, owner: NO_BYTES, type: 0, ttl: 0, rdata: NO_BYTES });
    return this;
  }

  /** The finished message: the query's head and question, then the records section by section, in the order added. */
  toBuffer(): Buffer {
    let size = this.#questionEnd;
    for (const record of this.#records) size += record.whole === null ? record.owner.length + 8 + record.rdata.length : record.whole.length;
    const out = Buffer.allocUnsafe(size);
    this.#raw.copy(out, 0, 0, this.#questionEnd);
    out[2] = this.#flags;
    out[3] = 0x80 | this.#rcode;
    out.writeUInt16BE(1, 4);
    let at = this.#questionEnd;
    for (let i = 0; i < SECTIONS.length; i++) {
      const section = SECTIONS[i];
      let count = 0;
      for (const record of this.#records) {
        if (record.section !== section) continue;
        count++;
        if (record.whole !== null) {
          at += record.whole.copy(out, at);
          continue;
        }
        at += record.owner.copy(out, at);
        at = out.writeUInt16BE(record.type, at);
        at = out.writeUInt16BE(1, at); // class IN
        at = out.writeUInt32BE(record.ttl, at);
        at += record.rdata.copy(out, at);
      }
      out.writeUInt16BE(count, 6 + 2 * i);
    }
    return out;
  }
}

/** A domain name as uncompressed wire bytes, following pointers (by walkName's rules); null if malformed. */
export function readNameWire(buf: Buffer, offset: number): Buffer | null {
  const labels: Buffer[] = [];
  const end = walkName(buf, offset, (start, length) => labels.push(buf.subarray(start - 1, start + length)));
  return end < 0 ? null : Buffer.concat([...labels, ROOT]);
}

const ROOT = Buffer.from([0]);

/**
 * One record of `message` with every name uncompressed (the owner, and the
 * names in RDATA of the types rdata-names.ts lists), ready to be placed in
 * another message, where a pointer into this one would point at anything.
 * Null when a name is malformed.
 */
export function copyRecord(message: Buffer, record: RecordAt): Buffer | null {
  const owner = readNameWire(message, record.start);
  if (owner === null) return null;
  const fixed = message.subarray(record.rdataOffset - 10, record.rdataOffset - 2);
  const rdataEnd = record.rdataOffset + record.rdataLength;
  let rdata = message.subarray(record.rdataOffset, rdataEnd);
  const layout = rdataNames(record.type);
  if (layout !== undefined) {
    const parts: Buffer[] = [message.subarray(record.rdataOffset, Math.min(record.rdataOffset + layout.before, rdataEnd))];
    let pos = record.rdataOffset + layout.before;
    for (let i = 0; i < layout.names; i++) {
      const name = pos < rdataEnd ? readNameWire(message, pos) : null;
      if (name === null) return null;
      parts.push(name);
      pos = walkName(message, pos);
      if (pos > rdataEnd) return null;
    }
    parts.push(message.subarray(pos, rdataEnd));
    rdata = Buffer.concat(parts);
  }
  const length = Buffer.alloc(2);
  length.writeUInt16BE(rdata.length, 0);
  return Buffer.concat([owner, fixed, length, rdata]);
}

/** The answer records of a message (empty when malformed). */
export function answerRecords(message: Buffer, questionEnd: number): RecordAt[] {
  return (listRecords(message, questionEnd) ?? []).filter((r) => r.section === 'answer');
}

export { HEADER_SIZE };
