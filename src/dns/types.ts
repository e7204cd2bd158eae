/** The question of a DNS message, as read from the wire. */
export interface Question {
  /** The name as the client spelled it (letter case kept), without the trailing dot; "" is the root. */
  readonly name: string;
  /** `name` in lower case: the key for caches and policy. */
  readonly lname: string;
  readonly type: number;
  readonly class: number;
}

/** What the client's OPT record said (RFC 6891), or null when it sent none. */
export interface Edns {
  readonly udpSize: number;
  readonly version: number;
  /** The DNSSEC OK bit. */
  readonly dnssecOk: boolean;
}

/** DNS RCODE values used by Stopzone (RFC 1035 section 4.1.1, RFC 6891). */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  NOTAUTH: 9,
  BADVERS: 16,
} as const;

/** RR types (and QTYPEs) Stopzone handles by number (IANA DNS parameters): the one table of them. */
export const RRType = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, DNAME: 39, OPT: 41, RRSIG: 46, NSEC: 47, NSEC3: 50, TSIG: 250, IXFR: 251, AXFR: 252, ANY: 255 } as const;

/** The mnemonic of a type in RRType, or its number as text (RFC 3597 would write TYPE<n>). */
export function typeName(type: number): string {
  for (const [name, value] of Object.entries(RRType)) if (value === type) return name;
  return String(type);
}
