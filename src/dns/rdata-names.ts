/** Where the domain names lie in one type's RDATA. */
export interface RdataNames {
  /** Fixed octets before the first name (a preference, SRV's priority, weight and port). */
  readonly before: number;
  /** Names in a row. */
  readonly names: number;
  /** Octets after the last name: exactly this many, or -1 for any number (signatures, bitmaps, parameters). */
  readonly after: number;
}

const one = (before = 0, after = 0): RdataNames => ({ before, names: 1, after });
const two = (before = 0, after = 0): RdataNames => ({ before, names: 2, after });

/**
 * The types whose RDATA holds names, by type number: the well-known types of
 * RFC 1035, whose names may be compressed (RFC 3597 section 4), and the later
 * ones a receiver should also decompress or whose names Stopzone reads (SRV,
 * DNAME, RRSIG, NSEC, SVCB/HTTPS). NAPTR is left out: its name follows three
 * strings of any length, and nothing in Stopzone reads it.
 */
const TABLE: Array<RdataNames | undefined> = [];
TABLE[2] = one(); // NS
TABLE[3] = one(); // MD
TABLE[4] = one(); // MF
TABLE[5] = one(); // CNAME
TABLE[6] = two(0, 20); // SOA: MNAME, RNAME, then five 32-bit numbers
TABLE[7] = one(); // MB
TABLE[8] = one(); // MG
TABLE[9] = one(); // MR
TABLE[12] = one(); // PTR
TABLE[14] = two(); // MINFO
TABLE[15] = one(2); // MX
TABLE[17] = two(); // RP
TABLE[18] = one(2); // AFSDB
TABLE[21] = one(2); // RT
TABLE[26] = two(2); // PX
TABLE[33] = one(6); // SRV
TABLE[36] = one(2); // KX
TABLE[39] = one(); // DNAME
TABLE[46] = one(18, -1); // RRSIG: signer's name after 18 octets of fields, then the signature
TABLE[47] = one(0, -1); // NSEC: next owner name, then the type bitmap
TABLE[64] = one(2, -1); // SVCB: priority, target, parameters
TABLE[65] = one(2, -1); // HTTPS
const LAYOUTS: ReadonlyArray<RdataNames | undefined> = Object.freeze(Array.from(TABLE));

/** Where the names lie in RDATA of `type`, or undefined when it holds none that Stopzone knows of. */
export function rdataNames(type: number): RdataNames | undefined {
  return type < LAYOUTS.length ? LAYOUTS[type] : undefined;
}
