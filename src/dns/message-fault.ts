import { nameFaultText, walkName } from './name-walk.js';
import { rdataNames } from './rdata-names.js';
import { rdataShapeFault } from './rdata-shape.js';
import { RRType } from './types.js';
import { HEADER_SIZE } from './wire.js';

const SECTIONS = ['answer', 'authority', 'additional'] as const;
const CLASS_IN = 1;
const TKEY = 249;
const TSIG = 250;

/**
 * The first thing wrong with a DNS message, in words, or null when it is
 * well-formed. One pass, no allocation unless something is wrong. Checked:
 * the header's counts match the questions and records present; every name
 * (owners, and names inside the RDATA of the types rdata-names.ts lists) is
 * well-formed by walkName's rules, pointers strictly backwards; every RDATA
 * lies inside the message and a name in it ends inside it, exactly where the
 * type's layout says; the strings, lists and bitmaps in RDATA fill it
 * exactly (rdata-shape.ts); every record but OPT, TSIG and TKEY has the
 * question's class; A and AAAA of class IN have 4 and 16 octets; an OPT
 * record only in the additional section, owned by the root, at most one (RFC
 * 6891 section 6.1.1). Octets after the last record are tolerated, as BIND
 * does: nothing reads them and a relay never passes them on.
 */
export function messageFault(buf: Buffer): string | null {
  if (buf.length < HEADER_SIZE) return `${buf.length} octets, shorter than a DNS header`;
  let pos = HEADER_SIZE;
  const questions = u16(buf, 4);
  for (let i = 0; i < questions; i++) {
    if (pos >= buf.length) return missing('question', i, questions, buf.length);
    const end = walkName(buf, pos);
    if (end < 0) return `question ${i + 1}: ${nameFaultText(end)} (at offset ${pos})`;
    if (end + 4 > buf.length) return `question ${i + 1} is cut short`;
    pos = end + 4;
  }
  // Records answer the question's class; only the meta-records (OPT, TSIG, TKEY) have a class of their own.
  const klass = questions > 0 ? u16(buf, pos - 2) : -1;
  let opt = false;
  for (let s = 0; s < 3; s++) {
    const count = u16(buf, 6 + 2 * s);
    for (let i = 0; i < count; i++) {
      if (pos >= buf.length) return missing(SECTIONS[s]!, i, count, buf.length);
      const nameEnd = walkName(buf, pos);
      if (nameEnd < 0) return `${SECTIONS[s]} record ${i + 1}: owner: ${nameFaultText(nameEnd)} (at offset ${pos})`;
      if (nameEnd + 10 > buf.length) return `${SECTIONS[s]} record ${i + 1} is cut short`;
      const type = u16(buf, nameEnd);
      if (klass >= 0 && u16(buf, nameEnd + 2) !== klass && type !== RRType.OPT && type !== TSIG && type !== TKEY) {
        return `${SECTIONS[s]} record ${i + 1}: class ${u16(buf, nameEnd + 2)} in an answer to a question of class ${klass}`;
      }
      const rdata = nameEnd + 10;
      const rdataEnd = rdata + u16(buf, nameEnd + 8);
      if (rdataEnd > buf.length) return `${SECTIONS[s]} record ${i + 1}: its RDATA runs past the end of the message`;
      const fault = type === RRType.OPT ? optFault(buf, pos, s, opt) : rdataFault(buf, type, u16(buf, nameEnd + 2), rdata, rdataEnd);
      if (fault !== null) return `${SECTIONS[s]} record ${i + 1} (type ${type}): ${fault}`;
      if (type === RRType.OPT) opt = true;
      pos = rdataEnd;
    }
  }
  return null;
}

/** The 16-bit field at `at`, whose two octets the caller knows are inside `buf` (Buffer's readUInt16BE checks again, and is not inlined). */
function u16(buf: Buffer, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

function missing(section: string, index: number, count: number, length: number): string {
  return `the header counts ${count} ${section} ${section === 'question' ? 'entries' : 'records'}, but the message ends (at ${length} octets) after ${index}`;
}

function optFault(buf: Buffer, owner: number, section: number, seen: boolean): string | null {
  if (section !== 2) return `an OPT record in the ${SECTIONS[section]} section`;
  if (seen) return 'a second OPT record';
  if (buf[owner] !== 0) return 'an OPT record whose owner is not the root';
  return null;
}

function rdataFault(buf: Buffer, type: number, klass: number, start: number, end: number): string | null {
  if (klass === CLASS_IN && ((type === RRType.A && end - start !== 4) || (type === RRType.AAAA && end - start !== 16))) {
    return `${end - start} octets of RDATA; an address of class IN has ${type === RRType.A ? 4 : 16}`;
  }
  const layout = rdataNames(type);
  if (layout === undefined) return rdataShapeFault(buf, type, start, start, end);
  let pos = start + layout.before;
  for (let n = 0; n < layout.names; n++) {
    if (pos >= end) return 'its RDATA ends before its names';
    const nameEnd = walkName(buf, pos);
    if (nameEnd < 0) return `${nameFaultText(nameEnd)} in its RDATA (at offset ${pos})`;
    if (nameEnd > end) return `a name in its RDATA runs past the RDATA's end`;
    pos = nameEnd;
  }
  if (layout.after >= 0 ? pos + layout.after !== end : pos > end) return `its RDATA is ${end - start} octets; its fields take ${pos - start + Math.max(layout.after, 0)}`;
  return rdataShapeFault(buf, type, start, pos, end);
}
