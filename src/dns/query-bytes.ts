import { nameWire } from './name-text.js';
import { HEADER_SIZE } from './wire.js';

/** A query message (ID 0, RD=1, one question, no OPT) for a name Stopzone itself must look up. */
export function queryBytes(name: string, type: number): Buffer {
  const wire = nameWire(name);
  const raw = Buffer.alloc(HEADER_SIZE + wire.length + 4);
  raw[2] = 0x01; // RD
  raw.writeUInt16BE(1, 4);
  wire.copy(raw, HEADER_SIZE);
  raw.writeUInt16BE(type, HEADER_SIZE + wire.length);
  raw.writeUInt16BE(1, HEADER_SIZE + wire.length + 2);
  return raw;
}
