/**
 * Answers a broken upstream could send, built byte by byte for the query a
 * fake upstream received (its ID and question are kept, so that the answer
 * matches and only its body is wrong). Offsets are computed, never guessed:
 * each builder lays the records out in order and points where it says.
 */

const A_RECORD_TAIL = [0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1]; // type A, class IN, TTL 3600, RDLENGTH 4, 192.0.2.1

/** A pointer to `offset` (RFC 1035 section 4.1.4). */
export function pointer(offset: number): number[] {
  return [0xc0 | (offset >> 8), offset & 0xff];
}

/** The query's question section and where it ends (the question is never compressed). */
function questionOf(query: Buffer): { bytes: Buffer; name: Buffer; end: number } {
  let pos = 12;
  while (query[pos]! !== 0) pos += query[pos]! + 1;
  return { bytes: query.subarray(12, pos + 5), name: query.subarray(12, pos + 1), end: pos + 5 };
}

/** Header (the query's ID; QR, RD, RA; NOERROR), the question, then `body`; `counts` are AN, NS and AR as written in the header. */
export function answerWith(query: Buffer, counts: [number, number, number], body: (questionEnd: number, name: Buffer) => number[]): Buffer {
  const question = questionOf(query);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(counts[0], 6);
  header.writeUInt16BE(counts[1], 8);
  header.writeUInt16BE(counts[2], 10);
  return Buffer.concat([header, question.bytes, Buffer.from(body(question.end, question.name))]);
}

/** The malformed answers every test of D11 sends, by what is wrong with them. */
export const malformedAnswers: Record<string, (query: Buffer) => Buffer> = {
  /** The owner is label "x" then a pointer back to that label: x.x.x.x... for ever. */
  'a compression loop': (query) => answerWith(query, [1, 0, 0], (at) => [1, 0x78, ...pointer(at), ...A_RECORD_TAIL]),
  /**
   * The owner points forward into the additional section, which Stopzone cuts
   * when it relays: the pointer would dangle past the end of what is sent.
   */
  'a forward pointer': (query) =>
    answerWith(query, [1, 0, 1], (at, name) => {
      const additional = at + 2 + A_RECORD_TAIL.length;
      return [...pointer(additional), ...A_RECORD_TAIL, ...name, ...A_RECORD_TAIL];
    }),
  /** The owner points beyond the last byte of the message. */
  'a pointer past the end': (query) => answerWith(query, [1, 0, 0], (at) => [...pointer(at + 2 + A_RECORD_TAIL.length + 40), ...A_RECORD_TAIL]),
  /** ANCOUNT 2, one record. */
  'counts larger than the records': (query) => answerWith(query, [2, 0, 0], () => [...pointer(12), ...A_RECORD_TAIL]),
  /** A CNAME whose target holds a label of the reserved type 0b01 (0x41). */
  'a CNAME whose target is malformed': (query) =>
    answerWith(query, [1, 0, 0], () => [...pointer(12), 0, 5, 0, 1, 0, 0, 0x0e, 0x10, 0, 6, 0x41, 0x61, 0x62, 0x63, 0x64, 0]),
};
