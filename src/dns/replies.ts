import { HEADER_SIZE } from './wire.js';

/**
 * A reply with no records: the query's header (ID, opcode, RD, CD) turned
 * into a response with `rcode`, and its question when `questionEnd` is given
 * (REFUSED, SERVFAIL). Header-only when the question could not be read
 * (FORMERR, NOTIMP). No OPT: the finisher adds the client's.
 */
export function emptyReply(raw: Buffer, rcode: number, questionEnd?: number): Buffer {
  const length = questionEnd ?? HEADER_SIZE;
  const reply = Buffer.alloc(length);
  raw.copy(reply, 0, 0, length);
  reply[2] = 0x80 | (raw[2]! & 0x79); // QR, opcode, RD
  reply[3] = 0x80 | (raw[3]! & 0x10) | (rcode & 0x0f); // RA, CD, RCODE
  reply.writeUInt16BE(questionEnd === undefined ? 0 : 1, 4);
  reply.fill(0, 6, 12);
  return reply;
}
