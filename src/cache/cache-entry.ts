/**
 * One cached answer as a single buffer of its own, and nothing else: the
 * message (without OPT); then per record 6 bytes, its TTL field's offset (u16)
 * and its capped TTL (u32); then a trailer with when it was stored, until
 * when it is fresh and until when it may be served stale (f64, milliseconds)
 * and the message's length (u16). Shared and never mutated: hits copy the
 * message.
 *
 * Why one buffer: entries live for seconds to hours and the cache replaces
 * hundreds a second, so every object an entry holds is promoted to V8's old
 * generation and marked at each major GC. An object with the three times as
 * fields took 6 heap objects per entry (the times are heap numbers); the
 * buffer takes 2 (the Buffer and its ArrayBuffer).
 */
export type CacheEntry = Buffer;

const RECORD = 6;
const STORED_AT = 26;
const FRESH_UNTIL = 18;
const STALE_UNTIL = 10;
const MESSAGE_LENGTH = 2;
const TRAILER = 26;

export interface EntryTimes {
  readonly storedAt: number;
  readonly freshUntil: number;
  readonly staleUntil: number;
}

/** The entry for `message`, whose records have their TTL fields at `ttlOffsets` and are kept with `ttls`. */
export function encodeEntry(message: Buffer, ttlOffsets: readonly number[], ttls: readonly number[], times: EntryTimes): CacheEntry {
  // A buffer of its own: a slice of Node's shared 8 KiB pool would keep the whole slab alive.
  const entry = Buffer.allocUnsafeSlow(message.length + ttlOffsets.length * RECORD + TRAILER);
  message.copy(entry);
  ttlOffsets.forEach((offset, i) => {
    entry.writeUInt16BE(offset, message.length + i * RECORD);
    entry.writeUInt32BE(ttls[i]!, message.length + i * RECORD + 2);
  });
  const end = entry.length;
  entry.writeDoubleLE(times.storedAt, end - STORED_AT);
  entry.writeDoubleLE(times.freshUntil, end - FRESH_UNTIL);
  entry.writeDoubleLE(times.staleUntil, end - STALE_UNTIL);
  entry.writeUInt16LE(message.length, end - MESSAGE_LENGTH);
  return entry;
}

export function storedAt(entry: CacheEntry): number {
  return entry.readDoubleLE(entry.length - STORED_AT);
}

export function freshUntil(entry: CacheEntry): number {
  return entry.readDoubleLE(entry.length - FRESH_UNTIL);
}

export function staleUntil(entry: CacheEntry): number {
  return entry.readDoubleLE(entry.length - STALE_UNTIL);
}

/** A copy of the entry's message with each record's stored TTL counted down by `age` seconds, to 0 at the least. */
export function agedCopy(entry: CacheEntry, age: number): Buffer {
  return copyWithTtls(entry, age, -1);
}

/** A copy of the entry's message with every record's TTL `ttl` (a stale answer's). */
export function staleCopy(entry: CacheEntry, ttl: number): Buffer {
  return copyWithTtls(entry, 0, ttl);
}

// Numbers, not a function per copy: a hit is answered from the packet's callback, and a closure for it was garbage.
function copyWithTtls(entry: CacheEntry, age: number, fixedTtl: number): Buffer {
  const messageLength = entry.readUInt16LE(entry.length - MESSAGE_LENGTH);
  const recordsEnd = entry.length - TRAILER;
  const message = Buffer.allocUnsafe(messageLength);
  entry.copy(message, 0, 0, messageLength);
  for (let at = messageLength; at < recordsEnd; at += RECORD) {
    const stored = entry.readUInt32BE(at + 2);
    message.writeUInt32BE(fixedTtl >= 0 ? fixedTtl : stored > age ? stored - age : 0, entry.readUInt16BE(at));
  }
  return message;
}
