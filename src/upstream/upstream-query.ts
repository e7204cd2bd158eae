import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { Question } from '../dns/types.js';
import { HEADER_SIZE, listRecords, readQuestion } from '../dns/wire.js';
import { nameToWire } from './wire-name.js';

/** One query as sent to one upstream: its ID and bytes, and the question an answer must repeat. */
export interface UpstreamQuery {
  readonly id: number;
  readonly bytes: Buffer;
  /** The question as encoded, read back from `bytes`. */
  readonly question: Question;
}

/** What the query asks besides the question. */
export interface QueryFlags {
  readonly dnssecOk: boolean;
  readonly checkingDisabled: boolean;
  /** EDNS UDP payload size advertised (RFC 6891 section 6.2.3). */
  readonly udpPayload: number;
}

/** What a matching answer says in its header. */
export interface AnswerHeader {
  readonly rcode: number;
  readonly truncated: boolean;
}

const QR = 0x8000;
const TC = 0x0200;

/**
 * Builds a query with a fresh random ID from the CSPRNG: RD=1, CD as asked, one
 * question, an OPT with our payload size and the DO bit. Throws when the name
 * cannot be encoded.
 */
export function buildUpstreamQuery(question: Question, flags: QueryFlags): UpstreamQuery {
  const name = nameToWire(question.name);
  if (name === null) throw new Error(`cannot encode the name "${question.name}"`);
  const id = randomInt(0, 0x10000);
  const skeleton = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED | (flags.checkingDisabled ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [{ name: '.', type: 'A', class: 'IN' }],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: flags.udpPayload,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: flags.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
        flag_do: flags.dnssecOk,
        options: [],
      },
    ],
  });
  // dns-packet writes the header and the OPT; the question is spliced in from
  // its exact octets, since dns-packet encodes labels as UTF-8, knows no \DDD
  // escapes and cannot write an unknown class. The skeleton's question is the
  // root name (1 octet) plus type and class (4).
  const typeClass = Buffer.alloc(4);
  typeClass.writeUInt16BE(question.type, 0);
  typeClass.writeUInt16BE(question.class, 2);
  const bytes = Buffer.concat([skeleton.subarray(0, HEADER_SIZE), name, typeClass, skeleton.subarray(HEADER_SIZE + 5)]);
  const encoded = readQuestion(bytes);
  if (encoded === null) throw new Error(`cannot encode the name "${question.name}"`);
  return { id, bytes, question: encoded.question };
}

/**
 * Reads `message` as the answer to `query`, or returns null when it is not one
 * and must be ignored: wrong ID, not a response, another opcode, not exactly
 * one question, another name (compared case-insensitively), type or class, or
 * records that run past the end. Never throws.
 */
export function checkAnswer(message: Buffer, query: UpstreamQuery): AnswerHeader | null {
  if (message.length < HEADER_SIZE || message.readUInt16BE(0) !== query.id) return null;
  const flags = message.readUInt16BE(2);
  if ((flags & QR) === 0 || (flags & 0x7800) !== 0 || message.readUInt16BE(4) !== 1) return null;
  const at = readQuestion(message);
  if (at === null) return null;
  const { question } = at;
  if (question.lname !== query.question.lname || question.type !== query.question.type || question.class !== query.question.class) return null;
  const truncated = (flags & TC) !== 0;
  // A truncated answer is only a signal to retry over TCP; its records may be cut short.
  if (!truncated && listRecords(message, at.end) === null) return null;
  return { rcode: flags & 0x000f, truncated };
}
