import { HEADER_SIZE } from '../dns/wire.js';
import { RRType } from '../dns/types.js';
import type { Answer, Query } from '../model/query.js';

/** Size of an OPT record with no options. */
const OPT_SIZE = 11;

/** Limits the finisher applies, from the `listen` config. */
export interface FinishLimits {
  /** Our UDP payload size, advertised in OPT and the most we send over UDP. */
  readonly maxUdpPayload: number;
}

/**
 * Turns an answer into the bytes sent to this client: the client's ID, RD and
 * CD bits, AA cleared, EDNS options (EDE) when the query had EDNS, the question in the client's letter case (0x20), an OPT record when
 * and only when the query had one (RFC 6891 section 7), and over UDP at most
 * the client's payload size (512 without EDNS), else TC=1 with the question only.
 */
export function finishAnswer(query: Query, answer: Answer, limits: FinishLimits, ednsOptions?: Buffer): Buffer | null {
  const message = answer.message;
  if (message === null) return null;
  message.writeUInt16BE(query.id, 0);
  // AA cleared: a forwarder is never authoritative for what it relays or synthesises.
  message[2] = (message[2]! & 0x7a) | 0x80 | (query.rd ? 1 : 0);
  const keepAd = query.edns?.dnssecOk === true || (query.raw[3]! & 0x20) !== 0;
  message[3] = (message[3]! & (keepAd ? 0x2f : 0x0f)) | 0x80 | (query.cd ? 0x10 : 0);
  if (message.readUInt16BE(4) === 1 && message.length >= query.questionEnd) {
    query.raw.copy(message, HEADER_SIZE, HEADER_SIZE, query.questionEnd - 4);
  }

  const options = query.edns === null ? undefined : ednsOptions;
  const optSize = query.edns === null ? 0 : OPT_SIZE + (options?.length ?? 0);
  const limit =
    query.transport === 'tcp'
      ? 65535
      : query.edns === null
        ? 512
        : Math.min(Math.max(query.edns.udpSize, 512), limits.maxUdpPayload);
  const fits = message.length + optSize <= limit;
  // Without EDNS a reply that fits is the message itself: it is this answer's own (it was just written to above).
  if (fits && query.edns === null) return message;
  const bodyLength = fits ? message.length : Math.min(query.questionEnd, message.length);
  const out = Buffer.allocUnsafe(bodyLength + optSize);
  message.copy(out, 0, 0, bodyLength);
  if (!fits) {
    out[2]! |= 0x02;
    out.fill(0, 6, 10);
    out.writeUInt16BE(0, 10);
  }
  if (query.edns !== null) appendOpt(out, bodyLength, query, limits.maxUdpPayload, answer.rcode, options);
  return out;
}

/** Writes our OPT record at `offset` and counts it in ARCOUNT. */
function appendOpt(out: Buffer, offset: number, query: Query, udpSize: number, rcode: number, options?: Buffer): void {
  out[offset] = 0;
  out.writeUInt16BE(RRType.OPT, offset + 1);
  out.writeUInt16BE(udpSize, offset + 3);
  out[offset + 5] = rcode >> 4; // extended RCODE (BADVERS = 16)
  out[offset + 6] = 0; // EDNS version 0
  out[offset + 7] = query.edns?.dnssecOk === true ? 0x80 : 0; // DO echoed (RFC 3225)
  out[offset + 8] = 0;
  out.writeUInt16BE(options?.length ?? 0, offset + 9);
  options?.copy(out, offset + 11);
  out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
}
