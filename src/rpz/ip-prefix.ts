import { isIpv4Mapped, readAddress } from './address-bytes.js';

/**
 * IP-address triggers (rpz-ip, rpz-client-ip, rpz-nsip): the owner labels
 * below the trigger label, read as BIND 9 reads them (lib/dns/rpz.c
 * name2ipkey) and checked against BIND's canonical spelling (ip2name).
 *
 * - IPv4 `prefix.B4.B3.B2.B1`: exactly 4 address labels, no "z" in them
 *   (BIND's test), prefix 1..32, stored IPv4-mapped as ::ffff:B1.B2.B3.B4
 *   with length 96 + prefix.
 * - IPv6 `prefix.W8...W1`, hex words least significant first, "zz" for the
 *   `::` run; prefix 1..128. /0 is refused by BIND for both families.
 * - Bits set past the prefix: refused (BIND: "too small prefix length";
 *   BIND only checks the 32-bit word holding the boundary, so it loads
 *   e.g. 32.1.zz.db8.2001, which then never matches).
 * - Other spellings of a valid prefix (leading zeros, "zz" not on the longest
 *   zero run, an IPv4-mapped prefix written as IPv6): BIND loads them with a
 *   "not the canonical" warning, but it looks rules up by the canonical name
 *   (lib/ns/query.c rpz_rewrite_ip), so they never fire. Refused here, with
 *   the canonical spelling in the reason.
 */

export type IpFamily = 4 | 6;

/** One decoded trigger prefix. */
export interface IpPrefix {
  readonly family: IpFamily;
  /** Prefix length as written: 1..32 for IPv4, 1..128 for IPv6. */
  readonly bits: number;
  /** 16 bytes, IPv4 as IPv4-mapped ::ffff:a.b.c.d; zero past the prefix. */
  readonly address: Uint8Array;
  /** Prefix length within the 128-bit space: IPv4 -> 96 + bits. */
  readonly length128: number;
}

/** The outcome of decodePrefixLabels; `reason` reads well after "file:line: owner: ". */
export type PrefixDecode = { ok: true; prefix: IpPrefix } | { ok: false; reason: string };

const DIGITS = /^[0-9]+$/;
const HEX_WORD = /^[0-9a-f]{1,4}$/;
const SPELLINGS = 'expected prefix.B4.B3.B2.B1 (IPv4) or prefix.W8...W1 with "zz" for the :: run (IPv6)';

/** Decodes trigger labels ("24.0.2.0.192", "48.zz.bad.db8.2001"; no trigger label, origin or trailing dot). */
export function decodePrefixLabels(labels: string): PrefixDecode {
  const parts = labels.toLowerCase().split('.');
  if (labels === '' || parts.length < 2) return fail(`too short: ${SPELLINGS}`);
  if (parts.length === 4 && parts.every(isDecimalByte)) return fail(missingPrefix(parts));
  const first = parts[0]!;
  const rest = parts.slice(1);
  if (!DIGITS.test(first)) return fail(`prefix length "${first}" is not a number; ${SPELLINGS}`);
  const bits = Number(first);
  if (bits < 1 || bits > 128) return fail(`prefix length ${first} is outside 1 to 128 (1 to 32 for IPv4)`);

  const ipv4 = rest.length === 4 && !rest.some((label) => label.includes('z'));
  const address = new Uint8Array(16);
  if (ipv4) {
    if (bits > 32) return fail(`prefix length ${first} is above 32 for IPv4`);
    address[10] = address[11] = 0xff;
    for (let i = 0; i < 4; i++) {
      const label = rest[3 - i]!;
      if (!DIGITS.test(label) || Number(label) > 255) return fail(`IPv4 byte "${label}" is not a number from 0 to 255`);
      address[12 + i] = Number(label);
    }
  } else {
    const zz = rest.filter((label) => label === 'zz').length;
    const given = rest.length - zz;
    if (zz > 1) return fail(`"zz" appears ${zz} times; it stands for the one :: run`);
    if (zz === 0 && given !== 8) return fail(`${given} IPv6 words and no "zz"; expected 8 words, or "zz" for the :: run`);
    if (zz === 1 && given > 7) return fail(`${given} IPv6 words besides "zz"; an address has 8`);
    const bad = rest.find((label) => label !== 'zz' && !HEX_WORD.test(label));
    if (bad !== undefined) return fail(`IPv6 word "${bad}" is not 1 to 4 hex digits`);
    let word = 0;
    for (let i = rest.length - 1; i >= 0; i--) {
      if (rest[i] === 'zz') {
        word += 8 - given;
        continue;
      }
      const value = parseInt(rest[i]!, 16);
      address[2 * word] = value >> 8;
      address[2 * word + 1] = value & 0xff;
      word++;
    }
  }

  const length128 = ipv4 ? 96 + bits : bits;
  const family: IpFamily = ipv4 ? 4 : 6;
  if (!zeroPast(address, length128)) {
    const written = { family, bits, address, length128 };
    const network = { ...written, address: masked(address, length128) };
    return fail(`bits set past the /${bits} prefix: ${prefixToString(written).split('/')[0]} is not where a /${bits} starts (the network is "${prefixToLabels(network)}")`);
  }
  const prefix: IpPrefix = { family, bits, address, length128 };
  if (!ipv4 && isIpv4Mapped(address) && length128 >= 96) {
    if (length128 === 96) return fail('is ::ffff:0:0/96, all of IPv4 as IPv4-mapped IPv6, which RPZ cannot spell (IPv4 prefix lengths are 1 to 32)');
    const v4 = prefixToLabels({ family: 4, bits: length128 - 96, address, length128 });
    return fail(`is an IPv4-mapped IPv6 prefix; write it as IPv4, "${v4}" (BIND matches only that spelling)`);
  }
  const canonical = prefixToLabels(prefix);
  if (canonical !== parts.join('.')) {
    const zeros = parts.find((label) => label !== '0' && /^0[0-9a-f]/.test(label));
    const why = zeros === undefined ? '' : ` ("${zeros}" has a leading zero)`;
    return fail(`not the canonical spelling${why}; write "${canonical}" (BIND loads other spellings with a warning but never matches them)`);
  }
  return { ok: true, prefix };
}

/** "192.0.2.1" or "2001:db8::1" (also "::ffff:192.0.2.1", "fe80::1%eth0") -> 16 bytes, IPv4-mapped for IPv4; null if not an address. */
export function addressToBytes(address: string): Uint8Array | null {
  const bytes = new Uint8Array(16);
  return readAddress(address, bytes) === 0 ? null : bytes;
}

/** "192.0.2.0/24", "2001:db8::/32" (RFC 5952 text), for logs. */
export function prefixToString(prefix: IpPrefix): string {
  return `${addressToString(prefix.address, prefix.family)}/${prefix.bits}`;
}

/** 16 bytes (IPv4-mapped for family 4) as "192.0.2.1" or RFC 5952 text ("2001:db8::1"), for logs. */
export function addressToString(a: Uint8Array, family: IpFamily): string {
  if (family === 4) return `${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
  const words = wordsOf(a).map((w) => w.toString(16));
  const [start, length] = zeroRun(a);
  if (length === 0) return words.join(':');
  return `${words.slice(0, start).join(':')}::${words.slice(start + length).join(':')}`;
}

/** The canonical owner labels, as BIND's ip2name writes them: "24.0.2.0.192", "48.zz.bad.db8.2001". */
export function prefixToLabels(prefix: IpPrefix): string {
  const a = prefix.address;
  if (prefix.family === 4) return `${prefix.bits}.${a[15]}.${a[14]}.${a[13]}.${a[12]}`;
  const words = wordsOf(a);
  const [start, length] = zeroRun(a);
  const labels = [String(prefix.bits)];
  for (let i = 7; i >= 0; i--) {
    if (length > 0 && i === start + length - 1) labels.push('zz');
    else if (length === 0 || i < start || i >= start + length) labels.push(words[i]!.toString(16));
  }
  return labels.join('.');
}

function fail(reason: string): PrefixDecode {
  return { ok: false, reason };
}

function isDecimalByte(label: string): boolean {
  return DIGITS.test(label) && label.length <= 3 && Number(label) <= 255 && (label === '0' || label[0] !== '0');
}

function wordsOf(a: Uint8Array): number[] {
  return Array.from({ length: 8 }, (_, i) => (a[2 * i]! << 8) | a[2 * i + 1]!);
}

/** The :: run [start word, length]: the longest run of two or more zero words, the first of equals (RFC 5952 4.2; BIND's ip2name picks the same). */
function zeroRun(a: Uint8Array): [number, number] {
  const words = wordsOf(a);
  let best: [number, number] = [0, 0];
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i >= 2 && j - i > best[1]) best = [i, j - i];
    i = j;
  }
  return best;
}

function zeroPast(a: Uint8Array, length128: number): boolean {
  for (let bit = length128; bit < 128; bit++) if ((a[bit >> 3]! >> (7 - (bit & 7))) & 1) return false;
  return true;
}

function masked(a: Uint8Array, length128: number): Uint8Array {
  const out = new Uint8Array(a);
  for (let bit = length128; bit < 128; bit++) out[bit >> 3]! &= ~(1 << (7 - (bit & 7)));
  return out;
}

/**
 * The hagezi tif-ips mistake, `1.0.218.230` for 230.218.0.1. BIND reads the
 * first label as the prefix length and the other three as IPv6 words; it
 * checks only the 32-bit word holding the prefix boundary, some of it never
 * written (add_cidr's key is uninitialised), so which of these it refuses and
 * which it loads (never to match) is not predictable beyond the first test.
 */
function missingPrefix(parts: string[]): string {
  const ip = [...parts].reverse().join('.');
  const first = Number(parts[0]);
  const bind =
    first < 1 || first > 128
      ? `refuses it: "invalid prefix length of ${first}"`
      : `reads it as an IPv6 /${first} and refuses it ("too small prefix length") or loads it never to match`;
  return `4 labels: IPv4 ${ip} without its prefix length; expected 5, e.g. "32.${parts.join('.')}" for ${ip}/32 (BIND ${bind})`;
}
