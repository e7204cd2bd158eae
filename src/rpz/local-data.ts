import { isIPv4, isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import { nameWire } from '../dns/name-text.js';
import { absoluteName, zoneName } from './zone-names.js';
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
  const name = (token: string | undefined): Buffer => nameWire(canonicalName(token ?? '', origin));
  const u16 = (token: string | undefined, what: string): Buffer => {
    const value = Number(token);
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new Error(`found "${token ?? ''}" for the ${what}; expected a number from 0 to 65535`);
    return Buffer.from([value >> 8, value & 0xff]);
  };
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
        return ok(number, ttl, withLength(name(tokens[0])));
      case 'TXT':
        return ok(number, ttl, encode(tokens.map(characterString)));
      case 'MX':
        return ok(number, ttl, withLength(Buffer.concat([u16(tokens[0], 'MX preference'), name(tokens[1])])));
      case 'SRV':
        return ok(number, ttl, withLength(Buffer.concat([u16(tokens[0], 'SRV priority'), u16(tokens[1], 'SRV weight'), u16(tokens[2], 'SRV port'), name(tokens[3])])));
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

/** The SOA's RDATA; serials wider than 32 bits (real feeds have them) are reduced modulo 2^32 rather than refused. Throws on a bad name. */
export function encodeSoa(tokens: readonly string[], origin: string): Buffer {
  const [mname, rname, ...numbers] = tokens;
  const fixed = Buffer.alloc(20);
  for (let i = 0; i < 5; i++) fixed.writeUInt32BE((Number(numbers[i] ?? 0) % 2 ** 32) >>> 0, i * 4);
  return withLength(Buffer.concat([nameWire(canonicalName(mname ?? '', origin)), nameWire(canonicalName(rname ?? '', origin)), fixed]));
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

/** The RDATA with its 2-byte length first. */
function withLength(rdata: Buffer): Buffer {
  const out = Buffer.alloc(rdata.length + 2);
  out.writeUInt16BE(rdata.length, 0);
  rdata.copy(out, 2);
  return out;
}

/**
 * A domain name token made absolute against `origin` in the canonical text
 * every name is compared in (see src/rpz/zone-names.ts): escapes decoded and
 * written again as \DDD, so the name's wire form keeps them. Throws with
 * what was found and expected.
 */
export function canonicalName(token: string, origin: string): string {
  return absoluteName(token, zoneName(origin), (found, expected) => {
    throw new Error(`found ${found}; expected ${expected}`);
  });
}

/** A TXT character-string (RFC 1035 section 3.3): escapes as octets, other characters in UTF-8, at most 255 octets. */
function characterString(token: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x5c && /^[0-9]{3}$/.test(token.slice(i + 1, i + 4)) && Number(token.slice(i + 1, i + 4)) <= 255) {
      bytes.push(Number(token.slice(i + 1, i + 4)));
      i += 3;
      continue;
    }
    const next = c === 0x5c && i + 1 < token.length ? ++i : i;
    const cp = token.codePointAt(next)!;
    if (cp > 0xffff) i++;
    bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
  }
  if (bytes.length > 255) throw new Error(`a TXT string of ${bytes.length} octets; expected at most 255 (split it into several quoted strings)`);
  return Buffer.from(bytes);
}

/** Master-file text escapes: `\DDD` is a byte, `\X` is X. */
function unescapeText(token: string): string {
  return token.replace(/\\(\d{3}|.)/g, (_, escape: string) => (escape.length === 3 ? String.fromCharCode(Number(escape)) : escape));
}
