import { nameFaultText, walkName } from './name-walk.js';

/**
 * What is wrong with the fields of one record's RDATA that are not names, or
 * null: the length-prefixed strings, lists and bitmaps that a receiver reads
 * by their own lengths, so that one that runs past its RDATA would make a
 * client read into the next record (dig and dns-packet refuse the whole
 * message). `from` is where the fields start (after the names rdata-names.ts
 * knows of), `end` where the RDATA ends. Types not listed here are opaque
 * octets, as RFC 3597 treats unknown types.
 */
export function rdataShapeFault(buf: Buffer, type: number, start: number, from: number, end: number): string | null {
  switch (type) {
    case 13: // HINFO: CPU and OS (RFC 1035 section 3.3.2)
      return strings(buf, from, end, 2, 2);
    case 16: // TXT (RFC 1035 section 3.3.14): one or more strings
    case 99: // SPF
      return strings(buf, from, end, 1, Infinity);
    case 35: // NAPTR (RFC 3403 section 4.1): order, preference, flags, services, regexp, replacement
      return naptr(buf, start, end);
    case 64: // SVCB (RFC 9460 section 2.2): after the target, parameters as key, length, value
    case 65: // HTTPS
      return tlvs(buf, from, end);
    case 43: // DS: key tag, algorithm, digest type, digest
    case 48: // DNSKEY: flags, protocol, algorithm, key
      return at(from, end, 4);
    case 44: // SSHFP: algorithm, fingerprint type, fingerprint
      return at(from, end, 2);
    case 52: // TLSA: usage, selector, matching type, data
      return at(from, end, 3);
    case 47: // NSEC (RFC 4034 section 4.1.2): after the next name, the type bitmap
      return bitmap(buf, from, end);
    case 50: // NSEC3 (RFC 5155 section 3.2)
      return nsec3(buf, from, end, true);
    case 51: // NSEC3PARAM (RFC 5155 section 4.2)
      return nsec3(buf, from, end, false);
    case 257: // CAA (RFC 8659 section 4.1): flags, tag length, tag, value
      return at(from, end, 2) ?? (buf[from + 1]! === 0 || from + 2 + buf[from + 1]! > end ? 'a CAA tag that is empty or runs past the RDATA' : null);
    default:
      return null;
  }
}

function at(from: number, end: number, octets: number): string | null {
  return end - from < octets ? `${end - from} octets of RDATA where its fixed fields take ${octets}` : null;
}

/** Character-strings filling `from` to `end` exactly, between `min` and `max` of them. */
function strings(buf: Buffer, from: number, end: number, min: number, max: number): string | null {
  let count = 0;
  let pos = from;
  while (pos < end) {
    pos += 1 + buf[pos]!;
    count++;
  }
  if (pos !== end) return 'a character-string runs past the RDATA';
  if (count < min || count > max) return `${count} character-strings where the type has ${min === max ? min : `at least ${min}`}`;
  return null;
}

function naptr(buf: Buffer, start: number, end: number): string | null {
  let pos = start + 4;
  for (let i = 0; i < 3; i++) {
    if (pos >= end) return 'its RDATA ends before its strings';
    pos += 1 + buf[pos]!;
  }
  if (pos >= end) return 'its RDATA ends before its replacement name';
  const nameEnd = walkName(buf, pos);
  if (nameEnd < 0) return `${nameFaultText(nameEnd)} in its RDATA (at offset ${pos})`;
  return nameEnd !== end ? 'its replacement name does not end where its RDATA does' : null;
}

/** 16-bit code, 16-bit length, value: repeated to exactly `end`. */
function tlvs(buf: Buffer, from: number, end: number): string | null {
  let pos = from;
  while (pos < end) {
    if (pos + 4 > end) return 'a parameter or option cut short';
    pos += 4 + ((buf[pos + 2]! << 8) | buf[pos + 3]!);
  }
  return pos === end ? null : 'a parameter or option runs past the RDATA';
}

/** Type bitmap windows (RFC 4034 section 4.1.2): window, length 1-32, bitmap; to exactly `end`. */
function bitmap(buf: Buffer, from: number, end: number): string | null {
  let pos = from;
  while (pos < end) {
    if (pos + 2 > end) return 'a type bitmap window cut short';
    const length = buf[pos + 1]!;
    if (length < 1 || length > 32) return `a type bitmap window of ${length} octets (1 to 32)`;
    pos += 2 + length;
  }
  return pos === end ? null : 'a type bitmap runs past the RDATA';
}

function nsec3(buf: Buffer, from: number, end: number, withHash: boolean): string | null {
  if (from + 5 > end) return 'its fixed fields are cut short';
  let pos = from + 5 + buf[from + 4]!;
  if (!withHash) return pos === end ? null : 'its salt does not end where its RDATA does';
  if (pos >= end) return 'its RDATA ends before the next hashed owner';
  const hash = buf[pos]!;
  if (hash === 0) return 'an empty next hashed owner';
  pos += 1 + hash;
  return pos > end ? 'its next hashed owner runs past the RDATA' : bitmap(buf, pos, end);
}
