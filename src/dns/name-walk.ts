import { HEADER_SIZE } from './wire.js';

/**
 * Why a name in a message is malformed. Negative, so that a walk returns
 * either the offset just past the name or one of these, with no allocation.
 */
export const NameFault = {
  CUT_SHORT: -1,
  LABEL_TYPE: -2,
  TOO_LONG: -3,
  POINTER_FORWARD: -4,
  POINTER_LOOP: -5,
  POINTER_PAST_END: -6,
  POINTER_INTO_HEADER: -7,
  TOO_MANY_POINTERS: -8,
} as const;

const FAULT_TEXT: Record<number, string> = {
  [NameFault.CUT_SHORT]: 'a name runs past the end of the message',
  [NameFault.LABEL_TYPE]: 'a label of a retired or reserved type (first bits 01 or 10)',
  [NameFault.TOO_LONG]: 'a name longer than 255 octets',
  [NameFault.POINTER_FORWARD]: 'a compression pointer to itself or forward',
  [NameFault.POINTER_LOOP]: 'a compression pointer back into its own name (a loop)',
  [NameFault.POINTER_PAST_END]: 'a compression pointer past the end of the message',
  [NameFault.POINTER_INTO_HEADER]: 'a compression pointer into the header',
  [NameFault.TOO_MANY_POINTERS]: 'a name with more than 127 compression pointers',
};

/** What a NameFault code means, in words. */
export function nameFaultText(fault: number): string {
  return FAULT_TEXT[fault] ?? `name fault ${fault}`;
}

/** A name has at most 127 labels; it never needs more pointers than that. */
const MAX_POINTERS = 127;

/**
 * Walks the name at `offset`, following compression pointers, and returns
 * the offset just past the name where it starts, or a NameFault (negative).
 * `onLabel` is told each label's offset and length, in order.
 *
 * Rules, as BIND's and dns-packet's decoders apply them: a pointer must point
 * to a prior occurrence (RFC 1035 section 4.1.4), that is strictly before
 * where the name, or the part reached by the previous pointer, began. Each
 * jump therefore lands lower than the one before, so no walk can loop, and a
 * pointer can never reach into bytes that come later (which a relay may cut).
 * Labels are 0-63 octets (types 01 and 10 are refused, RFC 6891 section 5 and
 * RFC 1035 section 4.1.4), and the whole name at most 255 octets (section 3.1).
 */
export function walkName(buf: Buffer, offset: number, onLabel?: (start: number, length: number) => void): number {
  let pos = offset;
  let floor = offset;
  let end = -1;
  let length = 1;
  let pointers = 0;
  for (;;) {
    if (pos >= buf.length) return NameFault.CUT_SHORT;
    const len = buf[pos]!;
    if (len === 0) return end < 0 ? pos + 1 : end;
    if (len < 64) {
      length += len + 1;
      if (length > 255) return NameFault.TOO_LONG;
      if (pos + 1 + len > buf.length) return NameFault.CUT_SHORT;
      onLabel?.(pos + 1, len);
      pos += len + 1;
      continue;
    }
    if (len < 0xc0) return NameFault.LABEL_TYPE;
    if (pos + 1 >= buf.length) return NameFault.CUT_SHORT;
    const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
    if (target >= floor) return target >= buf.length ? NameFault.POINTER_PAST_END : target >= pos ? NameFault.POINTER_FORWARD : NameFault.POINTER_LOOP;
    if (target < HEADER_SIZE) return NameFault.POINTER_INTO_HEADER;
    if (++pointers > MAX_POINTERS) return NameFault.TOO_MANY_POINTERS;
    if (end < 0) end = pos + 2;
    floor = target;
    pos = target;
  }
}
