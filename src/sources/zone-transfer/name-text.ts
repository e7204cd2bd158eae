import { labelText } from '../../dns/name-text.js';
import { walkName } from '../../dns/name-walk.js';

/**
 * A domain name in a message as master-file text (RFC 1035 section 5.1),
 * following compression pointers by walkName's rules: letter case kept, no
 * trailing dot, "" for the root; bytes that would be ambiguous in a dotted
 * name (".", "\\", space, non-printable) as \DDD, as src/dns/wire.ts presents
 * query names. `end` is the offset just past the name where it starts. Null
 * when malformed.
 */
export function nameText(buf: Buffer, offset: number): { text: string; end: number } | null {
  const labels: string[] = [];
  const end = walkName(buf, offset, (start, length) => labels.push(labelText(buf, start, start + length)));
  return end < 0 ? null : { text: labels.join('.'), end };
}

/**
 * A name in canonical text (as nameText, or the zone reader, gives it) as a
 * master-file token that reads back as exactly that name: the characters
 * RFC 1035 section 5.1 gives a meaning, and the canonical form leaves plain,
 * are escaped as \X: "(" and ")" (line joining), ";" (a comment), '"' (a
 * quoted string), "$" (a directive when it leads the line: an owner
 * "$INCLUDE(/etc/passwd);x" would read a file) and "@" (the origin).
 * The canonical form already escapes ".", "\\", space and non-printing octets.
 */
export function masterFileName(canonical: string): string {
  return SPECIAL.test(canonical) ? canonical.replace(SPECIALS, '\\$&') : canonical;
}

const SPECIAL = /[()";$@]/;
const SPECIALS = /[()";$@]/g;
