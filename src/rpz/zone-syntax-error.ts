/**
 * A master file that cannot be read: where, what was found there and what was
 * expected, e.g. `zones/school.rpz:14: found "IM", expected a class (IN), a TTL
 * or a record type`. `found` is a quoted token, or `end of line` / `end of file`.
 */
export class ZoneSyntaxError extends Error {
  override readonly name = 'ZoneSyntaxError';

  readonly file: string;
  readonly line: number;
  readonly found: string;
  readonly expected: string;
  constructor(file: string, line: number, found: string, expected: string) {
    super(`${file}:${line}: found ${found}, expected ${expected}`);
    this.file = file;
    this.line = line;
    this.found = found;
    this.expected = expected;
  }
}

/** Characters of a token that messages quote; the rest is cut (a feed decides what its tokens hold, and they go into logs). */
export const EXCERPT_LENGTH = 80;

/**
 * A token as error messages show it: quoted, control characters (C0, DEL, C1)
 * as \DDD so that nothing in a log or on a terminal acts on them, and cut to
 * EXCERPT_LENGTH characters with an ellipsis and the whole length:
 * `"qqqq…" (100,000 characters)`.
 */
export function quoted(token: string): string {
  return token.length > EXCERPT_LENGTH ? `${excerpt(token)} (${count(token.length)} characters)` : excerpt(token);
}

/** The first EXCERPT_LENGTH characters of `text`, quoted and escaped as `quoted` does, with an ellipsis when there are more. */
export function excerpt(text: string): string {
  const cut = text.length > EXCERPT_LENGTH;
  const shown = (cut ? text.slice(0, EXCERPT_LENGTH) : text).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\${String(c.charCodeAt(0)).padStart(3, '0')}`);
  return cut ? `"${shown}…"` : `"${shown}"`;
}

/** A token shown bare (`$GENERATE`, `rpz-foo.`) when it is short and printable, and as `quoted` shows it otherwise. */
export function bare(token: string): string {
  const shown = quoted(token);
  return shown === `"${token}"` ? token : shown;
}

/** A count as messages write it: 1,048,576. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The error for a line longer than `max` characters, quoting how it starts (`start`: at least its first EXCERPT_LENGTH + 1 characters). */
export function lineTooLong(file: string, line: number, start: string, max: number): ZoneSyntaxError {
  const limit = count(max);
  return new ZoneSyntaxError(file, line, `a line longer than ${limit} characters (starting ${excerpt(start.slice(0, EXCERPT_LENGTH + 1))})`, `lines of at most ${limit} characters (maxLineLength)`);
}
