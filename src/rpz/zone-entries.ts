import { classOf, parseTtl, recordType } from './zone-fields.js';
import { absoluteName, zoneName, type Fail, type ZoneName } from './zone-names.js';
import type { ZoneRecord } from './zone-reader.js';
import { bare, quoted, ZoneSyntaxError } from './zone-syntax-error.js';
import type { ZoneTokenizer } from './zone-tokenizer.js';

/** What one read shares across its files: the zone, the TTL rules of RFC 1035/2308 as BIND applies them, the sink. */
export interface ReadState {
  readonly zone: string;
  /** "." + zone, for the in-zone test. */
  readonly zoneSuffix: string;
  /** The $TTL in force, or -1. */
  dollarTtl: number;
  /** The last explicit TTL, or -1: used while no $TTL was seen. */
  lastTtl: number;
  readonly defaultTtl: number;
  readonly onRecord: (record: ZoneRecord) => void;
  records: number;
  /** "refused" for text from elsewhere (a download, a transfer, their copies): $INCLUDE would read this machine's files. */
  readonly includes: 'allowed' | 'refused';
}

/** An $INCLUDE to read before the next entry of the including file. */
export interface IncludeRequest {
  readonly file: string;
  readonly origin: ZoneName;
  readonly line: number;
}

const DIRECTIVES = '$ORIGIN, $TTL or $INCLUDE';
/** Why $INCLUDE fails in a downloaded or transferred zone (docs/feeds.md says the same). */
export const INCLUDE_REFUSED = '$INCLUDE is not allowed in a downloaded zone';
const TTL_FORM = 'a TTL (seconds, or units as in 1h30m) up to 4294967295';

/**
 * Turns one file's entries into records and directives: owner (blank = the
 * previous one, "@" = the origin), optional TTL and class in either order,
 * type, rdata. The origin and the previous owner belong to the file, so an
 * $INCLUDE'd file changes neither for its includer (RFC 1035 section 5.1).
 */
export class ZoneEntries {
  #origin: ZoneName;
  #owner: string | undefined;
  #ownerInZone = true;
  readonly #fail: Fail;
  readonly #tokenizer: ZoneTokenizer;
  readonly #state: ReadState;

  constructor(tokenizer: ZoneTokenizer, state: ReadState, origin: ZoneName) {
    this.#tokenizer = tokenizer;
    this.#state = state;
    this.#origin = origin;
    this.#fail = (found, expected) => {
      throw new ZoneSyntaxError(tokenizer.file, tokenizer.entryLine, found, expected);
    };
  }

  /** Handles the entry the tokenizer holds; returns the $INCLUDE it asks for, if any. */
  handle(): IncludeRequest | undefined {
    const tok = this.#tokenizer;
    const tokens = tok.tokens;
    const state = this.#state;
    let i = 0;
    let owner: string;
    let inZone: boolean;
    if (tok.blankOwner) {
      if (this.#owner === undefined) this.#fail(`${quoted(tokens[0]!)} after leading white space`, 'an owner name first (white space repeats the previous owner and there is none)');
      owner = this.#owner;
      inZone = this.#ownerInZone;
    } else {
      const first = tokens[0]!;
      if (first.charCodeAt(0) === 0x24 && !tok.isQuoted(0)) return this.#directive(first);
      owner = absoluteName(first, this.#origin, this.#fail, tok.isPlain(0));
      inZone = state.zone === '' || owner === state.zone || owner.endsWith(state.zoneSuffix);
      this.#owner = owner;
      this.#ownerInZone = inZone;
      i = 1;
    }
    let ttl = -1;
    let sawClass = false;
    let type: string | undefined;
    for (;;) {
      const token = tokens[i];
      if (token === undefined) this.#fail('end of line', expectedField(ttl >= 0, sawClass));
      if (!tok.isQuoted(i)) {
        const c = token.charCodeAt(0);
        if (c >= 0x30 && c <= 0x39 && ttl < 0) {
          ttl = parseTtl(token);
          if (ttl < 0) this.#fail(quoted(token), TTL_FORM);
          i++;
          continue;
        }
        type = recordType(token);
        if (type !== undefined) break;
        const klass = classOf(token);
        if (klass === 'other') this.#fail(quoted(token), 'class IN (the only class Stopzone reads)');
        if (klass === 'IN' && !sawClass) {
          sawClass = true;
          i++;
          continue;
        }
      }
      this.#fail(quoted(token), expectedField(ttl >= 0, sawClass));
    }
    i++;
    if (i === tokens.length && type !== 'APL') this.#fail('end of line', `the rdata of the ${type} record`);
    if (ttl >= 0) state.lastTtl = ttl;
    else ttl = state.dollarTtl >= 0 ? state.dollarTtl : state.lastTtl >= 0 ? state.lastTtl : state.defaultTtl;
    const record: ZoneRecord = { owner, ttl, type, rdata: tokens.slice(i), origin: this.#origin.name, file: tok.file, line: tok.entryLine };
    if (!inZone) record.outOfZone = true;
    state.records++;
    state.onRecord(record);
    return undefined;
  }

  #directive(first: string): IncludeRequest | undefined {
    const tokens = this.#tokenizer.tokens;
    switch (first.toUpperCase()) {
      case '$TTL': {
        const ttl = parseTtl(this.#argument(1, TTL_FORM));
        if (ttl < 0) this.#fail(quoted(tokens[1]!), TTL_FORM);
        this.#endAt(2);
        this.#state.dollarTtl = ttl;
        return undefined;
      }
      case '$ORIGIN':
        this.#origin = zoneName(absoluteName(this.#argument(1, 'a domain name'), this.#origin, this.#fail));
        this.#endAt(2);
        return undefined;
      case '$INCLUDE': {
        if (this.#state.includes === 'refused') this.#fail('$INCLUDE', `a record, $ORIGIN or $TTL (${INCLUDE_REFUSED})`);
        const file = this.#argument(1, 'a file name');
        const name = tokens[2];
        const origin = name === undefined ? this.#origin : zoneName(absoluteName(name, this.#origin, this.#fail));
        this.#endAt(3);
        return { file, origin, line: this.#tokenizer.entryLine };
      }
      default:
        return this.#fail(bare(first), DIRECTIVES);
    }
  }

  #argument(i: number, expected: string): string {
    const token = this.#tokenizer.tokens[i];
    return token ?? this.#fail('end of line', expected);
  }

  #endAt(i: number): void {
    const extra = this.#tokenizer.tokens[i];
    if (extra !== undefined) this.#fail(quoted(extra), 'end of line');
  }
}

function expectedField(sawTtl: boolean, sawClass: boolean): string {
  if (sawTtl && sawClass) return 'a record type';
  if (sawTtl) return 'a class (IN) or a record type';
  if (sawClass) return 'a TTL or a record type';
  return 'a class (IN), a TTL or a record type';
}
