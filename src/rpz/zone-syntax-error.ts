/**
 * A master file that cannot be read: where, what was found there and what was
 * expected, e.g. `zones/school.rpz:14: found "IM", expected a class (IN), a TTL
 * or a record type`. `found` is a quoted token, or `end of line` / `end of file`.
 */
export class ZoneSyntaxError extends Error {
  override readonly name = 'ZoneSyntaxError';

  constructor(
    readonly file: string,
    readonly line: number,
    readonly found: string,
    readonly expected: string,
  ) {
    super(`${file}:${line}: found ${found}, expected ${expected}`);
  }
}

/** A token as error messages show it. */
export function quoted(token: string): string {
  return `"${token}"`;
}
