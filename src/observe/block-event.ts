import { hash } from 'node:crypto';

/**
 * One block-log event: a JSON line per policy hit (block-line.ts puts `level`
 * and `time` in front, as pino does). Field names are the contract of `stopzone report` and of anyone
 * shipping these logs: change them only with both.
 */
export interface BlockEvent {
  readonly msg: 'blocked' | 'would block' | 'passthru';
  /** The client address, kept, truncated (/24, /56) or a keyed hash, per blockLog.client. */
  readonly client: string;
  readonly qname: string;
  /** "A", "AAAA", "HTTPS", or "TYPE123". */
  readonly qtype: string;
  /** The policy zone's name and the name it has in logs. */
  readonly zone: string;
  readonly list: string;
  /** The matched owner in the policy zone, as BIND's "via". */
  readonly rule: string;
  /** client-ip | qname | ip | nsdname | nsip */
  readonly trigger: string;
  /** nxdomain | nodata | passthru | drop | tcp-only | garden | local-data | stop-page */
  readonly action: string;
  /** The Extended DNS Error code sent (15, 16, 17), or null when the client sent no EDNS or nothing was sent. */
  readonly ede: number | null;
  /** "127.0.0.1:53" */
  readonly listener: string;
  readonly transport: 'udp' | 'tcp';
  /** The client's group (groups in the config; "default" for everyone no group matches). */
  readonly group: string;
  /** Short code shown on the stop page: the same client, name and rule within the same UTC hour give the same code. */
  readonly ref: string;
  /** The answer address that matched, for trigger "ip". */
  readonly address?: string;
}

/** A code given, and what it was given for besides its name (the key of Signer.codes). */
interface Given {
  readonly client: string;
  readonly zone: string;
  readonly rule: string;
  readonly hour: number;
  readonly code: string;
}

/**
 * A key, as the hex text that starts every hashed message, and the last code it gave for each name. A blocked
 * name is asked for A, AAAA and HTTPS at once, and again on every retry, by the same client in the same hour,
 * and each time it gives the same code: finding it spares the hash (bench/README.md, hot-path.ts, "The block
 * event"). Bounded: emptied whole when full, so a flood of distinct names costs a Map of CODES_KEPT entries at most.
 */
interface Signer {
  readonly prefix: string;
  readonly codes: Map<string, Given>;
}
const CODES_KEPT = 1024;
const signers = new WeakMap<Buffer, Signer>();
let lastString: { readonly key: string; readonly signer: Signer } | null = null;
function signerOf(key: string | Buffer): Signer {
  if (typeof key === 'string') {
    if (lastString?.key !== key) lastString = { key, signer: { prefix: `${Buffer.from(key, 'utf8').toString('hex')}|`, codes: new Map() } };
    return lastString.signer;
  }
  let signer = signers.get(key);
  if (signer === undefined) signers.set(key, (signer = { prefix: `${key.toString('hex')}|`, codes: new Map() }));
  return signer;
}

/** Crockford base32 alphabet: no I, L, O or U to misread on a phone. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The value of the hex digit at `at` (lower-case, as crypto.hash writes them). */
function nibble(hex: string, at: number): number {
  const c = hex.charCodeAt(at);
  return c <= 57 ? c - 48 : c - 87;
}

/** The code's character for the digest's byte at hex offset `at`: its low 5 bits in ALPHABET. */
function codeChar(digest: string, at: number): number {
  return ALPHABET.charCodeAt(((nibble(digest, at) & 1) << 4) | nibble(digest, at + 1));
}

/**
 * The reference code of a block: 8 characters from a keyed hash of the
 * client, the name, the zone, the rule and the UTC hour. The stop page
 * computes the same code for the same visit, so an appeal quoting it leads
 * to the log lines of that block.
 *
 * The hash is SHA-256 of the key in hex, "|", and "client|qname in lower
 * case|zone|rule|hours since the epoch"; the code is its first 8 bytes, each
 * `& 31`, in ALPHABET. One SHA-256 with the secret key in front is enough:
 * HMAC's second pass guards against extending a message whose whole digest is
 * known, and only 40 bits of this one are ever shown. It costs 0.75 µs a code
 * where the HMAC cost 2.3-2.6 (bench/README.md, hot-path.ts, "One hash").
 */
export function referenceCode(key: string | Buffer, client: string, qname: string, zone: string, rule: string, time: number): string {
  const hour = Math.floor(time / 3_600_000);
  const signer = signerOf(key);
  const given = signer.codes.get(qname);
  if (given !== undefined && given.client === client && given.hour === hour && given.rule === rule && given.zone === zone) return given.code;
  // A hex string, not a Buffer: no ArrayBuffer per code for the garbage collector.
  const digest = hash('sha256', `${signer.prefix}${client}|${qname.toLowerCase()}|${zone}|${rule}|${hour}`, 'hex');
  // One string made, not one per character added.
  const code = String.fromCharCode(codeChar(digest, 0), codeChar(digest, 2), codeChar(digest, 4), codeChar(digest, 6), codeChar(digest, 8), codeChar(digest, 10), codeChar(digest, 12), codeChar(digest, 14));
  if (signer.codes.size >= CODES_KEPT) signer.codes.clear();
  signer.codes.set(qname, { client, zone, rule, hour, code });
  return code;
}
