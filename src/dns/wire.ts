import type { Edns, Question } from './types.js';
import { RRType } from './types.js';
import { lowerAsciiInPlace, writeLabelText } from './name-text.js';

/**
 * Raw-byte readers for the hot path: enough of RFC 1035 section 4 to answer
 * from the cache without a full decode. Every reader returns null (or -1) on
 * malformed input instead of throwing.
 */

export const HEADER_SIZE = 12;

/** Offset just past the name at `offset` (following no pointers), or -1 if malformed. */
export function skipName(buf: Buffer, offset: number): number {
  let pos = offset;
  for (let hops = 0; hops < 128; hops++) {
    if (pos >= buf.length) return -1;
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) return pos + 2 <= buf.length ? pos + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    pos += len + 1;
  }
  return -1;
}

export interface QuestionAt {
  readonly question: Question;
  /** Offset just past the question (name, type, class). */
  readonly end: number;
}

/** Room for the canonical text of the longest name: 255 octets at most 4 characters each (\\DDD), and the dots. */
const NAME_TEXT = Buffer.allocUnsafe(1152);

/**
 * Reads the first question, which must start at offset 12 and use no
 * compression pointer (nothing precedes it to point at). Its name in
 * canonical text (name-text.ts), written into one buffer and sliced once,
 * and again lower-cased only when it holds a letter A-Z.
 */
export function readQuestion(buf: Buffer): QuestionAt | null {
  let pos = HEADER_SIZE;
  let at = 0;
  for (;;) {
    if (pos >= buf.length) return null;
    const len = buf[pos]!;
    if (len === 0) break;
    if (len > 63 || pos + 1 + len - HEADER_SIZE > 254 || pos + 1 + len > buf.length) return null;
    if (at > 0) NAME_TEXT[at++] = 0x2e;
    at = writeLabelText(buf, pos + 1, pos + 1 + len, NAME_TEXT, at);
    pos += len + 1;
  }
  pos += 1;
  if (pos + 4 > buf.length) return null;
  const name = NAME_TEXT.toString('latin1', 0, at);
  const lname = lowerAsciiInPlace(NAME_TEXT, 0, at) ? NAME_TEXT.toString('latin1', 0, at) : name;
  return { question: { name, lname, type: buf.readUInt16BE(pos), class: buf.readUInt16BE(pos + 2) }, end: pos + 4 };
}

/** One resource record's place in a message. */
export interface RecordAt {
  readonly section: 'answer' | 'authority' | 'additional';
  /** Offset of the owner name. */
  readonly start: number;
  readonly type: number;
  /** Offset of the 32-bit TTL field. */
  readonly ttlOffset: number;
  readonly rdataOffset: number;
  readonly rdataLength: number;
  /** Offset just past the record. */
  readonly end: number;
}

/** The sections after the question, in message order (their counts follow QDCOUNT in the header). */
export const SECTIONS: ReadonlyArray<RecordAt['section']> = ['answer', 'authority', 'additional'];

/**
 * Lists every resource record after the question section, or null when the
 * message does not hold the records its header counts.
 */
export function listRecords(buf: Buffer, questionEnd: number): RecordAt[] | null {
  if (buf.length < HEADER_SIZE) return null;
  const records: RecordAt[] = [];
  let pos = questionEnd;
  for (let s = 0; s < SECTIONS.length; s++) {
    const section = SECTIONS[s]!;
    const count = buf.readUInt16BE(6 + 2 * s); // ANCOUNT, NSCOUNT, ARCOUNT
    for (let i = 0; i < count; i++) {
      const nameEnd = skipName(buf, pos);
      if (nameEnd < 0 || nameEnd + 10 > buf.length) return null;
      const rdataLength = buf.readUInt16BE(nameEnd + 8);
      const end = nameEnd + 10 + rdataLength;
      if (end > buf.length) return null;
      records.push({ section, start: pos, type: buf.readUInt16BE(nameEnd), ttlOffset: nameEnd + 4, rdataOffset: nameEnd + 10, rdataLength, end });
      pos = end;
    }
  }
  return records;
}

/** Result of reading a query's OPT record. */
export type EdnsRead = { readonly ok: true; readonly edns: Edns | null } | { readonly ok: false };

const NO_EDNS: EdnsRead = Object.freeze({ ok: true, edns: null });
const MALFORMED: EdnsRead = Object.freeze({ ok: false });

/**
 * Reads the OPT pseudo-record (RFC 6891 section 6.1.1) of a query. More than
 * one OPT, or an OPT outside the additional section, is malformed, as are
 * records that overrun the message. Walks the records in place: a query with
 * EDNS allocates only its Edns.
 */
export function readEdns(buf: Buffer, questionEnd: number): EdnsRead {
  const beforeAdditional = buf.readUInt16BE(6) + buf.readUInt16BE(8);
  const total = beforeAdditional + buf.readUInt16BE(10);
  if (total === 0) return NO_EDNS;
  let edns: Edns | null = null;
  let pos = questionEnd;
  for (let i = 0; i < total; i++) {
    const nameEnd = skipName(buf, pos);
    if (nameEnd < 0 || nameEnd + 10 > buf.length) return MALFORMED;
    const end = nameEnd + 10 + buf.readUInt16BE(nameEnd + 8);
    if (end > buf.length) return MALFORMED;
    if (buf.readUInt16BE(nameEnd) === RRType.OPT) {
      // One OPT, in the additional section, owned by the root.
      if (edns !== null || i < beforeAdditional || buf[pos] !== 0) return MALFORMED;
      edns = { udpSize: Math.max(512, buf.readUInt16BE(nameEnd + 2)), version: buf[nameEnd + 5]!, dnssecOk: (buf[nameEnd + 6]! & 0x80) !== 0 };
    }
    pos = end;
  }
  return edns === null ? NO_EDNS : { ok: true, edns };
}
