import { isIPv4, isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import { quoted } from './zone-syntax-error.js';

/** One local-data record, its RDATA encoded once at load time (2-byte RDLENGTH first). */
export interface LocalRecord {
  readonly type: number;
  readonly ttl: number;
  readonly rdata: Buffer;
}

/** dns-packet's per-type RDATA codecs (its typings leave `record` out). */
const rdataCodec = (dnsPacket as unknown as { record(type: string): { encode(data: unknown): Buffer } }).record;

/** Record types whose text form Stopzone encodes; others need RFC 3597's `\# len hex` form. */
const TYPE_NUMBERS: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, DNAME: 39, CAA: 257 };

export type LocalParse = { readonly ok: true; readonly record: LocalRecord } | { readonly ok: false; readonly reason: string };

/**
 * Encodes the RDATA of `type` from master-file tokens (as the zone reader
 * gives them: quotes removed, escapes kept). Domain names in RDATA are made
 * absolute with `origin`. Never throws.
 */
export function parseLocalData(type: string, ttl: number, tokens: readonly string[], origin: string): LocalParse {
  const number = TYPE_NUMBERS[type] ?? (/^TYPE\d+$/.test(type) ? Number(type.slice(4)) : undefined);
  if (number === undefined) return { ok: false, reason: `local data of type ${type} needs the RFC 3597 form "\\# length hex"` };
  if (tokens[0] === '\\#') return generic(number, ttl, tokens);
  const name = (token: string | undefined): string => absolute(token ?? '', origin);
  try {
    const encode = (data: unknown): Buffer => rdataCodec(type).encode(data);
    switch (type) {
      case 'A':
        return isIPv4(tokens[0] ?? '') ? ok(number, ttl, encode(tokens[0])) : { ok: false, reason: `found ${quoted(tokens[0] ?? '')}, expected an IPv4 address` };
      case 'AAAA':
        return isIPv6(tokens[0] ?? '') ? ok(number, ttl, encode(tokens[0])) : { ok: false, reason: `found ${quoted(tokens[0] ?? '')}, expected an IPv6 address` };
      case 'CNAME':
      case 'NS':
      case 'PTR':
      case 'DNAME':
        return ok(number, ttl, encode(name(tokens[0])));
      case 'TXT':
        return ok(number, ttl, encode(tokens.map(unescapeText)));
      case 'MX':
        return ok(number, ttl, encode({ preference: Number(tokens[0]), exchange: name(tokens[1]) }));
      case 'SRV':
        return ok(number, ttl, encode({ priority: Number(tokens[0]), weight: Number(tokens[1]), port: Number(tokens[2]), target: name(tokens[3]) }));
      case 'SOA':
        return ok(number, ttl, encodeSoa(tokens, origin));
      case 'CAA':
        return ok(number, ttl, encode({ flags: Number(tokens[0]), tag: tokens[1], value: unescapeText(tokens[2] ?? '') }));
      default:
        return { ok: false, reason: `local data of type ${type} needs the RFC 3597 form "\\# length hex"` };
    }
  } catch (error) {
    return { ok: false, reason: `bad ${type} data ${quoted(tokens.join(' '))}: ${(error as Error).message}` };
  }
}

/** The SOA's RDATA; serials wider than 32 bits (real feeds have them) are reduced modulo 2^32 rather than refused. */
export function encodeSoa(tokens: readonly string[], origin: string): Buffer {
  const [mname, rname, ...numbers] = tokens;
  const [serial, refresh, retry, expire, minimum] = numbers.map((n) => Number(n) % 2 ** 32);
  return rdataCodec('SOA').encode({
    mname: absolute(mname ?? '', origin),
    rname: absolute(rname ?? '', origin),
    serial: serial ?? 0,
    refresh: refresh ?? 0,
    retry: retry ?? 0,
    expire: expire ?? 0,
    minimum: minimum ?? 0,
  });
}

function generic(type: number, ttl: number, tokens: readonly string[]): LocalParse {
  const length = Number(tokens[1]);
  const hex = tokens.slice(2).join('');
  if (!Number.isInteger(length) || !/^([0-9a-fA-F]{2})*$/.test(hex) || hex.length !== length * 2) {
    return { ok: false, reason: `found ${quoted(tokens.join(' '))}, expected "\\# length hex" with length bytes of hex` };
  }
  const rdata = Buffer.alloc(2 + length);
  rdata.writeUInt16BE(length, 0);
  Buffer.from(hex, 'hex').copy(rdata, 2);
  return ok(type, ttl, rdata);
}

function ok(type: number, ttl: number, rdata: Buffer): LocalParse {
  return { ok: true, record: { type, ttl, rdata } };
}

/** A domain name token made absolute (no trailing dot; "" is the root). */
export function absolute(token: string, origin: string): string {
  if (token === '@') return origin;
  if (token.endsWith('.')) return token.slice(0, -1).toLowerCase();
  const lower = token.toLowerCase();
  return origin === '' ? lower : `${lower}.${origin}`;
}

/** Master-file text escapes: `\DDD` is a byte, `\X` is X. */
function unescapeText(token: string): string {
  return token.replace(/\\(\d{3}|.)/g, (_, escape: string) => (escape.length === 3 ? String.fromCharCode(Number(escape)) : escape));
}
