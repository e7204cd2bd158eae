import type { ZoneRecord } from '../../rpz/zone-reader.js';
import { recordLine } from './zone-copy.js';

/** What a transfer brought. */
export type TransferResult =
  /**
   * The full zone as the copy's master-file lines (`recordLine`), its SOA
   * first (the closing SOA is not repeated); each element holds one line or
   * the lines of one message joined by "\n". A million records kept as
   * objects would take some 300 MiB; as text they take what the copy does.
   */
  | { kind: 'axfr'; serial: number; lines: string[] }
  /** Deltas in order; each `removed` starts with the old SOA and each `added` with the new one (RFC 1995 section 4). */
  | { kind: 'ixfr'; fromSerial: number; serial: number; deltas: Array<{ removed: ZoneRecord[]; added: ZoneRecord[] }> }
  | { kind: 'up-to-date'; serial: number };

type Delta = { from: number; to: number; removed: ZoneRecord[]; added: ZoneRecord[] };
type State = 'start' | 'second' | 'axfr' | 'removed' | 'added' | 'done';

/** What a record of an IXFR's delta, kept as an object, takes beyond its text (the object, its rdata array, their headers), roughly. */
const RECORD_OBJECT = 200;

/**
 * Reads the answer records of a transfer in order and knows when it has
 * ended. AXFR (RFC 5936 section 2.2): SOA, the zone, the same SOA again. IXFR
 * (RFC 1995 section 4): the new SOA, then either the zone AXFR-style, or
 * deltas (old SOA, removed records, new SOA, added records) and the new SOA
 * again; a lone SOA in the first message means the client is up to date.
 */
export class TransferReader {
  #state: State = 'start';
  #serial = 0;
  /** The zone's lines so far: the first SOA, then one chunk per message. */
  #lines: string[] = [];
  /** The current message's lines, joined into one chunk at its end. */
  #pending: string[] = [];
  #deltas: Delta[] = [];
  #upToDate = false;
  /** What the records kept so far take as text (those of an IXFR's deltas, kept as objects: RECORD_OBJECT more each). */
  #keptBytes = 0;
  readonly #maxBytes: number;

  readonly kind: 'axfr' | 'ixfr';
  /**
   * `maxBytes` (the zone's transfer.maxBytes, also the bound on bytes received) bounds what the records take as
   * text too: a record's owner compressed to a 2-byte pointer on the wire can be a 253-character name as text, so
   * a primary could otherwise fill the memory 17 times faster than it sends (measured by a review).
   */
  constructor(kind: 'axfr' | 'ixfr', maxBytes = Infinity) {
    this.kind = kind;
    this.#maxBytes = maxBytes;
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /** Takes the next answer record; throws when the sequence is not a transfer, or when what is kept grows past maxBytes. */
  add(record: ZoneRecord): void {
    const line = recordLine(record);
    this.#place(record, line);
    // A record that left the reader in a delta's state went into that delta, as an object; any other, as its line.
    this.#keptBytes += line.length + (this.#state === 'removed' || this.#state === 'added' ? RECORD_OBJECT : 0);
    if (this.#keptBytes > this.#maxBytes) {
      throw new Error(`the records received take more than transfer.maxBytes (${this.#maxBytes} bytes) as text (names compressed on the wire are written out whole); raise the limit if the zone is expected to be this large`);
    }
  }

  #place(record: ZoneRecord, line: string): void {
    const soa = record.type === 'SOA' ? soaSerial(record) : null;
    const delta = this.#deltas.at(-1);
    switch (this.#state) {
      case 'start':
        if (soa === null) throw new Error(`the first record is ${record.owner} ${record.type}, expected the zone's SOA`);
        this.#serial = soa;
        this.#lines.push(line);
        this.#state = 'second';
        return;
      case 'second':
        if (soa !== null && this.kind === 'ixfr' && soa !== this.#serial) {
          this.#deltas.push({ from: soa, to: soa, removed: [record], added: [] });
          this.#state = 'removed';
        } else if (soa !== null) {
          this.#closedBy(soa); // a zone of its SOA alone
        } else {
          this.#pending.push(line);
          this.#state = 'axfr';
        }
        return;
      case 'axfr':
        if (soa !== null) this.#closedBy(soa);
        else this.#pending.push(line);
        return;
      case 'removed':
        if (soa !== null) {
          delta!.to = soa;
          delta!.added.push(record);
          this.#state = 'added';
        } else delta!.removed.push(record);
        return;
      case 'added':
        if (soa !== null && soa === this.#serial && delta!.to === this.#serial) this.#state = 'done';
        else if (soa !== null) {
          if (soa !== delta!.to) throw new Error(`an IXFR delta starts at serial ${soa}, but the previous one ended at ${delta!.to}`);
          this.#deltas.push({ from: soa, to: soa, removed: [record], added: [] });
          this.#state = 'removed';
        } else delta!.added.push(record);
        return;
      case 'done':
        throw new Error(`record ${record.owner} ${record.type} follows the closing SOA`);
    }
  }

  /**
   * A whole-zone transfer ends with the SOA it began with (RFC 5936 section
   * 2.2); another serial means the zone changed during the transfer, or the
   * stream is not one zone: the transfer is an error, not a version.
   */
  #closedBy(serial: number): void {
    if (serial !== this.#serial) throw new Error(`the transfer began with SOA serial ${this.#serial} but ended with serial ${serial}; a zone transfer must end with the SOA it began with (RFC 5936 section 2.2)`);
    this.#state = 'done';
  }

  /** Called after each message: an IXFR whose first message is a lone SOA is over (up to date). */
  endOfMessage(index: number): void {
    this.#flush();
    if (index === 0 && this.kind === 'ixfr' && this.#state === 'second') {
      this.#upToDate = true;
      this.#state = 'done';
    }
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    this.#lines.push(this.#pending.join('\n'));
    this.#pending = [];
  }

  result(): TransferResult {
    if (this.#upToDate) return { kind: 'up-to-date', serial: this.#serial };
    this.#flush();
    if (this.#deltas.length === 0) return { kind: 'axfr', serial: this.#serial, lines: this.#lines };
    const deltas = this.#deltas.map(({ removed, added }) => ({ removed, added }));
    return { kind: 'ixfr', fromSerial: this.#deltas[0]!.from, serial: this.#serial, deltas };
  }
}

function soaSerial(record: ZoneRecord): number | null {
  const serial = Number(record.rdata[2]);
  return Number.isInteger(serial) ? serial : null;
}
