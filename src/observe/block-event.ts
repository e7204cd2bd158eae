import { PrecomputedHmac } from './precomputed-hmac.js';

/**
 * One block-log event: a JSON line per policy hit (pino adds `time` and
 * `level`). Field names are the contract of `stopzone report` and of anyone
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

/** The key's HMAC, set up once per key object (the server has one key; its padded blocks are hashed once). */
const hmacs = new WeakMap<Buffer, PrecomputedHmac>();
let lastString: { readonly key: string; readonly hmac: PrecomputedHmac } | null = null;
function hmacOf(key: string | Buffer): PrecomputedHmac {
  if (typeof key === 'string') {
    if (lastString?.key !== key) lastString = { key, hmac: new PrecomputedHmac(key) };
    return lastString.hmac;
  }
  let hmac = hmacs.get(key);
  if (hmac === undefined) hmacs.set(key, (hmac = new PrecomputedHmac(key)));
  return hmac;
}

/** Crockford base32 alphabet: no I, L, O or U to misread on a phone. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The reference code of a block: 8 characters from a keyed hash of the
 * client, the name, the zone, the rule and the UTC hour. The stop page
 * computes the same code for the same visit, so an appeal quoting it leads
 * to the log lines of that block.
 */
export function referenceCode(key: string | Buffer, client: string, qname: string, zone: string, rule: string, time: number): string {
  const hour = Math.floor(time / 3_600_000);
  const digest = hmacOf(key).digest(`${client}|${qname.toLowerCase()}|${zone}|${rule}|${hour}`);
  let code = '';
  for (let i = 0; i < 8; i++) code += ALPHABET[digest[i]! & 31];
  return code;
}
