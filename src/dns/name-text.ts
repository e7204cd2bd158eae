/**
 * Names as text, in one canonical form: the master-file presentation of RFC
 * 1035 section 5.1 in which every octet that could be ambiguous in a dotted
 * name (<= 0x20, >= 0x7f, "." and "\\") is written \DDD and every other octet
 * as itself. Query names, answer owners, CNAME targets and policy owners are
 * all compared in this form, lower-cased A-Z only (RFC 4343), so two spellings
 * of one name can never slip past a comparison.
 */

/** Whether an octet is written \DDD in canonical text. */
function escaped(octet: number): boolean {
  return octet <= 0x20 || octet >= 0x7f || octet === 0x2e || octet === 0x5c;
}

/**
 * Writes octets `start` to `end` of `buf` (one label) as canonical text, letter case kept, into `out` from
 * `at` (up to 4 bytes an octet); returns where it stopped. The one writer of the \\DDD form: readQuestion
 * builds a whole name this way and slices it once (a string per label and their concatenation were a fifth of
 * a cache hit's own CPU: bench/README.md, hot-path.ts), and labelText uses it for a label that needs escapes.
 */
export function writeLabelText(buf: Buffer, start: number, end: number, out: Buffer, at: number): number {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (escaped(c)) {
      out[at++] = 0x5c;
      out[at++] = 0x30 + Math.floor(c / 100);
      out[at++] = 0x30 + (Math.floor(c / 10) % 10);
      out[at++] = 0x30 + (c % 10);
    } else {
      out[at++] = c;
    }
  }
  return at;
}

/** Room for one label's canonical text: 63 octets of 4 characters. */
const LABEL_TEXT = Buffer.allocUnsafe(252);

/** Octets `start` to `end` of `buf` (one label) as canonical text, letter case kept. */
export function labelText(buf: Buffer, start: number, end: number): string {
  for (let i = start; i < end; i++) if (escaped(buf[i]!)) return LABEL_TEXT.toString('latin1', 0, writeLabelText(buf, start, end, LABEL_TEXT, 0));
  return buf.toString('latin1', start, end);
}

/** Lower-cases the letters A-Z among bytes `start` to `end` of `text` (canonical text as latin1), in place; says whether there were any. */
export function lowerAsciiInPlace(text: Buffer, start: number, end: number): boolean {
  let lowered = false;
  for (let i = start; i < end; i++) {
    const c = text[i]!;
    if (c >= 65 && c <= 90) {
      text[i] = c | 0x20;
      lowered = true;
    }
  }
  return lowered;
}

/** Lower-cases A-Z only, as DNS name comparison does (RFC 4343); canonical text holds no other letters that case could change. */
export function asciiLower(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return name.toLowerCase();
  }
  return name;
}

/** An uncompressed wire name as lower-case canonical text ("" for the root). */
export function wireToText(wire: Buffer): string {
  let text = '';
  for (let pos = 0; pos < wire.length && wire[pos]! !== 0; pos += wire[pos]! + 1) {
    const label = labelText(wire, pos + 1, Math.min(pos + 1 + wire[pos]!, wire.length));
    text = text === '' ? label : `${text}.${label}`;
  }
  return asciiLower(text);
}

/**
 * The wire form of a name written as master-file text: the inverse of
 * wireToText and labelText, so "\\046" is a dot inside a label and "\\." the
 * same. Null when the text is no valid name (an empty label, a label over 63
 * octets, a name over 255, a character beyond one octet).
 */
export function textToWire(text: string): Buffer | null {
  const end = text.endsWith('.') && !text.endsWith('\\.') ? text.length - 1 : text.length;
  // Written into one scratch array and copied out once: a miss encodes its name for the upstream query.
  let labelStart = 0; // where the current label's length goes
  let at = 1; // where its next octet goes
  for (let i = 0; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c === DOT_CHAR) {
      if (!closeLabel(labelStart, at)) return null;
      labelStart = at++;
      continue;
    }
    if (c === BACKSLASH) {
      if (i + 3 < end && isDigit(text, i + 1) && isDigit(text, i + 2) && isDigit(text, i + 3)) {
        c = (text.charCodeAt(i + 1) - 48) * 100 + (text.charCodeAt(i + 2) - 48) * 10 + (text.charCodeAt(i + 3) - 48);
        i += 3;
      } else if (i + 1 < end) {
        c = text.charCodeAt(++i);
      } else {
        return null;
      }
    }
    // Past octet 253 a label's octet leaves no room for the root's: the name would pass 255 octets.
    if (c > 0xff || at > MAX_NAME_OCTETS - 2) return null;
    WIRE_SCRATCH[at++] = c;
  }
  if (end === 0) return Buffer.from([0]);
  if (!closeLabel(labelStart, at)) return null;
  WIRE_SCRATCH[at] = 0;
  return Buffer.from(WIRE_SCRATCH.subarray(0, at + 1));
}

const DOT_CHAR = 0x2e;
const BACKSLASH = 0x5c;
const MAX_NAME_OCTETS = 255;
const WIRE_SCRATCH = new Uint8Array(MAX_NAME_OCTETS);

/** Writes the label's length before it; false for an empty label or one over 63 octets. */
function closeLabel(labelStart: number, at: number): boolean {
  const length = at - labelStart - 1;
  if (length === 0 || length > 63) return false;
  WIRE_SCRATCH[labelStart] = length;
  return true;
}

function isDigit(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
}

/** textToWire for names Stopzone made itself or checked at load; throws (a SERVFAIL at the error boundary) when one is still no valid name, e.g. a garden name grown past 255 octets. */
export function nameWire(text: string): Buffer {
  const wire = textToWire(text);
  if (wire === null) throw new Error(`"${text.slice(0, 80)}" is not a valid domain name (labels of 1-63 octets, 255 in all)`);
  return wire;
}
