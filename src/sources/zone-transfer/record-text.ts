import { copyRecord } from '../../dns/message-writer.js';
import type { RecordAt } from '../../dns/wire.js';
import type { ZoneRecord } from '../../rpz/zone-reader.js';
import { masterFileName, nameText } from './name-text.js';

/** Mnemonics for the types the policy compiler knows by name; others become TYPEnnn. */
const MNEMONICS: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 39: 'DNAME', 257: 'CAA' };

/** Where a transferred record came from: `file` = axfr://primary/zone, `origin` = the zone. */
export interface RecordSource {
  readonly file: string;
  readonly origin: string;
}

/**
 * One transferred record in the shape the zone reader gives: owner
 * lower-case without the trailing dot; rdata as master-file tokens that read
 * back as the transferred bytes (names absolute with a trailing dot and
 * escaped by masterFileName, TXT strings escaped, RFC 3597 `\# len hex` for
 * types without a text form here). `line` is the record's index in the
 * transfer. Null when the record is malformed.
 */
export function toZoneRecord(message: Buffer, at: RecordAt, source: RecordSource, index: number): ZoneRecord | null {
  const owner = nameText(message, at.start);
  if (owner === null) return null;
  const rdata = rdataTokens(message, at);
  if (rdata === null) return null;
  return {
    owner: owner.text.toLowerCase(),
    ttl: message.readUInt32BE(at.ttlOffset),
    type: MNEMONICS[at.type] ?? `TYPE${at.type}`,
    rdata,
    origin: source.origin,
    file: source.file,
    line: index,
  };
}

function rdataTokens(message: Buffer, at: RecordAt): string[] | null {
  const start = at.rdataOffset;
  const end = start + at.rdataLength;
  const target = (offset: number): string | null => {
    const name = nameText(message, offset);
    return name === null ? null : `${masterFileName(name.text)}.`;
  };
  switch (at.type) {
    case 1:
      return at.rdataLength === 4 ? [[...message.subarray(start, end)].join('.')] : null;
    case 28:
      return at.rdataLength === 16 ? [ipv6Text(message.subarray(start, end))] : null;
    case 2:
    case 5:
    case 12: {
      const name = target(start);
      return name === null ? null : [name];
    }
    case 6:
      return soaTokens(message, start, end);
    case 16:
      return txtTokens(message.subarray(start, end));
    default:
      return generic(message, at);
  }
}

function soaTokens(message: Buffer, start: number, end: number): string[] | null {
  const mname = nameText(message, start);
  if (mname === null || mname.end > end) return null;
  const rname = nameText(message, mname.end);
  if (rname === null || rname.end + 20 !== end) return null;
  const numbers = [0, 4, 8, 12, 16].map((i) => String(message.readUInt32BE(rname.end + i)));
  return [`${masterFileName(mname.text)}.`, `${masterFileName(rname.text)}.`, ...numbers];
}

function txtTokens(rdata: Buffer): string[] | null {
  const strings: string[] = [];
  for (let pos = 0; pos < rdata.length; ) {
    const length = rdata[pos]!;
    if (pos + 1 + length > rdata.length) return null;
    let text = '';
    for (const c of rdata.subarray(pos + 1, pos + 1 + length)) {
      text += c < 0x20 || c >= 0x7f ? `\\${String(c).padStart(3, '0')}` : c === 0x22 || c === 0x5c ? `\\${String.fromCharCode(c)}` : String.fromCharCode(c);
    }
    strings.push(text);
    pos += 1 + length;
  }
  return strings;
}

/** RFC 3597 section 5, names in RDATA uncompressed first (copyRecord knows which types compress). */
function generic(message: Buffer, at: RecordAt): string[] | null {
  const copy = copyRecord(message, at);
  if (copy === null) return null;
  const length = copy.readUInt16BE(ownerLength(copy) + 8);
  const bytes = copy.subarray(copy.length - length);
  return length === 0 ? ['\\#', '0'] : ['\\#', String(length), bytes.toString('hex')];
}

function ownerLength(record: Buffer): number {
  let pos = 0;
  while (record[pos]! !== 0) pos += record[pos]! + 1;
  return pos + 1;
}

/** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as "::". */
function ipv6Text(bytes: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { at: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}
