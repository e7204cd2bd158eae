import type { PolicyZone } from '../rpz/policy-zone.js';
import type { ZoneConfig } from './zone-source.js';
import { soaTimers } from './zone-transfer/secondary.js';

/**
 * Seconds until a zone's next refresh: a URL zone every refreshSeconds; a
 * zone with primaries on its SOA refresh timer after a success and its retry
 * timer after a failure (RFC 1035 section 3.3.13), raised to
 * transfer.minRefreshSeconds and lowered to transfer.maxRefreshSeconds (as
 * BIND's min-refresh-time and max-refresh-time). With no SOA in force yet, the
 * minimum. Null for a zone file, which is watched instead.
 */
export function nextRefreshSeconds(config: ZoneConfig, inForce: PolicyZone | null, ok: boolean): number | null {
  if (config.file !== undefined) return null;
  if (config.primaries === undefined) return config.refreshSeconds;
  const { minRefreshSeconds, maxRefreshSeconds } = config.transfer;
  const soa = inForce?.soa ?? null;
  if (soa === null) return minRefreshSeconds;
  const timers = soaTimers(soa.rdata);
  return Math.min(maxRefreshSeconds, Math.max(minRefreshSeconds, ok ? timers.refresh : timers.retry));
}

/**
 * Whether a zone with primaries is past its SOA expire time at `now`: no
 * primary has confirmed the version in force since `confirmed` (RFC 1035
 * section 3.3.13). A zone without primaries, without a version in force or
 * never confirmed never expires.
 */
export function pastExpire(config: ZoneConfig, inForce: PolicyZone | null, confirmed: number | null, now: number): boolean {
  const soa = inForce?.soa ?? null;
  if (config.primaries === undefined || soa === null || confirmed === null) return false;
  return now - confirmed > soaTimers(soa.rdata).expire * 1000;
}
