import { randomInt } from 'node:crypto';
import { RRType, type Question } from '../dns/types.js';
import { messageFault } from '../dns/message-fault.js';
import { HEADER_SIZE } from '../dns/wire.js';
import { textToWire } from '../dns/name-text.js';

/** One query as sent to one upstream: its ID and bytes, and the question an answer must repeat. */
export interface UpstreamQuery {
  readonly id: number;
  /** The header, the question section (at HEADER_SIZE, ending at questionEnd) and the OPT. */
  readonly bytes: Buffer;
  readonly questionEnd: number;
}

/** What the query asks besides the question. */
export interface QueryFlags {
  readonly dnssecOk: boolean;
  readonly checkingDisabled: boolean;
  /** EDNS UDP payload size advertised (RFC 6891 section 6.2.3). */
  readonly udpPayload: number;
}

/** What a matching answer says in its header, and whether it is well-formed. */
export interface AnswerHeader {
  readonly rcode: number;
  readonly truncated: boolean;
  /** Where its question section ends: the question is the query's, octet for octet but for letter case. */
  readonly questionEnd: number;
  /** What is wrong with the message (see messageFault), or null: a broken answer is a failure of its upstream. */
  readonly fault: string | null;
}

const QR = 0x8000;
const RD = 0x0100;
const CD = 0x0010;
const DO = 0x8000;
const OPT_SIZE = 11;
const TC = 0x0200;

/**
 * Builds a query with a fresh random ID from the CSPRNG: RD=1, CD as asked, one
 * question, an OPT with our payload size and the DO bit. Throws when the name
 * cannot be encoded.
 */
export function buildUpstreamQuery(question: Question, flags: QueryFlags, wireName?: Buffer): UpstreamQuery {
  const name = wireName ?? textToWire(question.name);
  if (name === null) throw new Error(`cannot encode the name "${question.name}"`);
  const id = randomInt(0, 0x10000);
  // Header, the question from its exact octets (textToWire keeps \DDD escapes
  // and any class), then an OPT record (RFC 6891 section 6.1.2).
  // From Node's pool (allocUnsafe): a zero-filled buffer of its own is a malloc and a backing store per miss. Every
  // octet is written below.
  const bytes = Buffer.allocUnsafe(HEADER_SIZE + name.length + 4 + OPT_SIZE);
  bytes.writeUInt16BE(id, 0);
  bytes.writeUInt16BE(RD | (flags.checkingDisabled ? CD : 0), 2);
  bytes.writeUInt32BE(0x00010000, 4); // QDCOUNT 1, ANCOUNT 0
  bytes.writeUInt32BE(0x00000001, 8); // NSCOUNT 0, ARCOUNT 1: the OPT
  name.copy(bytes, HEADER_SIZE);
  let at = HEADER_SIZE + name.length;
  at = bytes.writeUInt16BE(question.type, at);
  at = bytes.writeUInt16BE(question.class, at);
  bytes[at++] = 0; // OPT owner: the root
  at = bytes.writeUInt16BE(RRType.OPT, at);
  at = bytes.writeUInt16BE(flags.udpPayload, at); // CLASS: payload size
  at = bytes.writeUInt16BE(0, at); // extended RCODE 0, version 0
  at = bytes.writeUInt16BE(flags.dnssecOk ? DO : 0, at);
  bytes.writeUInt16BE(0, at); // RDLENGTH 0
  return { id, bytes, questionEnd: HEADER_SIZE + name.length + 4 };
}

/**
 * Reads `message` as the answer to `query`, or returns null when it is not one
 * and must be ignored: wrong ID, not a response, another opcode, not exactly
 * one question, another name (compared case-insensitively), type or class.
 * An answer that matches is then checked whole (messageFault), except a UDP
 * answer with TC=1: that is only a signal to ask again over TCP, and its
 * records may be cut short. Never throws.
 */
export function checkAnswer(message: Buffer, query: UpstreamQuery, transport: 'udp' | 'tcp'): AnswerHeader | null {
  if (message.length < HEADER_SIZE || message.readUInt16BE(0) !== query.id) return null;
  const flags = message.readUInt16BE(2);
  if ((flags & QR) === 0 || (flags & 0x7800) !== 0 || message.readUInt16BE(4) !== 1) return null;
  if (!sameQuestion(message, query)) return null;
  const truncated = (flags & TC) !== 0;
  const fault = truncated && transport === 'udp' ? null : messageFault(message);
  return { rcode: flags & 0x000f, truncated, questionEnd: query.questionEnd, fault };
}

/**
 * Whether `message` repeats the query's question section: the name's octets equal but for ASCII letter case
 * (the label lengths, all below 64, are no letters, so they must be equal), then type and class equal. Compared
 * in place: reading the name as text would cost a string per answer, and a question section of the same
 * octets has the same length, so it ends where the query's does.
 */
function sameQuestion(message: Buffer, query: UpstreamQuery): boolean {
  const { bytes, questionEnd } = query;
  if (message.length < questionEnd) return false;
  const nameEnd = questionEnd - 4;
  for (let i = HEADER_SIZE; i < nameEnd; i++) {
    const ours = bytes[i]!;
    const theirs = message[i]!;
    if (ours !== theirs && foldCase(ours) !== foldCase(theirs)) return false;
  }
  for (let i = nameEnd; i < questionEnd; i++) if (bytes[i] !== message[i]) return false;
  return true;
}

/** An ASCII capital letter's small letter; any other octet as it is. */
function foldCase(octet: number): number {
  return octet >= 0x41 && octet <= 0x5a ? octet | 0x20 : octet;
}
