import { count, EXCERPT_LENGTH, lineTooLong, ZoneSyntaxError } from './zone-syntax-error.js';

// Character classes of RFC 1035 section 5.1 master-file text; code points >= 128 are token characters.
const TOKEN = 0;
const SPACE = 1;
const NEWLINE = 2;
const COMMENT = 3;
const OPEN = 4;
const CLOSE = 5;
const QUOTE = 6;
const ESCAPE = 7;

const CLASS = new Uint8Array(128);
CLASS[0x20] = SPACE;
CLASS[0x09] = SPACE;
CLASS[0x0d] = SPACE; // CR of CRLF files
CLASS[0x0a] = NEWLINE;
CLASS[0x3b] = COMMENT;
CLASS[0x28] = OPEN;
CLASS[0x29] = CLOSE;
CLASS[0x22] = QUOTE;
CLASS[0x5c] = ESCAPE;

// Inside a bare token: 0 for characters of a plain host name (a-z 0-9 - _ * .), 1 for other token characters,
// 2 for characters that end the token. A token of plain characters only needs no per-character name decoding.
const INNER = CLASS.map((kind) => (kind === TOKEN || kind === ESCAPE ? 1 : 2));
for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789-_*.') INNER[c.charCodeAt(0)] = 0;

function classOf(c: number): number {
  return c < 128 ? CLASS[c]! : TOKEN;
}

/** Characters a line, or an entry that parentheses join, may hold unless the reader is told otherwise. */
export const MAX_LINE_LENGTH = 1 << 20;

/**
 * Splits master-file text into entries (one record or directive each): a line,
 * or several lines joined by parentheses, without comments. Text arrives in
 * chunks; only complete lines are scanned, the partial last line waits for the
 * next chunk, so an entry's tokens and open parentheses carry over chunk
 * boundaries. Escapes stay verbatim in tokens; quoted strings lose their quotes.
 * Each character is scanned once, and a line or entry longer than
 * `maxLineLength` fails as soon as that is known: the text held at once is at
 * most that plus one chunk, whatever the input.
 */
export class ZoneTokenizer {
  /** The tokens of the entry `next()` found; reused, copy what you keep. */
  readonly tokens: string[] = [];
  /** 1-based line where the entry starts. */
  entryLine = 0;
  /** True when the entry's line starts with white space: the owner is left blank (the previous one). */
  blankOwner = false;
  #quotedMask = 0; // bit i: tokens[i] was quoted (i < 31)
  #plainMask = 0; // bit i: tokens[i] holds only a-z 0-9 - _ * . (i < 31)
  #text = '';
  #pos = 0;
  #limit = 0; // just past the last complete line (or the end of the text, at end of file)
  #ended = false;
  #line = 1;
  #lineStart = 0;
  #depth = 0;
  #parenLine = 0;
  #started = false;
  /** Characters of earlier chunks dropped from the front of #text: #text[0] is character #consumed of the input. */
  #consumed = 0;
  /** Where the current entry's first line starts, counted like #consumed. */
  #entryStart = 0;

  readonly file: string;
  readonly maxLineLength: number;
  constructor(file: string, maxLineLength: number = MAX_LINE_LENGTH) {
    this.file = file;
    this.maxLineLength = maxLineLength;
  }

  /** Adds the next chunk of text; fails when the line it leaves open is already too long. */
  append(chunk: string): void {
    // next() has scanned up to #limit, the start of the partial last line: only that line is kept and joined.
    // Only the new chunk is searched for a newline, so a line spread over many chunks costs no rescans.
    const rest = this.#text.slice(this.#pos);
    this.#consumed += this.#pos;
    this.#text = rest === '' ? chunk : rest + chunk;
    this.#pos = 0;
    this.#lineStart = 0;
    const newline = chunk.lastIndexOf('\n');
    this.#limit = newline < 0 ? 0 : rest.length + newline + 1;
    if (newline < 0) this.#checkOpen();
  }

  /** Marks the end of the text: the last line counts even without a newline. */
  end(): void {
    this.#ended = true;
    this.#limit = this.#text.length;
    this.#checkOpen();
  }

  /** Lines read so far (all lines once `end()` was called and `next()` returned false). */
  get lines(): number {
    return this.#ended && this.#text.length > 0 && this.#text.charCodeAt(this.#text.length - 1) !== 0x0a ? this.#line : this.#line - 1;
  }

  /** True when tokens[i] was a quoted string. */
  isQuoted(i: number): boolean {
    return i < 31 && (this.#quotedMask & (1 << i)) !== 0;
  }

  /** True when tokens[i] holds only a-z 0-9 - _ * . (no upper case, escapes or other characters). */
  isPlain(i: number): boolean {
    return i < 31 && (this.#plainMask & (1 << i)) !== 0;
  }

  /** Scans to the end of the next entry: true with `tokens` filled, false when more text is needed (or none is left). */
  next(): boolean {
    const text = this.#text;
    const limit = this.#limit;
    const tokens = this.tokens;
    if (!this.#started) {
      tokens.length = 0;
      this.#quotedMask = 0;
      this.#plainMask = 0;
    }
    let i = this.#pos;
    while (i < limit) {
      const c = text.charCodeAt(i);
      const kind = classOf(c);
      if (kind === TOKEN || kind === ESCAPE) {
        const start = i;
        this.#startEntry();
        let d = c;
        let plain = c < 128 ? INNER[c]! : 1;
        for (;;) {
          if (d === 0x5c) {
            d = text.charCodeAt(i + 1);
            if (i + 1 >= limit || d === 0x0a) this.#fail('"\\" at end of line', 'an escaped character after "\\"');
            i += 2;
          } else {
            i++;
          }
          if (i >= limit) break;
          d = text.charCodeAt(i);
          if (d >= 128) {
            plain = 1;
            continue;
          }
          const inner = INNER[d]!;
          if (inner === 2) break;
          plain |= inner;
        }
        if (plain === 0 && tokens.length < 31) this.#plainMask |= 1 << tokens.length;
        tokens.push(text.slice(start, i));
        continue;
      }
      switch (kind) {
        case SPACE:
          i++;
          break;
        case NEWLINE:
          if (i - this.#lineStart > this.maxLineLength) this.#lineTooLong(this.#lineStart);
          if (this.#depth > 0 && this.#consumed + i - this.#entryStart > this.maxLineLength) this.#entryTooLong();
          i++;
          this.#line++;
          this.#lineStart = i;
          if (this.#depth === 0 && this.#started) {
            this.#pos = i;
            this.#started = false;
            if (tokens.length > 0) return true;
          }
          break;
        case COMMENT: {
          const nl = text.indexOf('\n', i);
          i = nl < 0 || nl > limit ? limit : nl;
          break;
        }
        case OPEN:
          this.#startEntry();
          if (this.#depth === 0) this.#parenLine = this.#line;
          this.#depth++;
          i++;
          break;
        case CLOSE:
          if (this.#depth === 0) this.#fail('")"', 'a "(" before it');
          this.#depth--;
          i++;
          break;
        default: // QUOTE
          i = this.#quotedString(text, i, limit);
      }
    }
    this.#pos = i;
    if (!this.#ended) return false;
    if (this.#depth > 0) {
      this.#line = this.#parenLine;
      this.#fail('end of file', 'a ")" to close the "(" of this line');
    }
    this.#started = false;
    return tokens.length > 0;
  }

  #startEntry(): void {
    if (this.#started) return;
    this.#started = true;
    this.entryLine = this.#line;
    this.#entryStart = this.#consumed + this.#lineStart;
    const first = this.#text.charCodeAt(this.#lineStart);
    this.blankOwner = first === 0x20 || first === 0x09;
  }

  /** Reads the quoted string opening at `open`; returns the index past its closing quote. */
  #quotedString(text: string, open: number, limit: number): number {
    this.#startEntry();
    let i = open + 1;
    for (;;) {
      if (i >= limit) this.#fail('end of file', 'a closing quote (")');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x0a) this.#fail('end of line', 'a closing quote (")');
      i += c === 0x5c && text.charCodeAt(i + 1) !== 0x0a ? 2 : 1;
    }
    if (this.tokens.length < 31) this.#quotedMask |= 1 << this.tokens.length;
    this.tokens.push(text.slice(open + 1, i));
    return i + 1;
  }

  /** The line not yet ended (all of #text from #pos) and the entry it belongs to must already fit. */
  #checkOpen(): void {
    if (this.#text.length - this.#pos > this.maxLineLength) this.#lineTooLong(this.#pos);
    if (this.#started && this.#consumed + this.#text.length - this.#entryStart > this.maxLineLength) this.#entryTooLong();
  }

  #lineTooLong(start: number): never {
    throw lineTooLong(this.file, this.#line, this.#text.slice(start, start + EXCERPT_LENGTH + 1), this.maxLineLength);
  }

  #entryTooLong(): never {
    const max = count(this.maxLineLength);
    this.#line = this.entryLine;
    this.#fail(`an entry longer than ${max} characters (from line ${this.entryLine}, joined by parentheses)`, `entries of at most ${max} characters (maxLineLength)`);
  }

  #fail(found: string, expected: string): never {
    throw new ZoneSyntaxError(this.file, this.#line, found, expected);
  }
}
