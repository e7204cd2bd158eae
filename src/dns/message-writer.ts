import { HEADER_SIZE, listRecords, type RecordAt } from './wire.js';
import { walkName } from './name-walk.js';
import { rdataNames } from './rdata-names.js';

/** A pointer to the question's name at offset 12 (RFC 1035 section 4.1.4). */
export const QUESTION_NAME_POINTER = Buffer.from([0xc0, 0x0c]);

type Section = 'answer' | 'authority' | 'additional';

/**
 * Builds a response message by hand: the query's own header and question
 * bytes (so the question is exactly what the client sent), then records
 * whose names are written uncompressed (or as a pointer to the question).
 * No OPT: the finisher adds the client's.
 */
export class MessageWriter {
  readonly #head: Buffer;
  readonly #sections: Record<Section, Buffer[]> = { answer: [], authority: [], additional: [] };

  /** `raw` is the query; the flags become QR, RA and `rcode` (the finisher sets RD and CD). */
  constructor(raw: Buffer, questionEnd: number, rcode: number, flags: { truncated?: boolean } = {}) {
    this.#head = Buffer.from(raw.subarray(0, questionEnd));
    this.#head[2] = 0x80 | (raw[2]! & 0x01) | (flags.truncated ? 0x02 : 0);
    this.#head[3] = 0x80 | (rcode & 0x0f);
    this.#head.writeUInt16BE(1, 4);
  }

  /** Adds a record; `owner` is wire bytes (a name or QUESTION_NAME_POINTER); `rdata` starts with its 2-byte length. */
  add(section: Section, owner: Buffer, type: number, ttl: number, rdata: Buffer): this {
    const fixed = Buffer.alloc(8);
    fixed.writeUInt16BE(type, 0);
    fixed.writeUInt16BE(1, 2); // class IN
    fixed.writeUInt32BE(ttl, 4);
    this.#sections[section].push(Buffer.concat([owner, fixed, rdata]));
    return this;
  }

  /** Replaces the RCODE (a redirect takes the RCODE of its target's answer). */
  setRcode(rcode: number): this {
    this.#head[3] = (this.#head[3]! & 0xf0) | (rcode & 0x0f);
    return this;
  }

  /** Adds a record copied whole (owner, type, class, TTL, RDATA uncompressed). */
  addRaw(section: Section, record: Buffer): this {
    this.#sections[section].push(record);
    return this;
  }

  /** The finished message. */
  toBuffer(): Buffer {
    const head = Buffer.from(this.#head);
    head.writeUInt16BE(this.#sections.answer.length, 6);
    head.writeUInt16BE(this.#sections.authority.length, 8);
    head.writeUInt16BE(this.#sections.additional.length, 10);
    return Buffer.concat([head, ...this.#sections.answer, ...this.#sections.authority, ...this.#sections.additional]);
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
