import { prepareKey, type PreparedKey, type TsigKey } from './tsig-key.js';
import { findTsig, sized, timers } from './tsig-record.js';
import { checkMac, checkRecord, checkTime, variables, type Clock } from './tsig.js';

/** At most this many unsigned messages in a row (RFC 8945 section 5.3.1). */
const MAX_UNSIGNED_RUN = 99;

/**
 * Verifies the responses to one signed request, in order: a single answer or
 * every message of a zone transfer. Section 5.3.1: the first message's MAC
 * covers the request's MAC; each later signed message's MAC covers the prior
 * MAC, the unsigned messages since it, this message and only the TSIG timers.
 * Unsigned messages may sit between signed ones (at most 99 in a row); the
 * first and the last must be signed.
 */
export class TsigVerifier {
  readonly #key: PreparedKey;
  readonly #now: Clock;
  #priorMac: Buffer;
  #first = true;
  #unsigned: Buffer[] = [];

  constructor(key: TsigKey, requestMac: Buffer, now: Clock = Date.now) {
    this.#key = prepareKey(key);
    this.#priorMac = requestMac;
    this.#now = now;
  }

  /** Checks one message; throws a "TSIG: ..." error when it fails. */
  verify(message: Buffer): void {
    const found = findTsig(message);
    if ('malformed' in found) throw new Error(`TSIG: the response is malformed: ${found.malformed}`);
    const tsig = found.found;
    if (tsig === null) {
      if (this.#first) throw new Error(`TSIG: the response is not signed (we signed the request with key ${this.#key.name})`);
      if (this.#unsigned.length >= MAX_UNSIGNED_RUN) throw new Error(`TSIG: more than ${MAX_UNSIGNED_RUN} unsigned messages in a row (RFC 8945 section 5.3.1)`);
      this.#unsigned.push(message);
      return;
    }
    checkRecord(this.#key, tsig, 'response');
    const tail = this.#first ? variables(this.#key, tsig) : timers(tsig.timeSigned, tsig.fudge);
    checkMac(this.#key, tsig, [sized(this.#priorMac), ...this.#unsigned, tsig.unsigned, tail], 'response');
    checkTime(tsig, this.#now, 'response');
    this.#priorMac = tsig.mac;
    this.#unsigned = [];
    this.#first = false;
  }

  /** Called after the last message: it must have been signed. */
  finish(): void {
    if (this.#first || this.#unsigned.length > 0) throw new Error('TSIG: the last message of the response is not signed');
  }
}
