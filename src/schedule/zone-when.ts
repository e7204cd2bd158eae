import { HORIZON_MS, type Schedule } from './schedule.js';

/**
 * When a policy zone applies to one client group: at every hour, never, or only inside (`during`) or only
 * outside (`outside`) a schedule's windows. A zone's settings hold one per group, by group index.
 */
export type ZoneWhen = 'always' | 'never' | { readonly during: Schedule } | { readonly outside: Schedule };

/** Whether a zone with rule `when` applies at instant `nowMs`. */
export function appliesAt(when: ZoneWhen, nowMs: number): boolean {
  if (when === 'always') return true;
  if (when === 'never') return false;
  return 'during' in when ? when.during.inForce(nowMs) : !when.outside.inForce(nowMs);
}

/** The first instant after `nowMs` at which `when` may change (a schedule boundary; the schedule's horizon when none is near), or Infinity. */
export function nextChangeOf(when: ZoneWhen, nowMs: number): number {
  if (typeof when === 'string') return Infinity;
  return ('during' in when ? when.during : when.outside).nextChange(nowMs) ?? nowMs + HORIZON_MS;
}

/** Whole seconds until `when` may change at `nowMs` (Schedule.secondsToNextChange), or null when it never does: the TTL cap of an answer it decides. */
export function secondsToChangeOf(when: ZoneWhen, nowMs: number): number | null {
  if (typeof when === 'string') return null;
  return ('during' in when ? when.during : when.outside).secondsToNextChange(nowMs);
}
