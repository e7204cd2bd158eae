import { createHmac, timingSafeEqual } from 'node:crypto';
import { prepareKey, type PreparedKey, type TsigKey } from './tsig-key.js';
import { CLASS_ANY, findTsig, sized, timers, TsigError, tsigRecordBytes, type TsigRecord } from './tsig-record.js';

export type { TsigKey } from './tsig-key.js';

/**
 * TSIG (RFC 8945) by hand: dns-packet has none. Signing appends the TSIG
 * record; verifying recomputes the MAC over the message as it was before the
 * record was added (section 4.3).
 */

/** Seconds of clock difference we allow and ask for (section 5.2.3 suggests 300). */
export const FUDGE = 300;

/** The clock, in milliseconds; injected by tests. */
export type Clock = () => number;

/** What a signer or verifier may be given. */
export interface TsigOptions {
  /** The MAC of the request, when signing or verifying a response to it (section 4.3.2). */
  readonly requestMac?: Buffer;
  readonly now?: Clock;
}

/** An error answer's TSIG fields (section 5.2.3: BADTIME carries the server's time in Other Data). */
export interface TsigErrorFields {
  readonly error?: number;
  readonly otherData?: Buffer;
}

/** Signs `message` (no TSIG yet): the signed message and its MAC (which the response's MAC covers). */
export function signMessage(message: Buffer, key: TsigKey, options: TsigOptions & TsigErrorFields = {}): { message: Buffer; mac: Buffer } {
  const prepared = prepareKey(key);
  const timeSigned = Math.floor((options.now ?? Date.now)() / 1000);
  const fields = { timeSigned, fudge: FUDGE, error: options.error ?? 0, otherData: options.otherData ?? Buffer.alloc(0) };
  const before = options.requestMac === undefined ? [] : [sized(options.requestMac)];
  const mac = hmac(prepared, [...before, message, variables(prepared, fields)]);
  const record = tsigRecordBytes({ ...fields, nameWire: prepared.nameWire, algorithmWire: prepared.algorithmWire, mac, originalId: message.readUInt16BE(0) });
  const signed = Buffer.concat([message, record]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { message: signed, mac };
}

/**
 * Verifies a signed request (a NOTIFY): null when it carries no TSIG,
 * otherwise its MAC (for signing the reply) and its time. Throws when the
 * signature is bad.
 */
export function verifyRequest(message: Buffer, key: TsigKey, options: { now?: Clock } = {}): { mac: Buffer; timeSigned: number; fudge: number } | null {
  const found = findTsig(message);
  if ('malformed' in found) throw new Error(`TSIG: the message is malformed: ${found.malformed}`);
  if (found.found === null) return null;
  const prepared = prepareKey(key);
  const tsig = found.found;
  checkRecord(prepared, tsig, 'request');
  checkMac(prepared, tsig, [tsig.unsigned, variables(prepared, tsig)], 'request');
  checkTime(tsig, options.now ?? Date.now, 'request');
  return { mac: tsig.mac, timeSigned: tsig.timeSigned, fudge: tsig.fudge };
}

/** Whether a message carries a TSIG record (without checking it). */
export function hasTsig(message: Buffer): boolean {
  const found = findTsig(message);
  return 'found' in found && found.found !== null;
}

/** The TSIG variables of section 4.3.3, canonical names. */
export function variables(key: PreparedKey, tsig: { timeSigned: number; fudge: number; error: number; otherData: Buffer }): Buffer {
  const classTtl = Buffer.alloc(6);
  classTtl.writeUInt16BE(CLASS_ANY, 0);
  const error = Buffer.alloc(2);
  error.writeUInt16BE(tsig.error, 0);
  return Buffer.concat([key.nameWire, classTtl, key.algorithmWire, timers(tsig.timeSigned, tsig.fudge), error, sized(tsig.otherData)]);
}

export function hmac(key: PreparedKey, parts: Buffer[]): Buffer {
  const mac = createHmac(key.hash, key.secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** The TSIG error a peer sent, the key name and the algorithm, checked before the MAC (section 5.2). */
export function checkRecord(key: PreparedKey, tsig: TsigRecord, what: string): void {
  if (tsig.error !== 0) {
    const code = TsigError[tsig.error] ?? `error ${tsig.error}`;
    if (code === 'BADKEY') throw new Error(`TSIG: the primary rejected our key (BADKEY): it does not know key ${key.name} with algorithm ${key.algorithm}`);
    if (code === 'BADSIG') throw new Error(`TSIG: the primary rejected our MAC (BADSIG): its secret for key ${key.name} differs from ours`);
    if (code === 'BADTIME') throw new Error(`TSIG: the primary rejected our time (BADTIME): our clock differs from its by more than ${tsig.fudge} s`);
    throw new Error(`TSIG: the ${what} carries TSIG error ${code}`);
  }
  if (tsig.keyName !== key.name) throw new Error(`TSIG: the ${what} is signed with key ${tsig.keyName}, expected key ${key.name}`);
  if (tsig.algorithm !== key.algorithm) throw new Error(`TSIG: the ${what} is signed with algorithm ${tsig.algorithm}, expected ${key.algorithm} (key ${key.name})`);
}

/** Compares the MAC, allowing the truncation section 5.2.2.1 allows (at least 10 bytes and half the hash). */
export function checkMac(key: PreparedKey, tsig: TsigRecord, parts: Buffer[], what: string): void {
  const length = tsig.mac.length;
  if (length > key.macLength || length < Math.max(10, key.macLength / 2)) {
    throw new Error(`TSIG: the ${what}'s MAC is ${length} bytes; ${key.algorithm} needs ${Math.max(10, key.macLength / 2)} to ${key.macLength} (BADTRUNC)`);
  }
  const expected = hmac(key, parts).subarray(0, length);
  if (!timingSafeEqual(expected, tsig.mac)) throw new Error(`TSIG: the ${what}'s MAC does not verify with key ${key.name}`);
}

/** Time Signed within Fudge of our clock (section 5.2.3), checked after the MAC. */
export function checkTime(tsig: TsigRecord, now: Clock, what: string): void {
  const skew = Math.floor(now() / 1000) - tsig.timeSigned;
  if (Math.abs(skew) > Math.min(tsig.fudge, FUDGE)) {
    throw new Error(`TSIG: the ${what} was signed ${Math.abs(skew)} s ${skew > 0 ? 'ago' : 'in the future'}, beyond the fudge of ${Math.min(tsig.fudge, FUDGE)} s (BADTIME): are the clocks in step?`);
  }
}
