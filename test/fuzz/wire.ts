/**
 * Just enough DNS wire writing for the fuzz generators: names, questions,
 * records and OPT built byte by byte (dns-packet refuses most of what a
 * fuzzer wants to send), and a scan of where a message's fields lie, so
 * mutations can aim at label lengths, counts, types and RDLENGTHs.
 */

/** A presentation name ("a\.b.c", "\255x.test", "" or "." for the root) as uncompressed wire labels; no length checks. */
export function nameBytes(name: string): Buffer {
  const out: number[] = [];
  let label: number[] = [];
  const end = (): void => {
    out.push(label.length & 0xff, ...label);
    label = [];
  };
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c && i + 1 < name.length) {
      const digits = /^[0-9]{3}/.exec(name.slice(i + 1));
      if (digits !== null) {
        label.push(Number(digits[0]) & 0xff);
        i += 3;
      } else label.push(name.charCodeAt(++i) & 0xff);
    } else if (c === 0x2e) {
      if (label.length > 0 || i === 0) end();
    } else label.push(c & 0xff);
  }
  if (label.length > 0) end();
  out.push(0);
  return Buffer.from(out);
}

/** A question entry: name, type, class. */
export function question(name: Buffer, type: number, klass = 1): Buffer {
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type & 0xffff, 0);
  tail.writeUInt16BE(klass & 0xffff, 2);
  return Buffer.concat([name, tail]);
}

/** A resource record with RDLENGTH = rdata's length. */
export function record(owner: Buffer, type: number, ttl: number, rdata: Buffer, klass = 1): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type & 0xffff, 0);
  fixed.writeUInt16BE(klass & 0xffff, 2);
  fixed.writeUInt32BE(ttl >>> 0, 4);
  fixed.writeUInt16BE(rdata.length & 0xffff, 8);
  return Buffer.concat([owner, fixed, rdata]);
}

/** An EDNS option (RFC 6891 section 6.1.2). */
export function ednsOption(code: number, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(code & 0xffff, 0);
  head.writeUInt16BE(data.length & 0xffff, 2);
  return Buffer.concat([head, data]);
}

/** An OPT pseudo-record: payload size in CLASS, extended RCODE, version and DO in TTL. */
export function optRecord(udpSize: number, options: Buffer[] = [], dnssecOk = false, version = 0, extendedRcode = 0): Buffer {
  const ttl = ((extendedRcode & 0xff) << 24) | ((version & 0xff) << 16) | (dnssecOk ? 0x8000 : 0);
  return record(Buffer.from([0]), 41, ttl, Buffer.concat(options), udpSize);
}

/** Header fields of a message. */
export interface HeaderSpec {
  readonly id: number;
  /** The 16-bit flags word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE). */
  readonly flags: number;
  /** Counts as written; by default the numbers of entries given. */
  readonly counts?: readonly [number, number, number, number];
}

/** A message from its header and already-encoded sections. */
export function message(header: HeaderSpec, questions: Buffer[], answers: Buffer[] = [], authorities: Buffer[] = [], additionals: Buffer[] = []): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(header.id & 0xffff, 0);
  head.writeUInt16BE(header.flags & 0xffff, 2);
  const counts = header.counts ?? [questions.length, answers.length, authorities.length, additionals.length];
  counts.forEach((count, i) => head.writeUInt16BE(count & 0xffff, 4 + 2 * i));
  return Buffer.concat([head, ...questions, ...answers, ...authorities, ...additionals]);
}

/** Flags word helpers (RFC 1035 section 4.1.1, RFC 4035 section 3.2). */
export const Flag = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, Z: 0x0040, AD: 0x0020, CD: 0x0010 } as const;

/** Where a message's fields lie, as far as it can be walked. */
export interface Layout {
  /** Offsets of label-length octets (terminal zeros and pointers included). */
  readonly labels: number[];
  /** Offsets of each record's TYPE (RDLENGTH is at +8, RDATA at +10). */
  readonly records: number[];
  /** Offset just past the question section, or -1 when it could not be walked. */
  readonly questionEnd: number;
}

/** Walks a message's names and records; stops quietly at the first thing that does not parse. */
export function layout(raw: Buffer): Layout {
  const labels: number[] = [];
  const records: number[] = [];
  let questionEnd = -1;
  if (raw.length < 12) return { labels, records, questionEnd };
  const skipName = (at: number): number => {
    for (let hops = 0; at < raw.length && hops < 128; hops++) {
      labels.push(at);
      const length = raw[at]!;
      if (length === 0) return at + 1;
      if (length >= 0xc0) return at + 2;
      if (length > 63) return -1;
      at += 1 + length;
    }
    return -1;
  };
  let at = 12;
  for (let q = raw.readUInt16BE(4); q > 0 && at > 0; q--) {
    at = skipName(at);
    if (at < 0 || at + 4 > raw.length) return { labels, records, questionEnd };
    at += 4;
  }
  questionEnd = at;
  const total = raw.readUInt16BE(6) + raw.readUInt16BE(8) + raw.readUInt16BE(10);
  for (let r = 0; r < total && at < raw.length; r++) {
    at = skipName(at);
    if (at < 0 || at + 10 > raw.length) break;
    records.push(at);
    at += 10 + raw.readUInt16BE(at + 8);
  }
  return { labels, records, questionEnd };
}
