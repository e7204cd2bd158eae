import { randomInt } from 'node:crypto';
import { readNameWire } from '../../dns/message-writer.js';
import { messageFault } from '../../dns/message-fault.js';
import { nameWire, wireToText } from '../../dns/name-text.js';
import { RRType, typeName } from '../../dns/types.js';
import { hasTsig } from './tsig.js';
import type { TsigVerifier } from './tsig-stream.js';

/** Query types of a transfer (RFC 1995, RFC 5936) and SOA. */

const RCODE_NAMES: Record<number, string> = { 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 9: 'NOTAUTH', 10: 'NOTZONE' };

/**
 * A query for `zone` (no trailing dot), RD clear. With `soaSerial` (IXFR),
 * the authority section holds the client's SOA (RFC 1995 section 3); only
 * its serial matters, so the names are the root and the timers zero.
 */
export function buildQuery(zone: string, qtype: number, soaSerial?: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(randomInt(65536), 0);
  header.writeUInt16BE(1, 4);
  const zoneWire = nameWire(zone);
  const question = Buffer.concat([zoneWire, typeClass(qtype)]);
  if (soaSerial === undefined) return Buffer.concat([header, question]);
  header.writeUInt16BE(1, 8);
  const rdata = Buffer.alloc(2 + 2 + 20);
  rdata.writeUInt16BE(22, 0); // two root names, then five 32-bit numbers
  rdata.writeUInt32BE(soaSerial >>> 0, 4);
  const ttl = Buffer.alloc(4);
  return Buffer.concat([header, question, zoneWire, typeClass(RRType.SOA), ttl, rdata]);
}

function typeClass(type: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(1, 2);
  return out;
}

/** What a response must match. */
export interface Expected {
  readonly id: number;
  readonly zone: string;
  readonly qtype: number;
  readonly primary: string;
  /** "the transfer of rpz.example" etc. */
  readonly what: string;
  readonly verifier?: TsigVerifier;
}

/**
 * Checks one response message: well-formed (messageFault: a primary's bytes
 * become the zone's copy on disk and the policy), ID, QR, opcode, TSIG, RCODE
 * and question. Returns the offset just past the question section; throws an
 * error that names the primary and the zone.
 */
export function checkResponse(message: Buffer, expected: Expected): number {
  const from = `the primary ${expected.primary}`;
  if (message.length < 12) throw new Error(`${from} sent a ${message.length}-byte message during ${expected.what}; a DNS header alone is 12 bytes`);
  const fault = messageFault(message);
  if (fault !== null) throw new Error(`${from} sent a malformed message during ${expected.what}: ${fault}`);
  const id = message.readUInt16BE(0);
  if (id !== expected.id) throw new Error(`${from} answered ${expected.what} with ID ${id}; we asked with ID ${expected.id}`);
  const flags = message.readUInt16BE(2);
  if ((flags & 0x8000) === 0 || ((flags >> 11) & 0xf) !== 0) throw new Error(`${from} sent a message that is not a QUERY response during ${expected.what}`);
  const rcode = flags & 0xf;
  if (expected.verifier !== undefined && !(rcode !== 0 && !hasTsig(message))) expected.verifier.verify(message);
  if (rcode !== 0) throw rcodeError(rcode, expected);
  return checkQuestion(message, expected);
}

function rcodeError(rcode: number, expected: Expected): Error {
  const name = RCODE_NAMES[rcode] ?? `RCODE ${rcode}`;
  const from = `the primary ${expected.primary}`;
  const type = typeName(expected.qtype);
  if (rcode === 5) return new Error(`${from} refused ${expected.what} (REFUSED): check its allow-transfer list and the TSIG key we send`);
  if (rcode === 9) return new Error(`${from} is not authoritative for ${expected.zone} or did not accept our TSIG key (NOTAUTH)`);
  if (rcode === 4) return new Error(`${from} does not implement ${type} (NOTIMP)`);
  return new Error(`${from} answered ${expected.what} with ${name}`);
}

function checkQuestion(message: Buffer, expected: Expected): number {
  const count = message.readUInt16BE(4);
  if (count === 0) return 12;
  const name = readNameWire(message, 12);
  if (count !== 1 || name === null || 12 + name.length + 4 > message.length) {
    throw new Error(`the primary ${expected.primary} sent a malformed question section during ${expected.what}`);
  }
  const at = 12 + name.length;
  const zone = wireToText(name);
  const qtype = message.readUInt16BE(at);
  if (zone !== expected.zone.toLowerCase() || qtype !== expected.qtype || message.readUInt16BE(at + 2) !== 1) {
    throw new Error(`the primary ${expected.primary} answered a different question (${zone} type ${qtype}) during ${expected.what}`);
  }
  return at + 4;
}
