import { quoted } from './zone-syntax-error.js';

/** Reports a problem with a token: what was found, what was expected. */
export type Fail = (found: string, expected: string) => never;

/** A name in canonical text form and its length in wire octets (with the root label). */
export interface ZoneName {
  readonly name: string;
  readonly octets: number;
}

/** The root zone. */
export const ROOT: ZoneName = { name: '', octets: 1 };

/**
 * Makes a name token absolute against `origin` and canonical: lower-case
 * (A-Z only, RFC 4343), no trailing dot, "" for the root, and escaped exactly
 * as src/dns/wire.ts presents query names (octets <= 0x20, >= 0x7f, "." and
 * "\\" as \DDD, everything else plain) so owners and query names compare as
 * strings. "@" is the origin. Fails on an empty token or label, a label over 63
 * octets, a name over 255 octets or a bad escape. `plain` (the token holds
 * only a-z 0-9 - _ * .) lets a caller that already knows skip a scan.
 */
export function absoluteName(token: string, origin: ZoneName, fail: Fail, plain = isPlain(token)): string {
  if (token === '@') return origin.name;
  // A quoted "" is a token with no label at all, not the origin: without this it became ".origin".
  if (token === '') fail(quoted(token), 'a domain name');
  if (token === '.') return '';
  if (!plain) return slowName(token, origin, fail);
  const last = token.length - 1;
  if (token.charCodeAt(0) === 0x2e || token.includes('..')) fail(quoted(token), 'a name without empty labels');
  checkLabels(token, fail);
  // A plain token's wire form is one octet longer than its text (length octets replace dots, plus one).
  if (token.charCodeAt(last) === 0x2e) {
    if (token.length + 1 > 255) fail(quoted(token), 'a name of at most 255 octets');
    return token.slice(0, last);
  }
  if (token.length + 1 + origin.octets > 255) fail(quoted(token), 'a name of at most 255 octets');
  return origin.name === '' ? token : `${token}.${origin.name}`;
}

function isPlain(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2a || c === 0x2e)) return false;
  }
  return true;
}

/** The wire length of a canonical absolute name. */
export function zoneName(name: string): ZoneName {
  if (name === '') return ROOT;
  let octets = 2; // the first label's length octet and the root
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) octets++;
    else if (c === 0x5c) {
      octets++;
      i += 3; // canonical names only escape as \DDD
    } else octets++;
  }
  return { name, octets };
}

/** The fast path only counts labels; a label over 63 octets needs a token over 63 characters, so look only then. */
function checkLabels(token: string, fail: Fail): void {
  if (token.length <= 63) return;
  let label = 0;
  for (let i = 0; i < token.length; i++) {
    label = token.charCodeAt(i) === 0x2e ? 0 : label + 1;
    if (label > 63) fail(quoted(token), 'labels of at most 63 octets');
  }
}

const encoder = new TextEncoder();

/** Names with upper case, escapes or other characters: decode octet by octet. */
function slowName(token: string, origin: ZoneName, fail: Fail): string {
  let out = '';
  let label = 0;
  let octets = 0;
  let absolute = false;
  const add = (octet: number): void => {
    const b = octet >= 0x41 && octet <= 0x5a ? octet + 0x20 : octet;
    out += b <= 0x20 || b >= 0x7f || b === 0x2e || b === 0x5c ? `\\${String(b).padStart(3, '0')}` : String.fromCharCode(b);
    label++;
  };
  for (let i = 0; i < token.length; i++) {
    let c = token.charCodeAt(i);
    if (c === 0x2e) {
      if (label === 0) fail(quoted(token), 'a name without empty labels');
      if (label > 63) fail(quoted(token), 'labels of at most 63 octets');
      octets += label + 1;
      label = 0;
      if (i === token.length - 1) absolute = true;
      else out += '.';
      continue;
    }
    if (c === 0x5c) {
      const d = token.charCodeAt(i + 1);
      if (Number.isNaN(d)) fail(quoted(token), 'an escaped character after "\\"');
      if (d >= 0x30 && d <= 0x39) {
        const digits = token.slice(i + 1, i + 4);
        const value = Number(digits);
        if (!/^[0-9]{3}$/.test(digits) || value > 255) fail(quoted(token), 'a \\DDD escape with three digits from 000 to 255');
        add(value);
        i += 3;
        continue;
      }
      c = d;
      i++;
    }
    if (c < 0x80) add(c);
    else {
      const cp = token.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const b of encoder.encode(String.fromCodePoint(cp))) add(b);
    }
  }
  if (label > 63) fail(quoted(token), 'labels of at most 63 octets');
  if (absolute) {
    if (octets + 1 > 255) fail(quoted(token), 'a name of at most 255 octets');
    return out;
  }
  if (octets + label + 1 + origin.octets > 255) fail(quoted(token), 'a name of at most 255 octets');
  return origin.name === '' ? out : `${out}.${origin.name}`;
}
