/**
 * The fields between owner and rdata: TTL, class and type, as BIND reads them.
 */

const MAX_TTL = 4294967295;

/**
 * A TTL in seconds: plain digits or BIND's unit form (`1h30m`, `2d`, `1W`;
 * units w, d, h, m, s in any case, trailing digits count as seconds).
 * -1 when the token is no TTL or exceeds 2^32-1.
 */
export function parseTtl(token: string): number {
  let total = 0;
  let value = -1;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      value = (value < 0 ? 0 : value * 10) + (c - 0x30);
      if (value > MAX_TTL) return -1;
      continue;
    }
    const unit = UNITS[c | 0x20];
    if (unit === undefined || value < 0) return -1;
    total += value * unit;
    value = -1;
  }
  if (value >= 0) total += value;
  else if (token.length === 0) return -1;
  return total > MAX_TTL ? -1 : total;
}

const UNITS: Record<number, number> = { 0x77: 604800, 0x64: 86400, 0x68: 3600, 0x6d: 60, 0x73: 1 };

/** What a class token is: IN (or CLASS1), another class Stopzone does not read, or no class. */
export function classOf(token: string): 'IN' | 'other' | undefined {
  const upper = token.toUpperCase();
  if (upper === 'IN' || upper === 'CLASS1') return 'IN';
  if (upper === 'CH' || upper === 'CHAOS' || upper === 'HS' || upper === 'HESIOD' || upper === 'NONE' || upper === 'ANY') return 'other';
  if (upper.startsWith('CLASS') && /^[0-9]{1,5}$/.test(upper.slice(5))) return 'other';
  return undefined;
}

// Record types that may appear in a master file (IANA DNS parameters; meta types such as ANY, AXFR, OPT excluded).
const MNEMONICS = [
  'A', 'NS', 'MD', 'MF', 'CNAME', 'SOA', 'MB', 'MG', 'MR', 'NULL', 'WKS', 'PTR', 'HINFO', 'MINFO', 'MX', 'TXT',
  'RP', 'AFSDB', 'X25', 'ISDN', 'RT', 'NSAP', 'NSAP-PTR', 'SIG', 'KEY', 'PX', 'GPOS', 'AAAA', 'LOC', 'NXT', 'EID',
  'NIMLOC', 'SRV', 'ATMA', 'NAPTR', 'KX', 'CERT', 'A6', 'DNAME', 'SINK', 'APL', 'DS', 'SSHFP', 'IPSECKEY',
  'RRSIG', 'NSEC', 'DNSKEY', 'DHCID', 'NSEC3', 'NSEC3PARAM', 'TLSA', 'SMIMEA', 'HIP', 'NINFO', 'RKEY', 'TALINK',
  'CDS', 'CDNSKEY', 'OPENPGPKEY', 'CSYNC', 'ZONEMD', 'SVCB', 'HTTPS', 'DSYNC', 'SPF', 'UINFO', 'UID', 'GID',
  'UNSPEC', 'NID', 'L32', 'L64', 'LP', 'EUI48', 'EUI64', 'URI', 'CAA', 'AVC', 'DOA', 'AMTRELAY', 'RESINFO',
  'WALLET', 'TA', 'DLV',
];
const TYPES = new Map<string, string>(MNEMONICS.map((m) => [m, m]));

/**
 * The record type a token names, upper-cased (`cname` is `CNAME`, `type65`
 * is `TYPE65`, RFC 3597), or undefined when the token names no type.
 */
export function recordType(token: string): string | undefined {
  const known = TYPES.get(token);
  if (known !== undefined) return known;
  const upper = token.toUpperCase();
  const mnemonic = TYPES.get(upper);
  if (mnemonic !== undefined) return mnemonic;
  if (!upper.startsWith('TYPE') || !/^[0-9]{1,5}$/.test(upper.slice(4))) return undefined;
  const code = Number(upper.slice(4));
  return code <= 65535 ? `TYPE${code}` : undefined;
}
