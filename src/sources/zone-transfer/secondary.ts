import type { Endpoint } from '../../config/address.js';
import type { TsigKey } from './tsig-key.js';
import { querySoaSerial, transfer } from './transfer.js';
import { applyDeltas, writeZoneCopy, type TouchedLines } from './zone-copy.js';

/** A zone kept as a secondary of its primaries. */
export interface SecondaryOptions {
  readonly zone: string;
  /** Tried in order; the first that answers is used. */
  readonly primaries: readonly Endpoint[];
  readonly key?: TsigKey;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** What one refresh did. */
export interface RefreshOutcome {
  /** up-to-date: the SOA serial (or an IXFR) said nothing changed; the copy was not touched. */
  readonly kind: 'axfr' | 'ixfr' | 'up-to-date';
  readonly primary: string;
  readonly serial: number;
  /** Bytes received for the transfer (0 when up to date). */
  readonly bytes: number;
  /** Milliseconds from the SOA query to the copy written. */
  readonly ms: number;
  /** Why an IXFR was not used although a version was held (the primary's words), for the logs. */
  readonly ixfrFallback?: string;
  /** An IXFR's changes as the copy shows them (zone-delta.ts applies them to the zone in force). */
  readonly touched?: TouchedLines;
}

/** RFC 1982 serial number arithmetic: whether `a` is newer than `b`. */
export function serialNewer(a: number, b: number): boolean {
  return a !== b && ((a - b) >>> 0) < 2 ** 31;
}

/**
 * Writes the zone's new version to `into` from the first primary that
 * answers: asks for the SOA; when its serial is newer than `held` (the
 * serial in force, null when none), asks for an IXFR from `held` and applies
 * the deltas to the copy at `copyPath`, or for an AXFR when nothing is held.
 * An IXFR the primary refuses, answers with the whole zone, or whose deltas
 * do not fit the copy falls back to AXFR (RFC 1995 section 4). The copy is
 * never written (the caller moves `into` over it once the version has loaded);
 * `into` is not written when the zone is up to date. Rejects with every
 * primary's reason when none succeeds.
 */
export async function refreshFromPrimaries(options: SecondaryOptions, copyPath: string, held: number | null, into: string): Promise<RefreshOutcome> {
  const reasons: string[] = [];
  for (const primary of options.primaries) {
    try {
      return await refreshFrom(primary, options, copyPath, held, into);
    } catch (error) {
      reasons.push((error as Error).message);
    }
  }
  throw new Error(reasons.join('; '));
}

async function refreshFrom(primary: Endpoint, options: SecondaryOptions, copyPath: string, held: number | null, into: string): Promise<RefreshOutcome> {
  const started = Date.now();
  const common = { primary, zone: options.zone, timeoutMs: options.timeoutMs, maxBytes: options.maxBytes, ...(options.key !== undefined && { key: options.key }) };
  const serial = await querySoaSerial(common);
  const done = (kind: RefreshOutcome['kind'], bytes: number, extra: Partial<RefreshOutcome> = {}): RefreshOutcome => ({ kind, primary: primary.label, serial, bytes, ms: Date.now() - started, ...extra });
  if (held !== null && !serialNewer(serial, held)) return done('up-to-date', 0);

  let ixfrFallback: string | undefined;
  if (held !== null) {
    try {
      const result = await transfer({ ...common, kind: 'ixfr', fromSerial: held });
      if (result.kind === 'up-to-date') return done('up-to-date', result.bytes);
      if (result.kind === 'ixfr') {
        const touched = await applyDeltas(copyPath, result.deltas, into);
        return done('ixfr', result.bytes, { serial: result.serial, touched });
      }
      // The primary sent the whole zone in answer to the IXFR (it keeps no history that far back).
      await writeZoneCopy(into, result.lines);
      return done('axfr', result.bytes, { serial: result.serial, ixfrFallback: 'the primary answered the IXFR with the whole zone' });
    } catch (error) {
      ixfrFallback = (error as Error).message;
    }
  }
  const result = await transfer({ ...common, kind: 'axfr' });
  if (result.kind !== 'axfr') throw new Error(`the primary ${primary.label} answered an AXFR of ${options.zone} with something else`);
  await writeZoneCopy(into, result.lines);
  return done('axfr', result.bytes, { serial: result.serial, ...(ixfrFallback !== undefined && { ixfrFallback }) });
}

/** The SOA's refresh, retry and expire timers, in seconds, from its RDATA (they are its last 20 bytes but the minimum). */
export function soaTimers(rdata: Buffer): { refresh: number; retry: number; expire: number } {
  const at = rdata.length - 16;
  return { refresh: rdata.readUInt32BE(at), retry: rdata.readUInt32BE(at + 4), expire: rdata.readUInt32BE(at + 8) };
}
