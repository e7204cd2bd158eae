/**
 * IP address text to 16 bytes, without allocating: the rate limiter reads
 * every UDP client's address with it, the policy engine its rpz-client-ip
 * and stop-page addresses (through addressToBytes). IPv4 is stored
 * IPv4-mapped (::ffff:a.b.c.d), as RPZ's prefix indexes store it. Accepted:
 * dotted quads without leading zeros, RFC 4291 section 2.2 text (one "::",
 * a dotted quad in the last 32 bits, any letter case) and a zone index
 * ("fe80::1%eth0", ignored), exactly what net.isIP accepts.
 */

/** The words of an IPv6 address as they are read (one parse at a time: JavaScript runs one at a time). */
const words = new Uint16Array(8);

/** Reads `text` into `out` (16 bytes); 4 for a dotted quad, 6 for IPv6 text, 0 when `text` is not an address (`out` is then unspecified). */
export function readAddress(text: string, out: Uint8Array): 0 | 4 | 6 {
  let end = text.indexOf('%');
  if (end < 0) end = text.length;
  if (text.indexOf(':') < 0) {
    if (end !== text.length || !readIpv4(text, 0, end, out)) return 0;
    out.fill(0, 0, 10);
    out[10] = out[11] = 0xff;
    return 4;
  }
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 58 /* : */) {
    if (text.charCodeAt(1) !== 58) return 0;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    const start = i;
    let value = 0;
    while (i < end && i - start < 5) {
      const digit = hexValue(text.charCodeAt(i));
      if (digit < 0) break;
      value = value * 16 + digit;
      i++;
    }
    if (i < end && text.charCodeAt(i) === 46 /* . */) {
      // A dotted quad ends the address (RFC 4291 section 2.2, form 3).
      if (count > 6 || !readIpv4(text, start, end, out)) return 0;
      words[count++] = (out[12]! << 8) | out[13]!;
      words[count++] = (out[14]! << 8) | out[15]!;
      i = end;
      break;
    }
    if (i === start || i - start > 4 || count === 8) return 0;
    words[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return 0;
    i++;
    if (text.charCodeAt(i) === 58) {
      if (gap >= 0) return 0;
      gap = count;
      i++;
    } else if (i === end) {
      return 0;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return 0;
  const missing = 8 - count;
  for (let w = 7; w >= 0; w--) {
    const from = gap < 0 || w < gap ? w : w - missing >= gap ? w - missing : -1;
    const value = from < 0 ? 0 : words[from]!;
    out[2 * w] = value >> 8;
    out[2 * w + 1] = value & 0xff;
  }
  return 6;
}

/** Whether 16 address bytes are IPv4-mapped (::ffff:0:0/96). */
export function isIpv4Mapped(a: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}

/** Reads a dotted quad from text[start, end) into out[12..15]: four decimal bytes, no leading zeros. */
function readIpv4(text: string, start: number, end: number, out: Uint8Array): boolean {
  let part = 0;
  let i = start;
  while (part < 4) {
    const first = i;
    let value = 0;
    while (i < end) {
      const code = text.charCodeAt(i);
      if (code < 48 || code > 57) break;
      value = value * 10 + (code - 48);
      i++;
    }
    const digits = i - first;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && text.charCodeAt(first) === 48)) return false;
    out[12 + part++] = value;
    if (part < 4) {
      if (text.charCodeAt(i) !== 46 || i >= end) return false;
      i++;
    }
  }
  return i === end;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}
