import { HORIZON_MS, type Schedule } from './schedule.js';

/**
 * When a policy zone applies to one client group: at every hour, never, or only inside (`during`) or only
 * outside (`outside`) a schedule's windows; or not at all until `pausedUntil` (an admin's pause from the
 * console), then as `then` says. A zone's settings hold one per group, by group index.
 */
export type ZoneWhen = 'always' | 'never' | { readonly during: Schedule } | { readonly outside: Schedule } | ZonePaused;

/** A zone paused for one group until an instant (ms), after which `then` applies again. */
export interface ZonePaused {
  readonly pausedUntil: number;
  readonly then: ZoneWhen;
}

/** Whether a zone with rule `when` applies at instant `nowMs`. */
export function appliesAt(when: ZoneWhen, nowMs: number): boolean {
  if (when === 'always') return true;
  if (when === 'never') return false;
  if ('pausedUntil' in when) return nowMs >= when.pausedUntil && appliesAt(when.then, nowMs);
  return 'during' in when ? when.during.inForce(nowMs) : !when.outside.inForce(nowMs);
}

/** The first instant after `nowMs` at which `when` may change (a schedule boundary or a pause's end; the schedule's horizon when none is near), or Infinity. */
export function nextChangeOf(when: ZoneWhen, nowMs: number): number {
  if (typeof when === 'string') return Infinity;
  if ('pausedUntil' in when) return nowMs < when.pausedUntil ? when.pausedUntil : nextChangeOf(when.then, nowMs);
  return scheduleOf(when)!.nextChange(nowMs) ?? nowMs + HORIZON_MS;
}

/** Whole seconds until `when` may change at `nowMs` (rounded down, as Schedule.secondsToNextChange), or null when it never does: the TTL cap of an answer it decides. */
export function secondsToChangeOf(when: ZoneWhen, nowMs: number): number | null {
  if (typeof when === 'string') return null;
  if ('pausedUntil' in when) return nowMs < when.pausedUntil ? Math.floor((when.pausedUntil - nowMs) / 1000) : secondsToChangeOf(when.then, nowMs);
  return scheduleOf(when)!.secondsToNextChange(nowMs);
}

/** The schedule `when` follows (a paused zone's, once the pause ends); null for every hour, never, or a pause over a zone with no schedule. */
export function scheduleOf(when: ZoneWhen): Schedule | null {
  if (typeof when === 'string') return null;
  if ('pausedUntil' in when) return scheduleOf(when.then);
  return 'during' in when ? when.during : when.outside;
}
