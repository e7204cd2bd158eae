import type { DaysOff } from './days-off.js';
import { DAY_MS, MINUTE_MS, weekdayOf, type ZoneClock } from './zone-clock.js';

/** A window ready to evaluate: weekdays as a bit mask (bit 0 = Sunday), times in minutes since local midnight. */
export interface CompiledWindow {
  readonly dayMask: number;
  readonly from: number;
  /** Up to 1440 (24:00); when not after `from`, the time on the next day. */
  readonly to: number;
}

/** What a schedule is made of once compiled; windows sorted by `from`. */
export interface SchedulePlan {
  readonly clock: ZoneClock;
  readonly windows: readonly CompiledWindow[];
  readonly daysOff: DaysOff;
}

/** The value of a schedule at an instant and how long it keeps it. */
export interface Stretch {
  readonly inForce: boolean;
  /** The value holds from the instant asked until just before `until`. */
  readonly until: number;
  /** True when the value changes at `until`; false when the sweep stopped looking first (`until` is then past its horizon). */
  readonly changes: boolean;
}

/** Local dates scanned after the one holding the instant: enough to see 400 days ahead whatever the offsets. */
export const SCAN_DAYS = 402;

/**
 * Occurrences [start, end) of the windows that start on local date `day`, in order of start; none on a day off.
 * An occurrence whose start and end fall in one clock jump (spring forward) is empty and left out.
 */
export function occurrencesOn(plan: SchedulePlan, day: number): Array<readonly [number, number]> {
  const occurrences: Array<readonly [number, number]> = [];
  if (plan.daysOff.has(day)) return occurrences;
  const bit = 1 << weekdayOf(day);
  for (const window of plan.windows) {
    if ((window.dayMask & bit) === 0) continue;
    const start = plan.clock.instantOf(day * DAY_MS + window.from * MINUTE_MS);
    const endDay = window.to > window.from ? day : day + 1;
    const end = plan.clock.instantOf(endDay * DAY_MS + window.to * MINUTE_MS);
    if (end > start) occurrences.push([start, end]);
  }
  return occurrences;
}

/**
 * Whether the schedule is in force at instant `t`, and until when. Occurrences come in order of start (local
 * dates ascending, then `from`; wall time maps to instants monotonically), so one forward pass finds either the
 * first start after `t`, or the occurrence holding `t` and the end of the run of touching or overlapping
 * occurrences after it. A window starting on the day before `t`'s date can still hold `t`; none earlier can.
 */
export function sweep(plan: SchedulePlan, t: number): Stretch {
  const today = plan.clock.dayOf(t);
  let inForce = false;
  let end = 0;
  for (let day = today - 1; day <= today + SCAN_DAYS; day++) {
    const occurrences = occurrencesOn(plan, day);
    // A run ends on a day without windows: what started the day before ends by 23:59 today, before any later start.
    if (inForce && occurrences.length === 0) return { inForce, until: end, changes: true };
    for (const [start, stop] of occurrences) {
      if (inForce) {
        if (start > end) return { inForce, until: end, changes: true };
        end = Math.max(end, stop);
      } else if (start > t) {
        return { inForce, until: start, changes: true };
      } else if (stop > t) {
        inForce = true;
        end = stop;
      }
    }
  }
  return inForce ? { inForce, until: end, changes: false } : { inForce, until: plan.clock.instantOf((today + SCAN_DAYS + 1) * DAY_MS), changes: false };
}
