import { readNameWire } from '../../dns/message-writer.js';
import { RRType } from '../../dns/types.js';
import { wireToText } from '../../dns/name-text.js';
import { listRecords, readQuestion, skipName } from '../../dns/wire.js';

/** Class ANY, in which a TSIG record travels (RFC 8945 section 4.2). */
export const CLASS_ANY = 255;

/** TSIG error codes (RFC 8945 section 3; BADTRUNC from section 5.2.2.1). */
export const TsigError: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

/** The fields of a message's TSIG record, and the message as it was before the record was added. */
export interface TsigRecord {
  /** Key name, lower-case, no trailing dot. */
  readonly keyName: string;
  /** Algorithm name, lower-case, with the trailing dot. */
  readonly algorithm: string;
  /** Seconds since the epoch. */
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Buffer;
  readonly originalId: number;
  readonly error: number;
  readonly otherData: Buffer;
  /** The message without its TSIG: ARCOUNT one less, the ID set back to the original ID (section 4.3.2). */
  readonly unsigned: Buffer;
}

export type TsigFind = { readonly found: TsigRecord } | { readonly found: null } | { readonly malformed: string };

/** Finds the TSIG record, which must be the last record of the additional section (section 5.2). */
export function findTsig(message: Buffer): TsigFind {
  const question = message.readUInt16BE(4) === 0 ? { end: 12 } : questionEnd(message);
  if (question === null) return { malformed: 'the question section is malformed' };
  const records = listRecords(message, question.end);
  if (records === null) return { malformed: 'the message does not hold the records its header counts' };
  const at = records.findIndex((r) => r.type === RRType.TSIG);
  if (at < 0) return { found: null };
  const record = records[at]!;
  if (at !== records.length - 1 || record.section !== 'additional') return { malformed: 'a TSIG record is not the last record of the message' };
  const owner = readNameWire(message, record.start);
  const algorithmWire = readNameWire(message, record.rdataOffset);
  const fieldsAt = skipName(message, record.rdataOffset);
  const end = record.rdataOffset + record.rdataLength;
  if (owner === null || algorithmWire === null || fieldsAt < 0 || fieldsAt + 10 > end) return { malformed: 'its TSIG record is malformed' };
  const macSize = message.readUInt16BE(fieldsAt + 8);
  const afterMac = fieldsAt + 10 + macSize;
  if (afterMac + 6 > end) return { malformed: 'its TSIG record is malformed' };
  const otherLength = message.readUInt16BE(afterMac + 4);
  if (afterMac + 6 + otherLength !== end) return { malformed: 'its TSIG record is malformed' };
  const originalId = message.readUInt16BE(afterMac);
  const unsigned = Buffer.from(message.subarray(0, record.start));
  unsigned.writeUInt16BE(originalId, 0);
  unsigned.writeUInt16BE(message.readUInt16BE(10) - 1, 10);
  return {
    found: {
      keyName: wireToText(owner),
      algorithm: `${wireToText(algorithmWire)}.`,
      timeSigned: message.readUInt16BE(fieldsAt) * 2 ** 32 + message.readUInt32BE(fieldsAt + 2),
      fudge: message.readUInt16BE(fieldsAt + 6),
      mac: Buffer.from(message.subarray(fieldsAt + 10, afterMac)),
      originalId,
      error: message.readUInt16BE(afterMac + 2),
      otherData: Buffer.from(message.subarray(afterMac + 6, end)),
      unsigned,
    },
  };
}

function questionEnd(message: Buffer): { end: number } | null {
  // readQuestion refuses pointers in the question; a question is never compressed against earlier data anyway.
  const question = readQuestion(message);
  return question === null ? null : { end: question.end };
}

/** Time Signed (48 bits) then Fudge (16 bits): the "TSIG timers" of section 4.3.1. */
export function timers(timeSigned: number, fudge: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt16BE(Math.floor(timeSigned / 2 ** 32), 0);
  out.writeUInt32BE(timeSigned % 2 ** 32, 2);
  out.writeUInt16BE(fudge, 6);
  return out;
}

/** A 16-bit length followed by the bytes (MAC Size + MAC, Other Len + Other Data). */
export function sized(bytes: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

/** The TSIG record's bytes (section 4.2): owner, type, class ANY, TTL 0, RDATA. */
export function tsigRecordBytes(fields: {
  nameWire: Buffer;
  algorithmWire: Buffer;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
}): Buffer {
  const idAndError = Buffer.alloc(4);
  idAndError.writeUInt16BE(fields.originalId, 0);
  idAndError.writeUInt16BE(fields.error, 2);
  const rdata = Buffer.concat([fields.algorithmWire, timers(fields.timeSigned, fields.fudge), sized(fields.mac), idAndError, sized(fields.otherData)]);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(RRType.TSIG, 0);
  fixed.writeUInt16BE(CLASS_ANY, 2);
  fixed.writeUInt32BE(0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([fields.nameWire, fixed, rdata]);
}
